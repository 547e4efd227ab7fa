package tokenizerjson

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/toklabs/tok"
	"github.com/toklabs/tok/internal/sharedtest"
	"github.com/toklabs/tok/normalize"
	"github.com/toklabs/tok/pretokenize"
)

var writeHFDir = flag.String("write-hf", "", "also write the tokenizer.json files of TestWriteBPEParity to this directory (for testdata/check-hf-load.sh)")

// specFromTokenizer rebuilds the BPESpec of a byte-level BPE tokenizer.json.
func specFromTokenizer(t *testing.T, tk *Tokenizer, pattern string) BPESpec {
	t.Helper()
	bm, ok := tk.model.(*bpeModel)
	if !ok {
		t.Fatalf("%s is not BPE", tk.Name())
	}
	spec := BPESpec{Tokens: make([][]byte, bm.VocabSize()), Pattern: pattern}
	for name, id := range bm.spec.Vocab {
		b, ok := normalize.DecodeByteLevel(nil, name)
		if !ok {
			t.Fatalf("token %q is not byte-level", name)
		}
		spec.Tokens[id] = b
	}
	for _, m := range bm.spec.Merges.pairs {
		spec.Merges = append(spec.Merges, [2]uint32{bm.spec.Vocab[m[0]], bm.spec.Vocab[m[1]]})
	}
	for _, a := range tk.AddedTokens() {
		if int(a.ID) < len(spec.Tokens) {
			spec.Tokens[a.ID] = []byte(a.Content)
		}
		spec.Special = append(spec.Special, tok.SpecialToken{Content: a.Content, ID: a.ID})
	}
	return spec
}

// TestWriteBPEParity rebuilds two real vocabularies from their parts,
// writes them with WriteBPE, reads them back and checks the golden ids:
// the writer loses nothing the encoder needs. testdata/check-hf-load.sh
// loads the same files in HF tokenizers.
func TestWriteBPEParity(t *testing.T) {
	for _, c := range []struct{ name, pattern string }{
		{"hf-gpt2-derived", ""},
		{"hf-gpt35turbo", pretokenize.PatternCL100K},
	} {
		t.Run(c.name, func(t *testing.T) {
			src, err := Open(sharedtest.Path(t, "vocab/"+c.name+".tokenizer.json"))
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := WriteBPE(&buf, specFromTokenizer(t, src, c.pattern)); err != nil {
				t.Fatal(err)
			}
			if *writeHFDir != "" {
				if err := os.WriteFile(filepath.Join(*writeHFDir, c.name+".written.json"), buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			tk, err := Parse(buf.Bytes(), c.name+".written.json")
			if err != nil {
				t.Fatal(err)
			}
			for _, text := range []string{"edge", "en"} {
				lines := readLines(t, sharedtest.Path(t, "golden/texts/"+text+".txt"))
				golden := readGolden(t, sharedtest.Path(t, fmt.Sprintf("golden/%s.tokenizer.json/%s.jsonl", c.name, text)))
				bad := 0
				for i, line := range lines {
					if got := formatIDs(tk.AppendEncode(nil, line)); got != golden[i] {
						if bad++; bad <= 3 {
							t.Errorf("%s line %d: got %s want %s", text, i+1, got, golden[i])
						}
					}
				}
				if bad > 0 {
					t.Errorf("%s: %d of %d lines differ", text, bad, len(lines))
				}
			}
		})
	}
}
