package bpe

import (
	"bufio"
	"bytes"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/toklabs/tok"
	"github.com/toklabs/tok/internal/sharedtest"
)

// readGolden reads a golden JSONL file: one array of ids per line.
func readGolden(t *testing.T, path string) [][]uint32 {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out [][]uint32
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<26)
	for sc.Scan() {
		l := strings.TrimSpace(sc.Text())
		l = strings.TrimSuffix(strings.TrimPrefix(l, "["), "]")
		ids := []uint32{}
		if l != "" {
			for _, f := range strings.Split(l, ",") {
				v, err := strconv.ParseUint(strings.TrimSpace(f), 10, 32)
				if err != nil {
					t.Fatalf("%s: %v", path, err)
				}
				ids = append(ids, uint32(v))
			}
		}
		out = append(out, ids)
	}
	return out
}

// textLines splits a golden text as the peers do: on "\n" only, a final
// "\n" not starting another line.
func textLines(t *testing.T, path string) [][]byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	data = bytes.TrimSuffix(data, []byte("\n"))
	return bytes.Split(data, []byte("\n"))
}

// checkParity encodes every line of the four golden texts and compares with
// the golden ids; it reports N/N lines identical per text.
func checkParity(t *testing.T, tk tok.Tokenizer, goldenDir string, texts []string) {
	for _, text := range texts {
		t.Run(text, func(t *testing.T) {
			lines := textLines(t, sharedtest.Path(t, "golden/texts/"+text+".txt"))
			want := readGolden(t, sharedtest.Path(t, "golden/"+goldenDir+"/"+text+".jsonl"))
			if len(lines) != len(want) {
				t.Fatalf("%d lines of text, %d golden lines", len(lines), len(want))
			}
			same, shown := 0, 0
			var buf []uint32
			for i, l := range lines {
				buf = tk.AppendEncode(buf[:0], l)
				if slices.Equal(buf, want[i]) {
					same++
				} else if shown < 3 {
					shown++
					t.Errorf("line %d: got %v, want %v", i+1, head(buf), head(want[i]))
				}
				// Decoding gives the line back exactly.
				back, err := tk.AppendDecode(nil, buf)
				if err != nil || !bytes.Equal(back, l) {
					t.Errorf("line %d: decode(encode(line)) differs (err %v)", i+1, err)
				}
			}
			t.Logf("%s/%s: %d/%d lines identical", goldenDir, text, same, len(lines))
			if same != len(lines) {
				t.Errorf("%s/%s: only %d/%d lines identical", goldenDir, text, same, len(lines))
			}
		})
	}
}

func head(ids []uint32) []uint32 {
	if len(ids) > 20 {
		return ids[:20]
	}
	return ids
}

var goldenTexts = []string{"en", "code", "multi", "edge"}

func TestParityTiktoken(t *testing.T) {
	for _, name := range []string{"r50k_base", "p50k_base", "cl100k_base", "o200k_base"} {
		t.Run(name, func(t *testing.T) {
			tk, err := OpenTiktoken(sharedtest.Path(t, "vocab/"+name+".tiktoken"))
			if err != nil {
				t.Fatal(err)
			}
			checkParity(t, tk, name+".tiktoken", goldenTexts)
		})
	}
}

// GPT-2's vocab.json + merges.txt with HuggingFace semantics must give the
// ids of hf-gpt2-derived.tokenizer.json (made by HF from these two files),
// <|endoftext|> matched as a special token included; on en, code and multi
// that is also r50k_base.
func TestParityGPT2Files(t *testing.T) {
	tk, err := tok.Open(sharedtest.Path(t, "vocab/gpt2-vocab.json"))
	if err != nil {
		t.Fatal(err)
	}
	checkParity(t, tk, "hf-gpt2-derived.tokenizer.json", goldenTexts)
	checkParity(t, tk, "r50k_base.tiktoken", []string{"en", "code", "multi"})
}
