package tokenizerjson

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/toklabs/tok/internal/sharedtest"
)

// TestWriteToRoundTrip writes real files back with WriteTo, reads them
// again and checks that the golden edge lines encode the same.
func TestWriteToRoundTrip(t *testing.T) {
	for _, name := range []string{"hf-mistral7b-from-lenml-llama2", "hf-gpt2-derived", "hf-claude"} {
		src, err := Open(sharedtest.Path(t, "vocab/"+name+".tokenizer.json"))
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if _, err := src.WriteTo(&buf); err != nil {
			t.Fatal(err)
		}
		back, err := Parse(buf.Bytes(), name+".rewritten.json")
		if err != nil {
			t.Fatalf("%s: reading back: %v", name, err)
		}
		for i, line := range readLines(t, sharedtest.Path(t, "golden/texts/edge.txt")) {
			a, b := src.AppendEncode(nil, line), back.AppendEncode(nil, line)
			if !reflect.DeepEqual(a, b) {
				t.Fatalf("%s line %d: %v after rewriting, %v before", name, i+1, b, a)
			}
		}
	}
}

// FuzzFastBPE checks the fast model scanner against encoding/json: when it
// accepts an object, it must decode exactly what encoding/json decodes.
func FuzzFastBPE(f *testing.F) {
	f.Add([]byte(`{"type":"BPE","dropout":null,"unk_token":"<unk>","vocab":{"a":0,"b":1,"ab":2,"\u0120x":3},"merges":[["a","b"]]}`))
	f.Add([]byte(`{"type":"BPE","vocab":{"a b":0,"\"":1},"merges":["a b"],"fuse_unk":true,"byte_fallback":false}`))
	f.Add([]byte(`{"vocab":{},"merges":[],"continuing_subword_prefix":"##","end_of_word_suffix":"</w>","ignore_merges":true}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		fast, ok := fastBPE(raw)
		if !ok {
			return
		}
		var slow bpeJSON
		if err := json.Unmarshal(raw, &slow); err != nil {
			// The fast path may accept some malformed input the caller
			// never gives it (the file was validated first); only valid
			// JSON is compared.
			if json.Valid(raw) {
				t.Fatalf("fast accepted %q, encoding/json: %v", raw, err)
			}
			return
		}
		if !reflect.DeepEqual(fast.Vocab, slow.Vocab) && (len(fast.Vocab) != 0 || len(slow.Vocab) != 0) {
			t.Fatalf("vocab %v != %v", fast.Vocab, slow.Vocab)
		}
		if !reflect.DeepEqual(fast.Merges.pairs, slow.Merges.pairs) && (len(fast.Merges.pairs) != 0 || len(slow.Merges.pairs) != 0) {
			t.Fatalf("merges %q != %q", fast.Merges.pairs, slow.Merges.pairs)
		}
		if fast.Merges.bad != slow.Merges.bad || fast.FuseUnk != slow.FuseUnk || fast.ByteFallback != slow.ByteFallback || fast.IgnoreMerges != slow.IgnoreMerges {
			t.Fatalf("flags differ: %+v vs %+v", fast, slow)
		}
		if !reflect.DeepEqual(fast.UnkToken, slow.UnkToken) || !reflect.DeepEqual(fast.ContinuingSubwordPrefix, slow.ContinuingSubwordPrefix) || !reflect.DeepEqual(fast.EndOfWordSuffix, slow.EndOfWordSuffix) {
			t.Fatalf("strings differ: %+v vs %+v", fast, slow)
		}
	})
}
