package bpe

// Temporary pre-tokenizer adapter over dlclark/regexp2, used until package
// pretokenize (its own helper's) compiles; then NewTokenizer's callers
// switch to pretokenize.Compile and this file goes away.

import (
	"unicode/utf8"

	"github.com/dlclark/regexp2"
	"github.com/toklabs/tok"
)

type regexp2PreTokenizer struct{ re *regexp2.Regexp }

func compileRegexp2(pattern string) (PreTokenizer, error) {
	re, err := regexp2.Compile(pattern, regexp2.None)
	if err != nil {
		return nil, err
	}
	return regexp2PreTokenizer{re}, nil
}

func (p regexp2PreTokenizer) AppendMatches(dst []tok.Span, text []byte) []tok.Span {
	runes := make([]rune, 0, len(text))
	offs := make([]int, 0, len(text)+1)
	for i := 0; i < len(text); {
		r, n := utf8.DecodeRune(text[i:])
		runes = append(runes, r)
		offs = append(offs, i)
		i += n
	}
	offs = append(offs, len(text))
	m, _ := p.re.FindRunesMatch(runes)
	for m != nil {
		dst = append(dst, tok.Span{Start: offs[m.Index], End: offs[m.Index+m.Length]})
		m, _ = p.re.FindNextMatch(m)
	}
	return dst
}
