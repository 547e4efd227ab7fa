package normalize

import (
	"bytes"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/toklabs/tok"
)

// Lowercase maps every character to its full lowercase mapping (Rust
// char::to_lowercase, which HF uses): U+0130 becomes "i̇" (two characters);
// every other character maps through its simple lowercase mapping.
type Lowercase struct{}

// Normalize implements [Normalizer].
func (Lowercase) Normalize(dst, src []byte) []byte {
	// Fast path: ASCII without upper case is unchanged.
	if i := firstNonLowerASCII(src); i == len(src) {
		return append(dst, src...)
	} else {
		dst = append(dst, src[:i]...)
		return mapRunes(dst, src[i:], appendLower)
	}
}

// NormalizeAligned implements [Normalizer].
func (Lowercase) NormalizeAligned(dst []byte, align []tok.Span, src []byte) ([]byte, []tok.Span) {
	return mapRunesAligned(dst, align, src, appendLower)
}

func firstNonLowerASCII(s []byte) int {
	for i, c := range s {
		if c >= utf8.RuneSelf || ('A' <= c && c <= 'Z') {
			return i
		}
	}
	return len(s)
}

func appendLower(out []byte, r rune) []byte {
	if r < utf8.RuneSelf {
		if 'A' <= r && r <= 'Z' {
			r += 'a' - 'A'
		}
		return append(out, byte(r))
	}
	if r == 0x130 { // LATIN CAPITAL LETTER I WITH DOT ABOVE: SpecialCasing.txt
		return append(out, 'i', 0xCC, 0x87)
	}
	return utf8.AppendRune(out, unicode.ToLower(r))
}

// Strip removes whitespace (Unicode White_Space) from the left, the right
// or both ends of the text.
type Strip struct {
	Left, Right bool
}

func (s Strip) bounds(src []byte) (int, int) {
	start, end := 0, len(src)
	if s.Left {
		for start < end {
			r, n := utf8.DecodeRune(src[start:end])
			if !unicode.IsSpace(r) {
				break
			}
			start += n
		}
	}
	if s.Right {
		for end > start {
			r, n := utf8.DecodeLastRune(src[start:end])
			if !unicode.IsSpace(r) {
				break
			}
			end -= n
		}
	}
	return start, end
}

// Normalize implements [Normalizer].
func (s Strip) Normalize(dst, src []byte) []byte {
	start, end := s.bounds(src)
	return append(dst, src[start:end]...)
}

// NormalizeAligned implements [Normalizer].
func (s Strip) NormalizeAligned(dst []byte, align []tok.Span, src []byte) ([]byte, []tok.Span) {
	start, end := s.bounds(src)
	n := len(align)
	dst, align = identityAligned(dst, align, src[start:end])
	for i := n; i < len(align); i++ {
		align[i].Start += start
		align[i].End += start
	}
	return dst, align
}

// StripAccents removes combining marks (general category M: Mn, Mc, Me).
// It does not decompose first; put [NFD] or [NFKD] before it.
type StripAccents struct{}

func appendUnlessMark(out []byte, r rune) []byte {
	if r >= 0x300 && unicode.Is(unicode.M, r) {
		return out
	}
	return utf8.AppendRune(out, r)
}

// Normalize implements [Normalizer].
func (StripAccents) Normalize(dst, src []byte) []byte { return mapRunes(dst, src, appendUnlessMark) }

// NormalizeAligned implements [Normalizer].
func (StripAccents) NormalizeAligned(dst []byte, align []tok.Span, src []byte) ([]byte, []tok.Span) {
	return mapRunesAligned(dst, align, src, appendUnlessMark)
}

// Prepend puts a string before the text, unless the text is empty. The
// prefix is aligned with the first character of the text.
type Prepend struct {
	Prefix string
}

// Normalize implements [Normalizer].
func (p Prepend) Normalize(dst, src []byte) []byte {
	if len(src) == 0 {
		return dst
	}
	dst = append(dst, p.Prefix...)
	return append(dst, src...)
}

// NormalizeAligned implements [Normalizer].
func (p Prepend) NormalizeAligned(dst []byte, align []tok.Span, src []byte) ([]byte, []tok.Span) {
	if len(src) == 0 {
		return dst, align
	}
	_, n := utf8.DecodeRune(src)
	first := tok.Span{Start: 0, End: n}
	for range len(p.Prefix) {
		align = append(align, first)
	}
	dst = append(dst, p.Prefix...)
	return identityAligned(dst, align, src)
}

// Append puts a string after the text, unless the text is empty. The
// suffix is aligned with the last character of the text.
type Append struct {
	Suffix string
}

// Normalize implements [Normalizer].
func (a Append) Normalize(dst, src []byte) []byte {
	if len(src) == 0 {
		return dst
	}
	dst = append(dst, src...)
	return append(dst, a.Suffix...)
}

// NormalizeAligned implements [Normalizer].
func (a Append) NormalizeAligned(dst []byte, align []tok.Span, src []byte) ([]byte, []tok.Span) {
	if len(src) == 0 {
		return dst, align
	}
	dst, align = identityAligned(dst, align, src)
	_, n := utf8.DecodeLastRune(src)
	last := tok.Span{Start: len(src) - n, End: len(src)}
	for range len(a.Suffix) {
		align = append(align, last)
	}
	return append(dst, a.Suffix...), align
}

// Matcher finds the non-overlapping matches of a pattern, leftmost first,
// appending their byte ranges to dst. pretokenize.Compile returns one for
// regular expressions; [Literal] is the one for plain strings.
type Matcher interface {
	AppendMatches(dst []tok.Span, text []byte) []tok.Span
}

// Literal is a [Matcher] of a plain string.
type Literal string

// AppendMatches implements [Matcher].
func (l Literal) AppendMatches(dst []tok.Span, text []byte) []tok.Span {
	if len(l) == 0 {
		return dst
	}
	pat := []byte(l)
	for off := 0; off <= len(text)-len(pat); {
		i := bytes.Index(text[off:], pat)
		if i < 0 {
			break
		}
		dst = append(dst, tok.Span{Start: off + i, End: off + i + len(pat)})
		off += i + len(pat)
	}
	return dst
}

// Replace replaces every match of Pattern with Content. Each byte of a
// replacement is aligned with the whole match. Empty matches are ignored.
type Replace struct {
	Pattern Matcher
	Content string
}

// NewReplaceString returns a Replace of a plain string.
func NewReplaceString(pattern, content string) Replace {
	return Replace{Pattern: Literal(pattern), Content: content}
}

// Normalize implements [Normalizer].
func (r Replace) Normalize(dst, src []byte) []byte {
	if l, ok := r.Pattern.(Literal); ok {
		return r.replaceLiteral(dst, src, string(l))
	}
	sp := spanPool.Get().(*[]tok.Span)
	matches := r.Pattern.AppendMatches((*sp)[:0], src)
	prev := 0
	for _, m := range matches {
		if m.Start >= m.End || m.Start < prev {
			continue
		}
		dst = append(dst, src[prev:m.Start]...)
		dst = append(dst, r.Content...)
		prev = m.End
	}
	if cap(matches) <= maxPooledSpans {
		*sp = matches
		spanPool.Put(sp)
	}
	return append(dst, src[prev:]...)
}

// spanPool holds Replace's match lists between calls (the Matcher is an
// interface, so a list on the stack would escape).
var spanPool = sync.Pool{New: func() any { return new([]tok.Span) }}

const maxPooledSpans = 1 << 14

// replaceLiteral is Normalize for a plain string: the matches of
// [Literal] (leftmost, not overlapping) found and replaced in one pass.
func (r Replace) replaceLiteral(dst, src []byte, pat string) []byte {
	switch {
	case len(pat) == 0:
		return append(dst, src...)
	case len(pat) == 1 && len(r.Content) == 1:
		// One byte for another.
		from, to := pat[0], r.Content[0]
		start := len(dst)
		dst = append(dst, src...)
		for i := start; i < len(dst); i++ {
			if dst[i] == from {
				dst[i] = to
			}
		}
		return dst
	case len(pat) == 1:
		// One byte for a string (the Metaspace-style " " → "▁").
		for {
			i := bytes.IndexByte(src, pat[0])
			if i < 0 {
				return append(dst, src...)
			}
			dst = append(append(dst, src[:i]...), r.Content...)
			src = src[i+1:]
		}
	}
	for {
		i := bytes.Index(src, []byte(pat))
		if i < 0 {
			return append(dst, src...)
		}
		dst = append(append(dst, src[:i]...), r.Content...)
		src = src[i+len(pat):]
	}
}

// NormalizeAligned implements [Normalizer].
func (r Replace) NormalizeAligned(dst []byte, align []tok.Span, src []byte) ([]byte, []tok.Span) {
	sp := spanPool.Get().(*[]tok.Span)
	matches := r.Pattern.AppendMatches((*sp)[:0], src)
	defer func() {
		if cap(matches) <= maxPooledSpans {
			*sp = matches
			spanPool.Put(sp)
		}
	}()
	prev := 0
	copyPart := func(end int) {
		n := len(align)
		dst, align = identityAligned(dst, align, src[prev:end])
		for i := n; i < len(align); i++ {
			align[i].Start += prev
			align[i].End += prev
		}
	}
	for _, m := range matches {
		if m.Start >= m.End || m.Start < prev {
			continue
		}
		copyPart(m.Start)
		dst = append(dst, r.Content...)
		for range len(r.Content) {
			align = append(align, m)
		}
		prev = m.End
	}
	copyPart(len(src))
	return dst, align
}

// Nmt is the NMT normalizer of SentencePiece as HF implements it: it drops
// the ASCII control characters U+0001–U+0008, U+000B, U+000E–U+001F,
// U+007F, U+008F, U+009F and turns tab, LF, FF, CR, U+1680,
// U+200B–U+200F, U+2028, U+2029, U+2581, U+FEFF and U+FFFD into spaces.
type Nmt struct{}

func appendNmt(out []byte, r rune) []byte {
	switch {
	case r >= 1 && r <= 8, r == 0xB, r >= 0xE && r <= 0x1F, r == 0x7F, r == 0x8F, r == 0x9F:
		return out
	case r == '\t', r == '\n', r == 0xC, r == '\r', r == 0x1680,
		r >= 0x200B && r <= 0x200F, r == 0x2028, r == 0x2029,
		r == 0x2581, r == 0xFEFF, r == 0xFFFD:
		return append(out, ' ')
	}
	return utf8.AppendRune(out, r)
}

// Normalize implements [Normalizer].
func (Nmt) Normalize(dst, src []byte) []byte { return mapRunes(dst, src, appendNmt) }

// NormalizeAligned implements [Normalizer].
func (Nmt) NormalizeAligned(dst []byte, align []tok.Span, src []byte) ([]byte, []tok.Span) {
	return mapRunesAligned(dst, align, src, appendNmt)
}
