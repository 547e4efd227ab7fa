package pipeline_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/toklabs/tok/corpora"
	"github.com/toklabs/tok/pipeline"
	"github.com/toklabs/tok/rawbytes"
)

// Encode a corpus to shards, finalize, and read a window of tokens back.
func ExampleEncode() {
	dir, _ := os.MkdirTemp("", "pipeline-example")
	defer os.RemoveAll(dir)
	text := filepath.Join(dir, "corpus.txt")
	os.WriteFile(text, []byte("hello\nworld\n"), 0o644)

	cfg := pipeline.DefaultConfig()
	cfg.Tokenizer, cfg.TokenizerHash = rawbytes.Tokenizer{}, "rawbytes"
	cfg.Out = filepath.Join(dir, "ds")
	inputs, _ := corpora.Expand([]string{text}, corpora.DefaultOptions())
	if _, err := pipeline.Encode(context.Background(), cfg, inputs, corpora.DefaultOptions()); err != nil {
		panic(err)
	}
	m, err := pipeline.Finalize(cfg.Out)
	if err != nil {
		panic(err)
	}
	fmt.Println(m.Splits["train"].Documents, "documents,", m.Splits["train"].Tokens, "tokens in", m.Splits["train"].Shards[0].File)

	ds, _ := pipeline.OpenDataset(cfg.Out)
	defer ds.Close()
	train, _ := ds.Split("train")
	window, _ := train.ReadWindow(3, 4, nil) // "lo" + "wo"
	fmt.Println(window)
	// Output:
	// 2 documents, 10 tokens in data-00000-of-00001.arrow
	// [108 111 119 111]
}
