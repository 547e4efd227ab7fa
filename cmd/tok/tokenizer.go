package main

import (
	"github.com/toklabs/tok"
	"github.com/toklabs/tok/rawbytes"
)

// openTokenizer opens a tokenizer named on the command line: "bytes" is the
// raw-byte baseline, anything else a file or directory for tok.Open.
func openTokenizer(spec string) (tok.Tokenizer, error) {
	if spec == "bytes" {
		return rawbytes.Tokenizer{}, nil
	}
	return tok.Open(spec)
}
