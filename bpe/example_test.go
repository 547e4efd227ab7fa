package bpe_test

import (
	"fmt"

	"github.com/toklabs/tok"
	"github.com/toklabs/tok/bpe"
	"github.com/toklabs/tok/pretokenize"
)

// A HuggingFace-style model: the Wikipedia BPE example.
func ExampleNewMergesModel() {
	vocab := map[string]uint32{"a": 0, "b": 1, "c": 2, "d": 3, "aa": 4, "ab": 5, "aaab": 6}
	merges := [][2]string{{"a", "a"}, {"a", "b"}, {"aa", "ab"}}
	m, err := bpe.NewMergesModel(vocab, merges)
	if err != nil {
		panic(err)
	}
	ids := m.AppendEncodePiece(nil, []byte("aaabdaaabac"))
	text, _ := m.AppendDecode(nil, ids)
	fmt.Println(ids, string(text))
	// Output: [6 3 6 0 2] aaabdaaabac
}

// A tiktoken-style model: ranks are ids, and the pair whose concatenation
// has the lowest rank merges first.
func ExampleNewRankModel() {
	tokens := make([][]byte, 256)
	for b := range tokens {
		tokens[b] = []byte{byte(b)}
	}
	tokens = append(tokens, []byte("lo"), []byte("low"), []byte(" low"))
	m, err := bpe.NewRankModel(tokens)
	if err != nil {
		panic(err)
	}
	fmt.Println(m.AppendEncodePiece(nil, []byte("lower")))
	fmt.Println(m.AppendEncodePiece(nil, []byte(" low")))
	// Output:
	// [257 101 114]
	// [258]
}

// Special tokens are plain text for encode_ordinary and ids when allowed.
func ExampleTokenizer_AppendEncodeSpecial() {
	tokens := make([][]byte, 256)
	for b := range tokens {
		tokens[b] = []byte{byte(b)}
	}
	m, _ := bpe.NewRankModel(tokens)
	pre, _ := pretokenize.CompileNamed("gpt2")
	t, _ := bpe.NewTokenizer(m, bpe.TokenizerConfig{
		PreTokenizer: pre,
		Special:      []tok.SpecialToken{{Content: "<|end|>", ID: 256}},
	})
	fmt.Println(len(t.AppendEncodeOrdinary(nil, []byte("hi<|end|>"))))
	fmt.Println(t.AppendEncodeSpecial(nil, []byte("hi<|end|>"), bpe.AllSpecial))
	_, err := t.AppendEncodeChecked(nil, []byte("hi<|end|>"), bpe.NoSpecial, bpe.AllSpecial)
	fmt.Println(err)
	// Output:
	// 9
	// [104 105 256]
	// bpe: text holds the disallowed special token "<|end|>" at byte 2 (allow it, or encode it as ordinary text)
}
