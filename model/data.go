package model

import (
	"fmt"
	"math/rand/v2"
)

// TokenSource is random access to a sequence of token ids: the trainer
// reads windows of ContextLen+1 tokens from it. pipeline's Arrow shards
// and the in-memory Tokens both implement it.
type TokenSource interface {
	// NumTokens is the length of the sequence.
	NumTokens() int64
	// ReadWindow fills dst with the tokens at [start, start+len(dst)).
	ReadWindow(dst []uint32, start int64) error
}

// Tokens is an in-memory TokenSource.
type Tokens []uint32

// NumTokens implements TokenSource.
func (t Tokens) NumTokens() int64 { return int64(len(t)) }

// ReadWindow implements TokenSource.
func (t Tokens) ReadWindow(dst []uint32, start int64) error {
	if start < 0 || start+int64(len(dst)) > int64(len(t)) {
		return fmt.Errorf("model: window [%d, %d) outside %d tokens", start, start+int64(len(dst)), len(t))
	}
	copy(dst, t[start:])
	return nil
}

// SplitTokens cuts t into the first (1-valFraction) for training and the
// rest for validation, as nanoGPT's shakespeare_char does.
func SplitTokens(t Tokens, valFraction float64) (train, val Tokens) {
	n := int(float64(len(t)) * (1 - valFraction))
	return t[:n], t[n:]
}

// Dataset is what a Trainer reads.
type Dataset struct {
	Train, Val TokenSource
	// BytesPerToken converts nats per token into bits per byte (UTF-8
	// bytes of the original text per token); 0 when unknown.
	BytesPerToken float64
	// Tokenizer identifies the tokenizer that made the tokens; a resumed
	// run refuses data from a different one.
	Tokenizer TokenizerID
}

// TokenizerID identifies a tokenizer in checkpoints.
type TokenizerID struct {
	// Name is the tokenizer's kind or file name ("bytes" for raw bytes).
	Name string `json:"name"`
	// Path is where the tokenizer was read from (empty for built-ins); the
	// sampler reopens it to decode.
	Path string `json:"path,omitempty"`
	// SHA256 is the hash of the tokenizer file, empty for built-ins.
	SHA256 string `json:"sha256,omitempty"`
	// VocabSize is the number of ids.
	VocabSize int `json:"vocab_size"`
}

// BytesTokenizer is the identity of the raw-byte baseline (vocabulary 256);
// "rawbytes" is the hash pipeline records for it.
var BytesTokenizer = TokenizerID{Name: "bytes", SHA256: "rawbytes", VocabSize: 256}

// readBatch fills (B, T) inputs and targets from windows of T+1 tokens at
// positions drawn from rng.
func readBatch(src TokenSource, rng *rand.Rand, B, T int, x, y, win []uint32) error {
	n := src.NumTokens()
	if n < int64(T)+1 {
		return fmt.Errorf("model: %d tokens cannot fill a window of %d", n, T+1)
	}
	for b := 0; b < B; b++ {
		start := rng.Int64N(n - int64(T))
		if err := src.ReadWindow(win[:T+1], start); err != nil {
			return err
		}
		copy(x[b*T:(b+1)*T], win[:T])
		copy(y[b*T:(b+1)*T], win[1:T+1])
	}
	return nil
}
