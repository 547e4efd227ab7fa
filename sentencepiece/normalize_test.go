package sentencepiece

import (
	"bytes"
	"os"
	"slices"
	"testing"

	"github.com/toklabs/tok/internal/sharedtest"
)

// On real text (the shared golden texts: English, code, 13 languages,
// edge cases) and the real normalizers (ALBERT's nmt_nfkc with
// user-defined symbols, Llama 2's identity), Normalize with its fast paths
// gives what normalizeNaive gives, bytes and alignments.
func TestNormalize_MatchesNaive(t *testing.T) {
	for _, name := range []string{"albert-30k-clean.model", "llama2-tokenizer.model"} {
		m, err := Load(sharedtest.Path(t, "vocab/"+name))
		if err != nil {
			t.Fatal(err)
		}
		for _, text := range []string{"en", "code", "multi", "edge"} {
			data, err := os.ReadFile(sharedtest.Path(t, "golden/texts/"+text+".txt"))
			if err != nil {
				t.Fatal(err)
			}
			for i, line := range bytes.Split(data, []byte("\n")) {
				for _, wantAlign := range []bool{false, true} {
					got, ga := m.norm.Normalize(nil, nil, line, wantAlign)
					want, wa := m.norm.normalizeNaive(nil, nil, line, wantAlign)
					if !bytes.Equal(got, want) || !slices.Equal(ga, wa) {
						t.Fatalf("%s %s line %d (align %v): got %q, want %q", name, text, i+1, wantAlign, got, want)
					}
				}
			}
		}
	}
}
