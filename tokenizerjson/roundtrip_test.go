package tokenizerjson

import (
	"bytes"
	"testing"

	"github.com/toklabs/tok/pretokenize"
)

// FuzzRoundTrip checks decode(encode(x)) == x on byte-level vocabularies
// written by WriteBPE (GPT-2 and cl100k pre-tokenizers), for any bytes,
// invalid UTF-8 included, and that Encode agrees with AppendEncode and
// gives offsets that tile the input.
func FuzzRoundTrip(f *testing.F) {
	var tks []*Tokenizer
	for _, pattern := range []string{"", pretokenize.PatternCL100K} {
		var buf bytes.Buffer
		if err := WriteBPE(&buf, smallSpec(pattern)); err != nil {
			f.Fatal(err)
		}
		tk, err := Parse(buf.Bytes(), "small.json")
		if err != nil {
			f.Fatal(err)
		}
		tks = append(tks, tk)
	}
	f.Add([]byte("abcab ab ac<|end|>\xff"))
	f.Add([]byte("  \t\n\r x <|end|<|end|>> 12345 ünïcödé 中文 \xc3"))
	f.Fuzz(func(t *testing.T, text []byte) {
		for _, tk := range tks {
			ids := tk.AppendEncode(nil, text)
			back, err := tk.AppendDecode(nil, ids)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(back, text) {
				t.Fatalf("decode(encode(%q)) = %q (ids %v)", text, back, ids)
			}
			enc := tk.Encode(text, EncodeOptions{})
			if formatIDs(enc.IDs) != formatIDs(ids) {
				t.Fatalf("Encode %v != AppendEncode %v", enc.IDs, ids)
			}
			pos := 0
			for k, off := range enc.Offsets {
				tokBytes, _ := tk.AppendDecode(nil, ids[k:k+1])
				if off.Start != pos || !bytes.Equal(text[off.Start:off.End], tokBytes) {
					t.Fatalf("%q: token %d offset %v (expected start %d) holds %q, token %q", text, k, off, pos, text[off.Start:off.End], tokBytes)
				}
				pos = off.End
			}
			if pos != len(text) {
				t.Fatalf("%q: offsets end at %d", text, pos)
			}
		}
	})
}
