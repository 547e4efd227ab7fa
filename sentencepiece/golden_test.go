package sentencepiece

import (
	"bufio"
	"bytes"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/toklabs/tok/internal/sharedtest"
)

// goldenModels are the .model files in ../shared/vocab with golden ids
// made by SentencePiece (../shared/golden).
var goldenModels = []string{"llama2-tokenizer.model", "albert-30k-clean.model"}

var goldenTexts = []string{"en", "code", "multi", "edge"}

// readLines splits a file on \n only, as the golden contract says.
func readLines(tb testing.TB, path string) [][]byte {
	tb.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	data = bytes.TrimSuffix(data, []byte("\n"))
	return bytes.Split(data, []byte("\n"))
}

func idsJSON(ids []uint32) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatUint(uint64(id), 10))
	}
	b.WriteByte(']')
	return b.String()
}

func TestGoldenParity(t *testing.T) {
	for _, name := range goldenModels {
		t.Run(name, func(t *testing.T) {
			m, err := Load(sharedtest.Path(t, "vocab/"+name))
			if err != nil {
				t.Fatal(err)
			}
			for _, text := range goldenTexts {
				lines := readLines(t, sharedtest.Path(t, "golden/texts/"+text+".txt"))
				want := readLines(t, sharedtest.Path(t, "golden/"+name+"/"+text+".jsonl"))
				if len(lines) != len(want) {
					t.Fatalf("%s: %d lines, golden has %d", text, len(lines), len(want))
				}
				same, shown := 0, 0
				for i, line := range lines {
					got := idsJSON(m.AppendEncode(nil, line))
					w := string(bytes.ReplaceAll(want[i], []byte(" "), nil))
					if got == w {
						same++
						continue
					}
					if shown < 3 {
						shown++
						t.Errorf("%s line %d: %q\n got %s\nwant %s", text, i+1, truncate(string(line), 200), truncate(got, 300), truncate(w, 300))
					}
				}
				t.Logf("%s %s: %d/%d lines identical", name, text, same, len(lines))
			}
		})
	}
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

var _ = bufio.NewReader
