package pretokenize

// This file holds the general engine: github.com/dlclark/regexp2, a
// backtracking engine with .NET semantics (look-around, atomic groups,
// Unicode classes). It is the reference the hand-written matchers are
// tested against, and the engine for patterns that are not built in.

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/dlclark/regexp2"
	"github.com/toklabs/tok"
)

// regexpMatcher runs a pattern with regexp2 on the runes of a text and maps
// rune indexes back to byte offsets.
type regexpMatcher struct {
	re *regexp2.Regexp
}

// CompileRegexp compiles pattern with the regexp engine, never with a
// hand-written matcher. The syntax is regexp2's (.NET's): \p{L}, \s,
// (?i:...), (?!...), (?>...), and so on. Possessive quantifiers (X*+, X++,
// X?+, X{n,m}+), which regexp2 rejects, are rewritten to atomic groups
// ((?>X*), ...), which match the same. \s is Unicode White_Space, as in
// tiktoken's and HuggingFace's engines. \w and \W (also inside a class)
// are rewritten to Oniguruma's Unicode word class, which HF's tokenizer.json
// regexes use: letters, marks, numbers and Pc (\p{L}\p{M}\p{N}\p{Pc}),
// where regexp2's own \w has letters, Mn, Nd, Pc and ZWNJ/ZWJ. (\b still
// uses regexp2's \w.)
//
// There is no match timeout: the engine backtracks, so a pattern with
// nested quantifiers can take exponential time on some inputs. The built-in
// patterns never do (their regexp form is at worst quadratic, and Compile
// gives them linear hand-written matchers).
func CompileRegexp(pattern string) (Matcher, error) {
	translated, err := translatePattern(pattern)
	if err != nil {
		return nil, err
	}
	re, err := regexp2.Compile(translated, regexp2.None)
	if err != nil {
		return nil, fmt.Errorf("%w %q: %v", ErrPattern, pattern, err)
	}
	return &regexpMatcher{re: re}, nil
}

// AppendMatches implements Matcher.
func (m *regexpMatcher) AppendMatches(dst []tok.Span, text []byte) []tok.Span {
	if len(text) == 0 {
		// regexp2 can still report an empty match at 0.
		match, err := m.re.FindRunesMatch(nil)
		if err == nil && match != nil {
			dst = append(dst, tok.Span{})
		}
		return dst
	}
	runes, offsets := decodeRunes(text)
	match, err := m.re.FindRunesMatch(runes)
	for err == nil && match != nil {
		dst = append(dst, tok.Span{Start: offsets[match.Index], End: offsets[match.Index+match.Length]})
		match, err = m.re.FindNextMatch(match)
	}
	return dst
}

// decodeRunes decodes text into runes and returns, for each rune index i,
// the byte offset where rune i starts (offsets[len(runes)] == len(text)).
// Each byte of an invalid UTF-8 sequence becomes one U+FFFD rune, exactly
// as utf8.DecodeRune reports it, so every byte belongs to one rune.
func decodeRunes(text []byte) (runes []rune, offsets []int) {
	n := utf8.RuneCount(text)
	runes = make([]rune, 0, n)
	offsets = make([]int, 0, n+1)
	for i := 0; i < len(text); {
		r, size := rune(text[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRune(text[i:])
		}
		runes = append(runes, r)
		offsets = append(offsets, i)
		i += size
	}
	offsets = append(offsets, len(text))
	return runes, offsets
}

// translatePattern rewrites possessive quantifiers to atomic groups
// (X*+ → (?>X*), X++ → (?>X+), X?+ → (?>X?), X{n,m}+ → (?>X{n,m})) and \w,
// \W to Oniguruma's word class. Everything else is copied unchanged.
func translatePattern(p string) (string, error) {
	if !strings.Contains(p, "+") && !strings.Contains(p, `\w`) && !strings.Contains(p, `\W`) {
		return p, nil
	}
	var out []byte
	var groups []int // out offsets of open groups
	atom := -1       // out offset where the last quantifiable atom starts
	for i := 0; i < len(p); {
		c := p[i]
		switch {
		case c == '\\':
			start := len(out)
			j := i + 2
			if j > len(p) {
				return "", fmt.Errorf("%w %q: trailing backslash", ErrPattern, p)
			}
			if (p[i+1] == 'p' || p[i+1] == 'P') && j < len(p) && p[j] == '{' {
				k := strings.IndexByte(p[j:], '}')
				if k < 0 {
					return "", fmt.Errorf("%w %q: unterminated \\p{ at offset %d", ErrPattern, p, i)
				}
				j += k + 1
			}
			switch p[i:j] {
			case `\w`:
				out = append(out, "["+onigWordClass()+"]"...)
			case `\W`:
				out = append(out, "[^"+onigWordClass()+"]"...)
			default:
				out = append(out, p[i:j]...)
			}
			atom = start
			i = j
		case c == '[':
			j, err := classEnd(p, i)
			if err != nil {
				return "", err
			}
			atom = len(out)
			out = appendClass(out, p[i:j])
			i = j
		case c == '(':
			groups = append(groups, len(out))
			out = append(out, c)
			atom = -1
			i++
		case c == ')':
			if len(groups) == 0 {
				return "", fmt.Errorf("%w %q: unbalanced ) at offset %d", ErrPattern, p, i)
			}
			atom = groups[len(groups)-1]
			groups = groups[:len(groups)-1]
			out = append(out, c)
			i++
		case c == '|':
			atom = -1
			out = append(out, c)
			i++
		case c == '*' || c == '+' || c == '?' || (c == '{' && isCounted(p[i:])):
			j := i + 1
			if c == '{' {
				j = i + strings.IndexByte(p[i:], '}') + 1
			}
			q := p[i:j]
			if j < len(p) && p[j] == '+' && atom >= 0 {
				// Possessive: wrap atom+quantifier in an atomic group.
				body := append([]byte(nil), out[atom:]...)
				out = append(out[:atom], "(?>"...)
				out = append(out, body...)
				out = append(out, q...)
				out = append(out, ')')
				j++
			} else {
				out = append(out, q...)
				if j < len(p) && p[j] == '?' { // lazy
					out = append(out, '?')
					j++
				}
			}
			atom = -1
			i = j
		default:
			atom = len(out)
			_, size := utf8.DecodeRuneInString(p[i:])
			out = append(out, p[i:i+size]...)
			i += size
		}
	}
	return string(out), nil
}

// classEnd returns the offset just after the character class that starts at
// p[i] == '['. It knows escapes, a leading ']' or '^]', and .NET's nested
// subtraction classes.
func classEnd(p string, i int) (int, error) {
	j := i + 1
	if j < len(p) && p[j] == '^' {
		j++
	}
	if j < len(p) && p[j] == ']' {
		j++
	}
	depth := 1
	for j < len(p) {
		switch p[j] {
		case '\\':
			j += 2
			continue
		case '[':
			if p[j-1] == '-' { // .NET subtraction: [a-z-[aeiou]]
				depth++
			}
		case ']':
			depth--
			if depth == 0 {
				return j + 1, nil
			}
		}
		j++
	}
	return 0, fmt.Errorf("%w %q: unterminated [ at offset %d", ErrPattern, p, i)
}

// isCounted reports whether s starts with a counted quantifier {n}, {n,} or
// {n,m}.
func isCounted(s string) bool {
	i := 1
	digits := func() int {
		k := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		return i - k
	}
	if digits() == 0 {
		return false
	}
	if i < len(s) && s[i] == ',' {
		i++
		digits()
	}
	return i < len(s) && s[i] == '}'
}

// appendClass appends the character class cls, with each \w in it replaced
// by the body of Oniguruma's word class.
func appendClass(out []byte, cls string) []byte {
	for i := 0; i < len(cls); i++ {
		if cls[i] == '\\' && i+1 < len(cls) {
			if cls[i+1] == 'w' {
				out = append(out, onigWordClass()...)
			} else {
				out = append(out, cls[i], cls[i+1])
			}
			i++
			continue
		}
		out = append(out, cls[i])
	}
	return out
}

// onigWordClass returns the body of a character class (without brackets)
// for Oniguruma's Unicode \w as its documentation defines it: Letter, Mark,
// Number, Connector_Punctuation (so ½ and ² are word characters, and ZWJ is
// not). Oniguruma itself strays from this on some numbers and symbols
// (sub- and superscripts, circled and enclosed forms, Latin-1 fractions),
// differently inside brackets and for \W; see TestHFTokenizerPreTokens.
func onigWordClass() string {
	return `\p{L}\p{M}\p{N}\p{Pc}`
}
