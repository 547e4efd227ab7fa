package tokenizerjson

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/toklabs/tok"
	"github.com/toklabs/tok/pretokenize"
)

// smallSpec is a byte-level vocabulary: the 256 bytes, then "ab", "abc",
// " a", then the special token <|end|>.
func smallSpec(pattern string) BPESpec {
	var s BPESpec
	for b := 0; b < 256; b++ {
		s.Tokens = append(s.Tokens, []byte{byte(b)})
	}
	s.Tokens = append(s.Tokens, []byte("ab"), []byte("abc"), []byte(" a"), []byte("<|end|>"))
	s.Merges = [][2]uint32{{'a', 'b'}, {256, 'c'}, {' ', 'a'}}
	s.Special = []tok.SpecialToken{{Content: "<|end|>", ID: 259}}
	s.Pattern = pattern
	return s
}

func TestWriteBPERoundTrip(t *testing.T) {
	for _, pattern := range []string{"", pretokenize.PatternCL100K} {
		var buf bytes.Buffer
		if err := WriteBPE(&buf, smallSpec(pattern)); err != nil {
			t.Fatal(err)
		}
		tk, err := Parse(buf.Bytes(), "small.json")
		if err != nil {
			t.Fatalf("pattern %q: reading back: %v\n%s", pattern, err, buf.String())
		}
		// "abcab ab ac<|end|>\xff": abc, ab, " " ab (a-b merges before
		// space-a), " a" c, <|end|>, 0xff
		text := []byte("abcab ab ac<|end|>\xff")
		got := tok.EncodeString(tk, string(text))
		want := []uint32{257, 256, ' ', 256, 258, 'c', 259, 0xff}
		if formatIDs(got) != formatIDs(want) {
			t.Errorf("pattern %q: encode = %v, want %v", pattern, got, want)
		}
		back, err := tk.AppendDecode(nil, got)
		if err != nil || !bytes.Equal(back, text) {
			t.Errorf("pattern %q: decode = %q, %v", pattern, back, err)
		}
		if id, ok := tk.TokenToID("Ġa"); !ok || id != 258 {
			t.Errorf("TokenToID(Ġa) = %d, %v", id, ok)
		}
		if !Match("x/tokenizer.json", buf.Bytes()) {
			t.Errorf("Match does not recognise the written file")
		}
	}
}

func TestWriteBPEErrors(t *testing.T) {
	tests := []struct {
		name   string
		modify func(*BPESpec)
		want   string
	}{
		{"merge of unknown id", func(s *BPESpec) { s.Merges = append(s.Merges, [2]uint32{1, 999}) }, "unknown id 999"},
		{"merge result missing", func(s *BPESpec) { s.Merges = append(s.Merges, [2]uint32{'x', 'y'}) }, "is not a token"},
		{"duplicate token", func(s *BPESpec) { s.Tokens[257] = []byte("ab") }, "are both"},
		{"special mismatch", func(s *BPESpec) { s.Special[0].ID = 256 }, "holds"},
		{"bad pattern", func(s *BPESpec) { s.Pattern = "(" }, "pattern"},
	}
	for _, tt := range tests {
		s := smallSpec("")
		tt.modify(&s)
		err := WriteBPE(&bytes.Buffer{}, s)
		if err == nil || !errors.Is(err, ErrSpec) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want ErrSpec containing %q", tt.name, err, tt.want)
		}
	}
}
