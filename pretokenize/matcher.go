package pretokenize

import (
	"errors"
	"fmt"

	"github.com/toklabs/tok"
)

// Matcher finds pre-tokens: the successive leftmost, non-overlapping matches
// of a pattern in a text. Matchers are safe for concurrent use by multiple
// goroutines.
type Matcher interface {
	// AppendMatches appends to dst the byte spans of the successive
	// leftmost, non-overlapping matches of the pattern in text (the order
	// and the choice a backtracking engine makes, as in regexp2's
	// FindNextMatch loop) and returns the extended slice. An empty match is
	// reported as an empty span; the search then resumes one character
	// later. See the package documentation for invalid UTF-8.
	AppendMatches(dst []tok.Span, text []byte) []tok.Span
}

// Errors returned by Compile.
var (
	// ErrPattern wraps every error from compiling a pattern.
	ErrPattern = errors.New("pretokenize: bad pattern")
)

// Compile returns a Matcher for pattern. When pattern is, byte for byte, one
// of the built-in patterns (see Named and Patterns), the Matcher is a
// hand-written linear-time matcher that gives the same spans as the regexp
// engine; otherwise it is [CompileRegexp]'s backtracking matcher.
func Compile(pattern string) (Matcher, error) {
	if m := fastMatcher(pattern); m != nil {
		return m, nil
	}
	return CompileRegexp(pattern)
}

// MustCompile is like Compile but panics on error. It is meant for
// package-level variables.
func MustCompile(pattern string) Matcher {
	m, err := Compile(pattern)
	if err != nil {
		panic(err)
	}
	return m
}

// CompileNamed returns the Matcher of a built-in pattern by name (see Named).
func CompileNamed(name string) (Matcher, error) {
	p, ok := Named(name)
	if !ok {
		return nil, fmt.Errorf("%w: unknown pattern name %q", ErrPattern, name)
	}
	return Compile(p)
}

// AppendStrings appends to dst the text of each span. It is a convenience
// for tests and examples.
func AppendStrings(dst []string, text []byte, spans []tok.Span) []string {
	for _, s := range spans {
		dst = append(dst, string(text[s.Start:s.End]))
	}
	return dst
}
