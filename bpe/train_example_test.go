package bpe_test

import (
	"fmt"
	"os"
	"strings"

	"github.com/toklabs/tok/bpe"
	"github.com/toklabs/tok/pretokenize"
	"github.com/toklabs/tok/wordcount"
)

// The merges below are the ones HuggingFace's BpeTrainer learns from the
// same text (peer-hf-train bpe 25 on a file holding it).
func ExampleTrainer_Train() {
	text := "low low low low low lower lower newest newest newest newest newest newest widest widest widest"
	gpt2, _ := pretokenize.CompileNamed("gpt2")
	counts, err := wordcount.Count(wordcount.NewLineReader("example", strings.NewReader(text)), gpt2, wordcount.DefaultConfig())
	if err != nil {
		panic(err)
	}
	cfg := bpe.DefaultTrainConfig()
	cfg.VocabSize = 25
	cfg.Alphabet = bpe.AlphabetSeen // only the bytes seen, as HF's default trainer
	tr, err := bpe.NewTrainer(cfg)
	if err != nil {
		panic(err)
	}
	res, err := tr.Train(counts)
	if err != nil {
		panic(err)
	}
	fmt.Println(len(res.Tokens), "tokens")
	res.WriteMerges(os.Stdout)
	// Output:
	// 25 tokens
	// #version: 0.2
	// e s
	// es t
	// l o
	// lo w
	// e w
	// n ew
	// Ġ low
	// Ġ new
	// Ġnew est
	// d est
	// i dest
	// w idest
	// Ġ widest
	// e r
}
