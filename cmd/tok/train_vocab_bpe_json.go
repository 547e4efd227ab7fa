package main

import (
	"io"

	"github.com/toklabs/tok"
	"github.com/toklabs/tok/bpe"
	"github.com/toklabs/tok/pretokenize"
	"github.com/toklabs/tok/tokenizerjson"
)

// writeBPETokenizerJSON writes tokenizer.json with package tokenizerjson:
// the trained tokens and merges, the special tokens, and the
// pre-tokenizer pattern the words were counted with.
func writeBPETokenizerJSON(job *trainJob, res *bpe.TrainResult, preName string) error {
	pattern := preName
	if p, ok := pretokenize.Named(preName); ok {
		pattern = p
	}
	spec := tokenizerjson.BPESpec{Tokens: res.Tokens, Pattern: pattern}
	for id := 0; id < res.NumSpecial; id++ {
		spec.Special = append(spec.Special, tok.SpecialToken{Content: string(res.Tokens[id]), ID: uint32(id)})
	}
	for _, m := range res.Merges {
		spec.Merges = append(spec.Merges, [2]uint32{m.A, m.B})
	}
	path := job.OutPath("tokenizer.json")
	if err := bpe.WriteFileAtomic(path, func(w io.Writer) error { return tokenizerjson.WriteBPE(w, spec) }); err != nil {
		return err
	}
	job.Wrote(path)
	return nil
}
