package wordpiece

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/toklabs/tok/internal/sharedtest"
)

// readLines splits a file on "\n" only, as the golden contract says.
func readLines(t testing.TB, path string) [][]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b = bytes.TrimSuffix(b, []byte("\n"))
	if len(b) == 0 {
		return nil
	}
	return bytes.Split(b, []byte("\n"))
}

// readIDs reads a JSONL file of id arrays; a .zst-less plain file.
func readIDs(t testing.TB, path string) [][]uint32 {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return decodeIDLines(t, f)
}

func decodeIDLines(t testing.TB, r interface{ Read([]byte) (int, error) }) [][]uint32 {
	t.Helper()
	var out [][]uint32
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 1<<26)
	for sc.Scan() {
		var ids []uint32
		if err := json.Unmarshal(sc.Bytes(), &ids); err != nil {
			t.Fatalf("line %d: %v", len(out)+1, err)
		}
		out = append(out, ids)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// compareLines encodes every line and counts identical ones; it reports
// the first few differences.
func compareLines(t *testing.T, name string, enc func([]byte) []uint32, lines [][]byte, want [][]uint32) {
	t.Helper()
	if len(lines) != len(want) {
		t.Fatalf("%s: %d lines of text, %d of ids", name, len(lines), len(want))
	}
	same, shown := 0, 0
	for i, l := range lines {
		got := enc(l)
		if equalIDs(got, want[i]) {
			same++
			continue
		}
		if shown < 3 {
			shown++
			t.Errorf("%s line %d: %.80q\n got %v\nwant %v", name, i+1, l, head(got), head(want[i]))
		}
	}
	t.Logf("%s: %d of %d lines identical", name, same, len(lines))
}

func head(ids []uint32) []uint32 {
	if len(ids) > 30 {
		return ids[:30]
	}
	return ids
}

func equalIDs(a, b []uint32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

var goldenTexts = []string{"en", "code", "multi", "edge"}

func TestBERT_goldenUncased(t *testing.T) {
	vocabPath := sharedtest.Path(t, "vocab/bert-base-uncased-vocab.txt")
	v, err := ReadVocabFile(vocabPath)
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewBERT(v, DefaultBERTConfig())
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range goldenTexts {
		lines := readLines(t, sharedtest.Path(t, "golden/texts/"+name+".txt"))
		want := readIDs(t, sharedtest.Path(t, "golden/hf-bert-base-uncased-derived.tokenizer.json/"+name+".jsonl"))
		compareLines(t, "uncased/"+name, func(l []byte) []uint32 { return b.AppendEncode(nil, l) }, lines, want)
		if strings.HasPrefix(name, "e") {
			// The offsets path must give the same ids.
			compareLines(t, "uncased-offsets/"+name, func(l []byte) []uint32 {
				ids, _ := b.AppendEncodeOffsets(nil, nil, l)
				return ids
			}, lines, want)
		}
	}
}
