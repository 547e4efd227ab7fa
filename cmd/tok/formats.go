package main

// The tokenizer families whose file formats tok.Open (and so every verb)
// understands. Each registers its formats from an init function.
import (
	_ "github.com/toklabs/tok/bpe"           // .tiktoken, vocab.json + merges.txt
	_ "github.com/toklabs/tok/sentencepiece" // .model
	_ "github.com/toklabs/tok/tokenizerjson" // tokenizer.json
	_ "github.com/toklabs/tok/wordpiece"     // vocab.txt
)
