package wordpiece

import (
	"bufio"
	"encoding/json"
	"testing"

	"github.com/toklabs/tok/internal/sharedtest"
)

// TestBERT_AppendDecodeHF compares decode(encode(line)) with HF's WordPiece
// decoder (cleanup on, special tokens kept) on every line of en and edge.
func TestBERT_AppendDecodeHF(t *testing.T) {
	for _, cased := range []bool{false, true} {
		b := bertFor(t, cased)
		name := map[bool]string{false: "uncased", true: "cased"}[cased]
		for _, text := range []string{"en", "edge"} {
			lines := readLines(t, sharedtest.Path(t, "golden/texts/"+text+".txt"))
			sc := bufio.NewScanner(openGz(t, "testdata/ref/offsets/"+name+"-"+text+"-decode.jsonl.gz"))
			sc.Buffer(nil, 1<<24)
			i, same := 0, 0
			for ; sc.Scan(); i++ {
				var want string
				if err := json.Unmarshal(sc.Bytes(), &want); err != nil {
					t.Fatal(err)
				}
				got, err := b.AppendDecode(nil, b.AppendEncode(nil, lines[i]))
				if err != nil {
					t.Fatal(err)
				}
				if string(got) == want {
					same++
				} else if i-same < 3 {
					t.Errorf("%s/%s line %d: got %q, want %q", name, text, i+1, got, want)
				}
			}
			if i != len(lines) {
				t.Fatalf("%s/%s: %d reference lines, %d text lines", name, text, i, len(lines))
			}
			t.Logf("%s/%s: decode identical on %d of %d lines", name, text, same, i)
		}
	}
}

func TestBERT_AppendDecode_unknownID(t *testing.T) {
	b := fuzzBERT(t, false)
	if _, err := b.AppendDecode(nil, []uint32{1, 1 << 30}); err == nil {
		t.Error("no error for an id outside the vocabulary")
	}
}
