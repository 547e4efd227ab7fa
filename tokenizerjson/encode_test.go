package tokenizerjson

import (
	"bytes"
	"testing"

	"github.com/toklabs/tok"
	"github.com/toklabs/tok/internal/sharedtest"
)

// TestEncodeOffsets checks, on every golden line, that Encode gives
// AppendEncode's ids and that the offsets tile the input (byte-level files:
// each token's offset holds exactly the token's bytes).
func TestEncodeOffsets(t *testing.T) {
	for _, name := range []string{"hf-gpt2-derived", "hf-llama3", "hf-qwen3", "hf-mistral7b-from-lenml-llama2", "hf-claude"} {
		t.Run(name, func(t *testing.T) {
			tk, err := Open(sharedtest.Path(t, "vocab/"+name+".tokenizer.json"))
			if err != nil {
				t.Fatal(err)
			}
			bm, byteLevel := tk.model.(*bpeModel)
			byteLevel = byteLevel && bm.ByteLevel() && tk.normalizer == nil
			bad := 0
			for _, text := range []string{"edge", "en"} {
				for i, line := range readLines(t, sharedtest.Path(t, "golden/texts/"+text+".txt")) {
					enc := tk.Encode(line, EncodeOptions{})
					ids := tk.AppendEncode(nil, line)
					if formatIDs(enc.IDs) != formatIDs(ids) {
						t.Fatalf("%s line %d: Encode ids %v, AppendEncode %v", text, i+1, enc.IDs, ids)
					}
					prev := 0
					for k, off := range enc.Offsets {
						if off.Start < prev || off.End < off.Start || off.End > len(line) {
							if bad++; bad < 5 {
								t.Errorf("%s line %d token %d: offset %v after %d (len %d)", text, i+1, k, off, prev, len(line))
							}
							break
						}
						prev = off.Start
						if byteLevel {
							want, _ := tk.AppendDecode(nil, enc.IDs[k:k+1])
							if !bytes.Equal(line[off.Start:off.End], want) {
								if bad++; bad < 5 {
									t.Errorf("%s line %d token %d: offset %v holds %q, token is %q", text, i+1, k, off, line[off.Start:off.End], want)
								}
							}
						}
					}
				}
			}
		})
	}
}

func TestEncodeSpecialTokens(t *testing.T) {
	tk, err := Open(sharedtest.Path(t, "vocab/hf-mistral7b-from-lenml-llama2.tokenizer.json"))
	if err != nil {
		t.Fatal(err)
	}
	plain := tk.Encode([]byte("Hello"), EncodeOptions{})
	with := tk.Encode([]byte("Hello"), EncodeOptions{AddSpecialTokens: true})
	if len(with.IDs) != len(plain.IDs)+1 || with.IDs[0] != 1 || with.SpecialTokensMask[0] != 1 {
		t.Fatalf("with special tokens: %v (mask %v), without: %v", with.IDs, with.SpecialTokensMask, plain.IDs)
	}
	if with.Offsets[1] != (tok.Span{Start: 0, End: 5}) {
		t.Errorf("offset of ▁Hello = %v, want {0 5}", with.Offsets[1])
	}
	pair := tk.EncodePair([]byte("a"), []byte("b"), EncodeOptions{AddSpecialTokens: true})
	// single: <s> A; pair: <s> A <s>:1 B:1
	if len(pair.IDs) != 4 || pair.IDs[0] != 1 || pair.IDs[2] != 1 || pair.TypeIDs[3] != 1 || pair.TypeIDs[1] != 0 {
		t.Errorf("pair = %v types %v", pair.IDs, pair.TypeIDs)
	}
}
