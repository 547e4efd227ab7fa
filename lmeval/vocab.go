package lmeval

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/toklabs/tok"
	"github.com/toklabs/tok/bpe"
	"github.com/toklabs/tok/corpora"
	"github.com/toklabs/tok/normalize"
	"github.com/toklabs/tok/pretokenize"
	"github.com/toklabs/tok/rawbytes"
	"github.com/toklabs/tok/sentencepiece"
	"github.com/toklabs/tok/wordcount"
	"github.com/toklabs/tok/wordpiece"
)

// Spec names a tokenizer to compare: "bytes" (the raw-byte baseline),
// ALGO:SIZE to train on the comparison's training documents (ALGO is bpe,
// wordpiece, unigram or spm-bpe), or a vocabulary file or directory that
// tok.Open reads.
type Spec string

// Name is a short label for tables and charts.
func (s Spec) Name() string {
	if algo, size, ok := s.trained(); ok {
		return fmt.Sprintf("%s-%d", algo, size)
	}
	if s == "bytes" {
		return "bytes"
	}
	return filepath.Base(string(s))
}

// trained splits ALGO:SIZE.
func (s Spec) trained() (algo string, size int, ok bool) {
	a, n, found := strings.Cut(string(s), ":")
	if !found {
		return "", 0, false
	}
	switch a {
	case "bpe", "wordpiece", "unigram", "spm-bpe":
	default:
		return "", 0, false
	}
	size, err := strconv.Atoi(n)
	if err != nil || size <= 0 {
		return "", 0, false
	}
	return a, size, true
}

// ValidateSpec reports whether s can be built, without building it.
func ValidateSpec(s Spec) error {
	if s == "bytes" {
		return nil
	}
	if _, _, ok := s.trained(); ok {
		return nil
	}
	if strings.Contains(string(s), ":") {
		if _, err := os.Stat(string(s)); err != nil {
			return fmt.Errorf("lmeval: tokenizer %q: want bytes, bpe:N, wordpiece:N, unigram:N, spm-bpe:N or a vocabulary file", s)
		}
	}
	if _, err := os.Stat(string(s)); err != nil {
		return fmt.Errorf("lmeval: tokenizer %q: %w", s, err)
	}
	return nil
}

// build returns the tokenizer of s, training it on train (a fresh reader
// over the training documents) into dir when s asks for training.
func build(s Spec, train func() corpora.Reader, dir string, workers int, logf func(string, ...any)) (tok.Tokenizer, error) {
	if s == "bytes" {
		return rawbytes.Tokenizer{}, nil
	}
	algo, size, ok := s.trained()
	if !ok {
		return tok.Open(string(s))
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	logf("training %s vocabulary of %d into %s", algo, size, dir)
	switch algo {
	case "bpe":
		return trainBPE(train(), size, dir, workers)
	case "wordpiece":
		return trainWordPiece(train(), size, dir, workers)
	default:
		cfg := sentencepiece.DefaultTrainConfig()
		cfg.VocabSize = size
		cfg.ByteFallback = true // lossless on characters the vocabulary lacks
		if algo == "spm-bpe" {
			cfg.Algorithm = sentencepiece.BPE
		}
		if workers > 0 {
			cfg.Workers = workers
		}
		m, err := sentencepiece.Train(train(), cfg)
		if err != nil {
			return nil, fmt.Errorf("lmeval: training %s: %w", s, err)
		}
		path := filepath.Join(dir, "tokenizer.model")
		if err := m.Save(path); err != nil {
			return nil, err
		}
		return tok.Open(path)
	}
}

func countConfig(workers int) wordcount.Config {
	cfg := wordcount.DefaultConfig()
	if workers > 0 {
		cfg.Workers = workers
	}
	return cfg
}

func trainBPE(r corpora.Reader, size int, dir string, workers int) (tok.Tokenizer, error) {
	pre, err := pretokenize.CompileNamed("gpt2")
	if err != nil {
		return nil, err
	}
	counts, err := wordcount.Count(r, pre, countConfig(workers))
	if err != nil {
		return nil, err
	}
	cfg := bpe.DefaultTrainConfig()
	cfg.VocabSize = size
	if workers > 0 {
		cfg.Workers = workers
	}
	tr, err := bpe.NewTrainer(cfg)
	if err != nil {
		return nil, err
	}
	res, err := tr.Train(counts)
	if err != nil {
		return nil, err
	}
	vocab, _, err := res.WriteGPT2Files(dir)
	if err != nil {
		return nil, err
	}
	return tok.Open(vocab)
}

func trainWordPiece(r corpora.Reader, size int, dir string, workers int) (tok.Tokenizer, error) {
	split := wordcount.SplitterFunc(func(dst []tok.Span, text []byte) []tok.Span {
		return pretokenize.AppendBert(dst, text, tok.Span{Start: 0, End: len(text)})
	})
	counts, err := wordcount.Count(r, split, countConfig(workers))
	if err != nil {
		return nil, err
	}
	cfg := wordpiece.DefaultTrainerConfig()
	cfg.VocabSize = size
	out := wordpiece.DefaultTokenizerJSONConfig()
	out.SpecialTokens = cfg.SpecialTokens
	tr, err := wordpiece.NewTrainer(cfg)
	if err != nil {
		return nil, err
	}
	tokens, err := tr.Train(wordpiece.NormalizeCounts(counts.Words, normalize.Bert(out.Normalizer)))
	if err != nil {
		return nil, err
	}
	if err := wordpiece.WriteFiles(dir, tokens, out); err != nil {
		return nil, err
	}
	return tok.Open(filepath.Join(dir, "tokenizer.json"))
}
