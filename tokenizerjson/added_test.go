package tokenizerjson

import (
	"bytes"
	"reflect"
	"testing"

	"github.com/toklabs/tok"
)

// longestAtNaive is the reference for addedSet.longestAt: try every
// pattern at position i and keep the longest (the first on ties).
func longestAtNaive(contents []string, text []byte, i int) (int, int) {
	best, bestLen := -1, 0
	for k, c := range contents {
		if c != "" && len(c) > bestLen && bytes.HasPrefix(text[i:], []byte(c)) {
			best, bestLen = k, len(c)
		}
	}
	return best, bestLen
}

// FuzzAddedMatch checks the trie against the naive scan on every
// position of random texts built from token fragments.
func FuzzAddedMatch(f *testing.F) {
	contents := []string{"<s>", "</s>", "<|end|>", "<|endoftext|>", "[MASK]", "ab", "abc", "b", "\xff", "日本"}
	set := newAddedSet(make([]AddedToken, len(contents)), contents)
	f.Add([]byte("x<|endoftext|><s>abcab</s>[MASK"))
	f.Add([]byte("<|end|<|end|>>日本語\xff"))
	f.Fuzz(func(t *testing.T, text []byte) {
		for i := range text {
			gi, gn := -1, 0
			if set.first[text[i]] {
				gi, gn = set.longestAt(text, i)
			}
			wi, wn := longestAtNaive(contents, text, i)
			if gi != wi || gn != wn {
				t.Fatalf("%q at %d: trie (%d, %d), naive (%d, %d)", text, i, gi, gn, wi, wn)
			}
		}
	})
}

func TestAddedFlags(t *testing.T) {
	toks := []AddedToken{
		{Content: "[M]", LStrip: true, RStrip: true},
		{Content: "w", SingleWord: true},
	}
	set := newAddedSet(toks, []string{"[M]", "w"})
	tests := []struct {
		text string
		want []tok.Span
	}{
		{"a  [M]  b", []tok.Span{{Start: 1, End: 8}}},
		{"w aw w_ w.", []tok.Span{{Start: 0, End: 1}, {Start: 8, End: 9}}},
		{"[M][M]", []tok.Span{{Start: 0, End: 3}, {Start: 3, End: 6}}},
		{"x [M] [M] y", []tok.Span{{Start: 1, End: 6}, {Start: 6, End: 10}}},
	}
	for _, tt := range tests {
		var got []tok.Span
		for _, m := range set.appendMatches(nil, []byte(tt.text)) {
			got = append(got, tok.Span{Start: m.start, End: m.end})
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%q: matches %v, want %v", tt.text, got, tt.want)
		}
	}
}
