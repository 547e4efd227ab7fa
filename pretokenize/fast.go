package pretokenize

// The hand-written matchers of the built-in patterns. Every built-in
// pattern matches at every position (each character is a letter, a number,
// whitespace or "other", and some alternative takes each), so the matches
// tile the text and each matcher only has to compute, for a start p, where
// the match ends: the end the backtracking engine would pick, alternative
// by alternative, in order. Each step scans forward over runs of one class;
// a run is rescanned at most a constant number of times, so the time is
// linear in the input.

import (
	"github.com/toklabs/tok"
)

var (
	_ Tiler = gpt2Matcher{}
	_ Tiler = cl100kMatcher{}
	_ Tiler = o200kMatcher{}
)

// fastMatcher returns the hand-written matcher for a built-in pattern, or
// nil.
func fastMatcher(pattern string) Matcher {
	switch pattern {
	case PatternGPT2:
		return gpt2Matcher{}
	case PatternCL100K:
		return cl100kMatcher{maxDigits: 3}
	case PatternQwen2:
		return cl100kMatcher{maxDigits: 1}
	case PatternO200K:
		return o200kMatcher{}
	}
	return nil
}

// appendTiling runs next from 0 to the end of text.
func appendTiling(dst []tok.Span, text []byte, next func([]byte, int) int) []tok.Span {
	bmpOnce.Do(buildBMP)
	for p := 0; p < len(text); {
		e := next(text, p)
		dst = append(dst, tok.Span{Start: p, End: e})
		p = e
	}
	return dst
}

// Tiler is implemented by the Matchers of the built-in patterns, whose
// matches tile the text: no empty match, no gap. A caller can then take the
// matches of a long text a bounded batch at a time instead of holding a
// span for every match.
type Tiler interface {
	Matcher
	// AppendTiles appends to dst the spans of at most max successive
	// matches, the first starting at from, and returns the extended slice
	// and the end of the last match appended (len(text) when the text is
	// done). from must be 0 or the end of an earlier match; the matches
	// from 0 taken batch after batch are then those of AppendMatches.
	AppendTiles(dst []tok.Span, text []byte, from, max int) ([]tok.Span, int)
}

// appendTiles runs next from from for at most max matches.
func appendTiles(dst []tok.Span, text []byte, from, max int, next func([]byte, int) int) ([]tok.Span, int) {
	bmpOnce.Do(buildBMP)
	p := from
	for n := 0; n < max && p < len(text); n++ {
		e := next(text, p)
		dst = append(dst, tok.Span{Start: p, End: e})
		p = e
	}
	return dst, p
}

// contraction returns the length of the contraction ('s 't 're 've 'm 'll
// 'd) at text[i], which must be an apostrophe, or 0. With fold, ASCII letters match in either
// case, as regexp2's (?i) does (it folds with unicode.ToLower, and no
// non-ASCII character lowers to one of these letters).
func contraction(text []byte, i int, fold bool) int {
	if i+1 >= len(text) || text[i] != '\'' {
		return 0
	}
	return contractionTail(text, i, fold)
}

// contractionTail is contraction after the apostrophe test, kept apart so
// that contraction inlines.
func contractionTail(text []byte, i int, fold bool) int {
	var caseBit byte // ORed into ASCII letters to lower them
	if fold {
		caseBit = 0x20
	}
	lower := func(c byte) byte {
		if 'A' <= c && c <= 'Z' {
			return c | caseBit
		}
		return c
	}
	switch lower(text[i+1]) {
	case 's', 't', 'm', 'd':
		return 2
	case 'r', 'v':
		if i+2 < len(text) && lower(text[i+2]) == 'e' {
			return 3
		}
	case 'l':
		if i+2 < len(text) && lower(text[i+2]) == 'l' {
			return 3
		}
	}
	return 0
}

// whitespaceEnd is the end of the whitespace alternatives at p (text[p] is
// \s): `\s*[\r\n]+|\s+(?!\S)|\s+` when newlines, else `\s+(?!\S)|\s+`.
func whitespaceEnd(text []byte, p int, newlines bool) int {
	e, last, lastNL := p, p, -1
	for e < len(text) {
		cls, size := classAt(text, e)
		if cls&cS == 0 {
			break
		}
		if cls&cNL != 0 {
			lastNL = e
		}
		last = e
		e += size
	}
	switch {
	case newlines && lastNL >= 0:
		return lastNL + 1 // \s*[\r\n]+ stops after the last newline
	case e == len(text):
		return e // \s+(?!\S) at the end of the text
	case last > p:
		return last // \s+(?!\S): leave the last whitespace for the next word
	}
	return e // \s+ of one character followed by \S
}

// gpt2Matcher matches PatternGPT2:
// 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
type gpt2Matcher struct{}

func (gpt2Matcher) AppendMatches(dst []tok.Span, text []byte) []tok.Span {
	return appendTiling(dst, text, gpt2Next)
}

func (gpt2Matcher) AppendTiles(dst []tok.Span, text []byte, from, max int) ([]tok.Span, int) {
	return appendTiles(dst, text, from, max, gpt2Next)
}

func gpt2Next(text []byte, p int) int {
	if n := contraction(text, p, false); n > 0 {
		return p + n
	}
	cls, size := classAt(text, p)
	q := p // start of the \p{L}+, \p{N}+ or [^\s\p{L}\p{N}]+ run
	if text[p] == ' ' && p+1 < len(text) {
		cls, size = classAt(text, p+1)
		q = p + 1
	}
	switch {
	case cls&cL != 0:
		return runEnd(text, q+size, cL, true)
	case cls&cN != 0:
		return runEnd(text, q+size, cN, true)
	case cls&notO == 0:
		return runEnd(text, q+size, notO, false)
	}
	return whitespaceEnd(text, p, false)
}

// cl100kMatcher matches PatternCL100K (maxDigits 3) and PatternQwen2
// (maxDigits 1):
// (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
type cl100kMatcher struct {
	maxDigits int
}

func (m cl100kMatcher) AppendMatches(dst []tok.Span, text []byte) []tok.Span {
	if m.maxDigits == 1 {
		return appendTiling(dst, text, qwen2Next)
	}
	return appendTiling(dst, text, cl100kNext)
}

func (m cl100kMatcher) AppendTiles(dst []tok.Span, text []byte, from, max int) ([]tok.Span, int) {
	if m.maxDigits == 1 {
		return appendTiles(dst, text, from, max, qwen2Next)
	}
	return appendTiles(dst, text, from, max, cl100kNext)
}

func cl100kNext(text []byte, p int) int { return cl100kLikeNext(text, p, 3) }
func qwen2Next(text []byte, p int) int  { return cl100kLikeNext(text, p, 1) }

func cl100kLikeNext(text []byte, p, maxDigits int) int {
	if n := contraction(text, p, true); n > 0 {
		return p + n
	}
	cls, size := classAt(text, p)
	if cls&cL != 0 {
		return runEnd(text, p+size, cL, true)
	}
	if cls&notP == 0 && p+size < len(text) {
		if next, nsize := classAt(text, p+size); next&cL != 0 {
			return runEnd(text, p+size+nsize, cL, true)
		}
	}
	if cls&cN != 0 {
		return numberEnd(text, p+size, maxDigits)
	}
	if e := symbolsEnd(text, p, cls, size, false); e > 0 {
		return e
	}
	return whitespaceEnd(text, p, true)
}

// numberEnd is the end of \p{N}{1,max} whose first character ends at e.
func numberEnd(text []byte, e, max int) int {
	for k := 1; k < max && e < len(text); k++ {
		c, s := classAt(text, e)
		if c&cN == 0 {
			break
		}
		e += s
	}
	return e
}

// symbolsEnd is the end of ` ?[^\s\p{L}\p{N}]+[\r\n]*` at p (cls and size
// are those of text[p]), with '/' among the trailers when slash (o200k), or
// 0 when it does not match.
func symbolsEnd(text []byte, p int, cls uint8, size int, slash bool) int {
	if text[p] == ' ' && p+1 < len(text) {
		p++
		cls, size = classAt(text, p)
	}
	if cls&notO != 0 {
		return 0
	}
	e := runEnd(text, p+size, notO, false)
	for e < len(text) && (text[e] == '\r' || text[e] == '\n' || slash && text[e] == '/') {
		e++
	}
	return e
}

// o200kMatcher matches PatternO200K:
// [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?
// |[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?
// |\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+
type o200kMatcher struct{}

func (o200kMatcher) AppendMatches(dst []tok.Span, text []byte) []tok.Span {
	return appendTiling(dst, text, o200kNext)
}

func (o200kMatcher) AppendTiles(dst []tok.Span, text []byte, from, max int) ([]tok.Span, int) {
	return appendTiles(dst, text, from, max, o200kNext)
}

// o200kUpperLower is `U*W+C?` from s (U, W: the classes cU, cW; C: the
// optional contraction); it returns the end of the match or -1.
func o200kUpperLower(text []byte, s int) int {
	// U* greedy, remembering the last character that is also W.
	u, lastW, lastWSize := s, -1, 0
	for u < len(text) {
		cls, size := classAt(text, u)
		if cls&cU == 0 {
			break
		}
		if cls&cW != 0 {
			lastW, lastWSize = u, size
		}
		u += size
	}
	var e int
	if u < len(text) {
		if cls, size := classAt(text, u); cls&cW != 0 {
			e = runEnd(text, u+size, cW, true)
			return e + contraction(text, e, true)
		}
	}
	if lastW < 0 {
		return -1
	}
	// Backtrack U* to just before the last W; W+ takes that one
	// character (the ones after it are not W).
	e = lastW + lastWSize
	return e + contraction(text, e, true)
}

// o200kUpperThenLower is `U+W*C?` from s, or -1.
func o200kUpperThenLower(text []byte, s int) int {
	if s >= len(text) {
		return -1
	}
	if cls, _ := classAt(text, s); cls&cU == 0 {
		return -1
	}
	e := runEnd(text, runEnd(text, s, cU, true), cW, true)
	return e + contraction(text, e, true)
}

func o200kNext(text []byte, p int) int {
	cls, size := classAt(text, p)
	prefix := cls&notP == 0 && p+size < len(text)
	if prefix {
		if e := o200kUpperLower(text, p+size); e >= 0 {
			return e
		}
	}
	if cls&(cU|cW) != 0 {
		if e := o200kUpperLower(text, p); e >= 0 {
			return e
		}
	}
	if prefix {
		if e := o200kUpperThenLower(text, p+size); e >= 0 {
			return e
		}
	}
	if cls&cU != 0 {
		if e := o200kUpperThenLower(text, p); e >= 0 {
			return e
		}
	}
	if cls&cN != 0 {
		return numberEnd(text, p+size, 3)
	}
	if e := symbolsEnd(text, p, cls, size, true); e > 0 {
		return e
	}
	return whitespaceEnd(text, p, true)
}
