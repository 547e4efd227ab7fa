package tokenizerjson

import (
	"bytes"

	"github.com/toklabs/tok"
	"github.com/toklabs/tok/normalize"
)

// Hand-written matchers for the regular expressions SentencePiece-style
// files use in Replace normalizers (this package's converters write both;
// HF's converters write collapseSpacesRegex), so that they do not go
// through the regex engine (decoding to runes, backtracking) on every
// call. Each gives exactly the matches of pretokenize.Compile(pattern);
// FuzzNativePatterns checks that.
var nativePatterns = map[string]normalize.Matcher{
	collapseSpacesRegex: spaceRuns{},
	trimSpacesRegex:     trimSpaces{},
}

// spaceRuns matches ` {2,}`: every run of two or more U+0020.
type spaceRuns struct{}

// AppendMatches implements normalize.Matcher. A run starts at the first
// two spaces found after the previous run (a space before them would
// have been found first).
func (spaceRuns) AppendMatches(dst []tok.Span, text []byte) []tok.Span {
	for off := 0; ; {
		i := bytes.Index(text[off:], twoSpaces)
		if i < 0 {
			return dst
		}
		i += off
		j := i + 2
		for j < len(text) && text[j] == ' ' {
			j++
		}
		dst = append(dst, tok.Span{Start: i, End: j})
		off = j
	}
}

var twoSpaces = []byte("  ")

// trimSpaces matches `\A +|[ ▁]+\z`: the spaces that start the text,
// then the run of spaces and U+2581 that ends it (starting after the
// first match).
type trimSpaces struct{}

// AppendMatches implements normalize.Matcher.
func (trimSpaces) AppendMatches(dst []tok.Span, text []byte) []tok.Span {
	lead := 0
	for lead < len(text) && text[lead] == ' ' {
		lead++
	}
	if lead > 0 {
		dst = append(dst, tok.Span{Start: 0, End: lead})
	}
	end := len(text)
	for end > lead {
		switch {
		case text[end-1] == ' ':
			end--
			continue
		case end-3 >= lead && text[end-3] == 0xE2 && text[end-2] == 0x96 && text[end-1] == 0x81:
			end -= 3
			continue
		}
		break
	}
	if end < len(text) {
		dst = append(dst, tok.Span{Start: end, End: len(text)})
	}
	return dst
}
