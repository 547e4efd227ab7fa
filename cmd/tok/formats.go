package main

// The tokenizer families whose file formats tok.Open (and so every verb)
// understands. Each registers its formats from an init function; other
// families add their blank import here.
import (
	_ "github.com/toklabs/tok/bpe"
)
