package main

import (
	"fmt"
	"runtime"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/toklabs/tok/bpe"
	"github.com/toklabs/tok/pretokenize"
	"github.com/toklabs/tok/wordcount"
)

func init() {
	registerTrainAlgo(trainAlgo{
		Name:  "bpe",
		Usage: "byte-level BPE (HuggingFace BpeTrainer semantics): vocab.json + merges.txt, .tiktoken, tokenizer.json",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "pre-tokenizer", Value: "gpt2", Usage: "pre-tokenization pattern: gpt2, cl100k, o200k, llama3, qwen2, or a regular expression"},
			&cli.IntFlag{Name: "max-token-length", Usage: "bpe: longest merged token in bytes, HF's rule (0: no limit)"},
			&cli.StringFlag{Name: "alphabet", Value: "full", Usage: "bpe: initial alphabet: full (all 256 bytes) or seen (only bytes in the corpus, HF's default)"},
			&cli.IntFlag{Name: "limit-alphabet", Usage: "bpe: keep only the N most frequent alphabet bytes (0: all)"},
		},
		Train: trainBPE,
	})
}

// preTokenizer resolves a --pre-tokenizer value: a built-in name or a regex.
func preTokenizer(spec string) (pretokenize.Matcher, error) {
	if _, ok := pretokenize.Named(spec); ok {
		return pretokenize.CompileNamed(spec)
	}
	m, err := pretokenize.Compile(spec)
	if err != nil {
		return nil, fmt.Errorf("--pre-tokenizer %q is neither a built-in name (%s) nor a valid pattern: %w", spec, strings.Join(pretokenize.Names(), ", "), err)
	}
	return m, nil
}

func trainBPE(c *cli.Context, job *trainJob) error {
	preName := c.String("pre-tokenizer")
	pre, err := preTokenizer(preName)
	if err != nil {
		return err
	}
	alpha, err := bpe.ParseTrainAlphabet(c.String("alphabet"))
	if err != nil {
		return err
	}
	counts, err := job.WordCounts(pre, preName)
	if err != nil {
		return err
	}
	cfg := bpe.DefaultTrainConfig()
	cfg.VocabSize = job.VocabSize
	cfg.MinFrequency = job.MinFrequency
	cfg.SpecialTokens = job.SpecialTokens
	cfg.MaxTokenLength = c.Int("max-token-length")
	cfg.Alphabet = alpha
	cfg.LimitAlphabet = c.Int("limit-alphabet")
	if job.Workers > 0 {
		cfg.Workers = job.Workers
	}
	nwords := len(counts.Words) // counts itself must not stay reachable (see below)
	cfg.Progress = func(p bpe.TrainProgress) {
		if p.Stage == "pairs" {
			job.Progressf("counting pairs of %d words", nwords)
			return
		}
		rate := 0.0
		if s := p.Elapsed.Seconds(); s > 0 {
			rate = float64(p.Merges) / s
		}
		job.Bar("merges", int64(p.Vocab), int64(p.Target), fmt.Sprintf("%d merges, %.0f merges/s", p.Merges, rate))
	}
	tr, err := bpe.NewTrainer(cfg)
	if err != nil {
		return err
	}
	// Train copies the words into its own arena; nothing here uses counts
	// afterwards, so the collector may free it while training runs.
	res, err := tr.Train(counts)
	if err != nil {
		return err
	}
	// The trainer's tables are garbage now; collect them before the writers
	// allocate, so that the two never add up in the peak RSS.
	runtime.GC()
	job.prog.done()
	job.FinalVocabSize = len(res.Tokens)
	job.Stats = append(job.Stats, fmt.Sprintf("%d merges, %d special tokens, alphabet %s", len(res.Merges), res.NumSpecial, alpha))
	return writeBPE(job, res, preName)
}

func writeBPE(job *trainJob, res *bpe.TrainResult, preName string) error {
	vocab, merges, err := res.WriteGPT2Files(job.OutDir)
	if err != nil {
		return err
	}
	job.Wrote(vocab)
	job.Wrote(merges)
	tk := job.OutPath("vocab.tiktoken")
	if err := bpe.WriteFileAtomic(tk, res.WriteTiktoken); err != nil {
		return err
	}
	job.Wrote(tk)
	return writeBPETokenizerJSON(job, res, preName)
}

// A pretokenize.Matcher is what wordcount counts with.
var _ wordcount.Splitter = pretokenize.Matcher(nil)
