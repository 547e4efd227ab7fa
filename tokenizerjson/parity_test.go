package tokenizerjson

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
	"testing"

	"github.com/toklabs/tok/internal/sharedtest"
)

// parityFiles are the BPE tokenizer.json files whose golden ids (made by
// HF tokenizers, see ../shared/golden/README.md) must be reproduced.
var parityFiles = []string{
	"hf-gpt2-derived", "hf-gpt35turbo", "hf-gpt4o", "hf-llama3", "hf-qwen3",
	"hf-mistral7b-from-lenml-llama2", "hf-claude",
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
				same, shown := 0, 0
				var ids []uint32
				for i, line := range lines {
					ids = tk.AppendEncode(ids[:0], line)
					if got := formatIDs(ids); got == golden[i] {
						same++
					} else if shown < 3 {
						shown++
						t.Errorf("%s line %d:\n got  %s\n want %s", text, i+1, got, golden[i])
					}
				}
				t.Logf("%s %s: %d of %d lines identical", name, text, same, len(lines))
				if same != len(lines) {
					t.Errorf("%s %s: %d of %d lines differ", name, text, len(lines)-same, len(lines))
				}
			}
		})
	}
}
