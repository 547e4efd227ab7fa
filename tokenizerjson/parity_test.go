package tokenizerjson

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
	"testing"

	"github.com/toklabs/tok/internal/sharedtest"
	"github.com/toklabs/tok/normalize"
)

// parityFiles are the tokenizer.json files whose golden ids (made by HF
// tokenizers, see ../shared/golden/README.md) must be reproduced: seven BPE
// files and the BERT WordPiece file (its model comes from wordpiece.go).
var parityFiles = []string{
	"hf-gpt2-derived", "hf-gpt35turbo", "hf-gpt4o", "hf-llama3", "hf-qwen3",
	"hf-mistral7b-from-lenml-llama2", "hf-claude", "hf-bert-base-uncased-derived",
}

var parityTexts = []string{"en", "code", "multi", "edge"}

// readLines splits a golden text on "\n" only, as the golden files do.
func readLines(t testing.TB, path string) [][]byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	data = bytes.TrimSuffix(data, []byte("\n"))
	return bytes.Split(data, []byte("\n"))
}

func readGolden(t testing.TB, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		out = append(out, sc.Text())
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func formatIDs(ids []uint32) string {
	b := []byte{'['}
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendUint(b, uint64(id), 10)
	}
	return string(append(b, ']'))
}

// roundTripWant is what decoding the ids of line must give: the line
// itself for the files without a normalizer, its NFC or NFKC form for the
// files that normalize so, and nothing to check (false) for the Metaspace-
// style file on lines holding added tokens, whose decoder then inserts a
// space after them, as HF does, and for BERT (lossy).
func roundTripWant(name string, line []byte) ([]byte, bool) {
	switch name {
	case "hf-qwen3":
		return normalize.NFC.Normalize(nil, line), true
	case "hf-claude":
		return normalize.NFKC.Normalize(nil, line), true
	case "hf-bert-base-uncased-derived":
		return nil, false // lowercases, strips accents, [UNK]: lossy by design
	case "hf-mistral7b-from-lenml-llama2":
		for _, s := range []string{"<s>", "</s>", "<unk>"} {
			if bytes.Contains(line, []byte(s)) {
				return nil, false
			}
		}
	}
	return line, true
}

// TestGoldenParity encodes every line of the golden texts and compares
// with HF's ids, line by line; it also checks that decoding gives the line
// back.
func TestGoldenParity(t *testing.T) {
	for _, name := range parityFiles {
		t.Run(name, func(t *testing.T) {
			tk, err := Open(sharedtest.Path(t, "vocab/"+name+".tokenizer.json"))
			if err != nil {
				t.Fatal(err)
			}
			for _, text := range parityTexts {
				lines := readLines(t, sharedtest.Path(t, "golden/texts/"+text+".txt"))
				golden := readGolden(t, sharedtest.Path(t, fmt.Sprintf("golden/%s.tokenizer.json/%s.jsonl", name, text)))
				if len(lines) != len(golden) {
					t.Fatalf("%s: %d lines, %d golden lines", text, len(lines), len(golden))
				}
				same, shown, roundTrips, checked := 0, 0, 0, 0
				var ids []uint32
				var back []byte
				for i, line := range lines {
					ids = tk.AppendEncode(ids[:0], line)
					if got := formatIDs(ids); got == golden[i] {
						same++
					} else if shown < 3 {
						shown++
						t.Errorf("%s line %d:\n got  %s\n want %s", text, i+1, got, golden[i])
					}
					want, ok := roundTripWant(name, line)
					if !ok {
						continue
					}
					checked++
					back, err = tk.AppendDecode(back[:0], ids)
					if err != nil {
						t.Fatalf("%s line %d: decode: %v", text, i+1, err)
					}
					if bytes.Equal(back, want) {
						roundTrips++
					} else if shown < 3 {
						shown++
						t.Errorf("%s line %d: decode(encode(line)) = %q, want %q", text, i+1, back, want)
					}
				}
				if roundTrips != checked {
					t.Errorf("%s %s: decode(encode(x)) differs on %d of %d lines", name, text, checked-roundTrips, checked)
				}
				t.Logf("%s %s: %d of %d lines identical", name, text, same, len(lines))
				if same != len(lines) {
					t.Errorf("%s %s: %d of %d lines differ", name, text, len(lines)-same, len(lines))
				}
			}
		})
	}
}
