package tokenizerjson_test

import (
	"bytes"
	"fmt"

	"github.com/toklabs/tok"
	"github.com/toklabs/tok/tokenizerjson"
)

// A byte-level BPE vocabulary with one merge, written as a tokenizer.json
// and read back.
func ExampleWriteBPE() {
	var spec tokenizerjson.BPESpec
	for b := 0; b < 256; b++ {
		spec.Tokens = append(spec.Tokens, []byte{byte(b)})
	}
	spec.Tokens = append(spec.Tokens, []byte("hi"), []byte("<|end|>"))
	spec.Merges = [][2]uint32{{'h', 'i'}}
	spec.Special = []tok.SpecialToken{{Content: "<|end|>", ID: 257}}

	var buf bytes.Buffer
	if err := tokenizerjson.WriteBPE(&buf, spec); err != nil {
		panic(err)
	}
	tk, err := tokenizerjson.Parse(buf.Bytes(), "tokenizer.json")
	if err != nil {
		panic(err)
	}
	ids := tok.EncodeString(tk, "hi hi<|end|>")
	text, _ := tok.DecodeString(tk, ids)
	fmt.Println(ids, text)
	// Output: [256 32 256 257] hi hi<|end|>
}

// Encode gives offsets and, on request, the post-processor's special
// tokens.
func ExampleTokenizer_Encode() {
	const file = `{"version":"1.0",
	 "added_tokens":[{"id":3,"content":"[CLS]","special":true},{"id":4,"content":"[SEP]","special":true}],
	 "normalizer":{"type":"Lowercase"},
	 "pre_tokenizer":{"type":"Whitespace"},
	 "post_processor":{"type":"BertProcessing","sep":["[SEP]",4],"cls":["[CLS]",3]},
	 "model":{"type":"WordLevel","vocab":{"[UNK]":0,"hello":1,"world":2,"[CLS]":3,"[SEP]":4},"unk_token":"[UNK]"}}`
	tk, err := tokenizerjson.Parse([]byte(file), "tokenizer.json")
	if err != nil {
		panic(err)
	}
	enc := tk.Encode([]byte("Hello  World!"), tokenizerjson.EncodeOptions{AddSpecialTokens: true})
	fmt.Println(enc.IDs, enc.Tokens, enc.Offsets, enc.SpecialTokensMask)
	// Output: [3 1 2 0 4] [[CLS] hello world [UNK] [SEP]] [{0 0} {0 5} {7 12} {12 13} {0 0}] [1 0 0 0 1]
}
