package bpe

import (
	"bytes"
	"os"
	"slices"
	"testing"

	"github.com/toklabs/tok/internal/sharedtest"
)

// spansOnly hides AppendTiles, so that a Tokenizer built on it takes all
// the spans of a text at once (the path of non-tiling pre-tokenizers).
type spansOnly struct{ PreTokenizer }

// TestTokenizer_tilesMatchSpans checks that encoding a bounded batch of
// pieces at a time (appendEncodeTiles) gives the ids of encoding from all
// the spans at once, on each golden text whole (thousands of pieces, so
// many batches) and line by line.
func TestTokenizer_tilesMatchSpans(t *testing.T) {
	for _, name := range []string{"cl100k_base", "o200k_base"} {
		tiled, err := OpenTiktoken(sharedtest.Path(t, "vocab/"+name+".tiktoken"))
		if err != nil {
			t.Fatal(err)
		}
		if tiled.tiler == nil {
			t.Fatalf("%s: the built-in pattern's matcher does not tile", name)
		}
		whole, err := NewTokenizer(tiled.model, TokenizerConfig{PreTokenizer: spansOnly{tiled.pre}})
		if err != nil {
			t.Fatal(err)
		}
		if whole.tiler != nil {
			t.Fatal("spansOnly still tiles")
		}
		for _, text := range []string{"code", "edge", "en", "multi"} {
			b, err := os.ReadFile(sharedtest.Path(t, "golden/texts/"+text+".txt"))
			if err != nil {
				t.Fatal(err)
			}
			pieces := len(tiled.pre.AppendMatches(nil, b))
			if pieces <= 2*tileBatch {
				t.Fatalf("%s: only %d pieces, fewer than two batches", text, pieces)
			}
			for i, line := range append([][]byte{b}, bytes.Split(b, []byte("\n"))...) {
				got := tiled.AppendEncodeOrdinary(nil, line)
				want := whole.AppendEncodeOrdinary(nil, line)
				if !slices.Equal(got, want) {
					t.Errorf("%s/%s part %d: %d ids in batches, %d from all spans (or they differ)", name, text, i, len(got), len(want))
				}
			}
		}
	}
}
