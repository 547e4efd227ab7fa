package main

import "github.com/toklabs/tok/bpe"

// writeBPETokenizerJSON writes tokenizer.json through package
// tokenizerjson once it has a BPE writer; until then it writes nothing.
func writeBPETokenizerJSON(job *trainJob, res *bpe.TrainResult, preName string) error {
	return nil
}
