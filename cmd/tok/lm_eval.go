package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/toklabs/tok/corpora"
	"github.com/toklabs/tok/lmeval"
)

func init() {
	def := lmeval.DefaultConfig()
	register(&cli.Command{
		Name:  "lm-eval",
		Usage: "compare tokenizers by the bits per byte a small transformer reaches with each (no arguments: BPE, WordPiece, Unigram and bytes on the built-in corpus)",
		Description: "Trains the built-in transformer on the same training text with each tokenizer and scores it on\n" +
			"the same held-out raw text in bits per byte, next to intrinsic measures. A tokenizer is a\n" +
			"vocabulary file or directory, \"bytes\", or ALGO:SIZE (bpe, wordpiece, unigram, spm-bpe) trained\n" +
			"on the spot on the training documents. Writes report.md, results.json, results.csv and charts.",
		Flags: []cli.Flag{
			&cli.StringSliceFlag{Name: "tokenizer", Aliases: []string{"t"}, Usage: "tokenizer to compare (repeatable; default " + joinSpecs(def.Tokenizers) + ")"},
			&cli.StringSliceFlag{Name: "corpus", Aliases: []string{"c"}, Usage: "corpus files, directories or globs (default: the built-in corpus)"},
			&cli.StringFlag{Name: "split", Value: "lines", Usage: "plain-text documents: lines, paragraphs or files (for --corpus)"},
			&cli.StringFlag{Name: "out", Aliases: []string{"o"}, Value: "lm-eval-report", Usage: "report `DIR`"},
			&cli.IntFlag{Name: "seeds", Value: def.Seeds, Usage: "training runs per tokenizer"},
			&cli.Int64Flag{Name: "train-bytes", Value: def.TrainBytes, Usage: "training text each model consumes, in bytes"},
			&cli.Int64Flag{Name: "max-corpus-bytes", Value: def.MaxCorpusBytes, Usage: "read at most this much of the corpus"},
			&cli.Float64Flag{Name: "val-fraction", Value: def.ValFraction, Usage: "share of documents held out (by a hash of their text)"},
			&cli.StringFlag{Name: "match", Value: def.Match.String(), Usage: "hold equal across tokenizers: bytes (training text) or flops"},
			&cli.IntFlag{Name: "context-bytes", Usage: "match the context in bytes: context tokens = this / bytes per token (0: --context-len tokens for all)"},
			&cli.IntFlag{Name: "context-len", Value: def.Model.ContextLen, Usage: "model context in tokens"},
			&cli.IntFlag{Name: "layers", Value: def.Model.Layers, Usage: "transformer blocks"},
			&cli.IntFlag{Name: "heads", Value: def.Model.Heads, Usage: "attention heads"},
			&cli.IntFlag{Name: "width", Value: def.Model.Width, Usage: "residual width"},
			&cli.IntFlag{Name: "batch-size", Value: def.Train.BatchSize, Usage: "sequences per step"},
			&cli.Float64Flag{Name: "lr", Value: def.Train.LR, Usage: "peak learning rate"},
			&cli.IntFlag{Name: "eval-points", Value: def.EvalPoints, Usage: "validation evaluations along training"},
			&cli.IntFlag{Name: "workers", Usage: "parallelism (0: all cores); results do not depend on it"},
		},
		Action: lmEvalAction,
	})
}

func joinSpecs(ss []lmeval.Spec) string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = string(s)
	}
	return strings.Join(out, ", ")
}

func lmEvalAction(c *cli.Context) error {
	cfg := lmeval.DefaultConfig()
	if ts := c.StringSlice("tokenizer"); len(ts) > 0 {
		cfg.Tokenizers = nil
		for _, t := range ts {
			cfg.Tokenizers = append(cfg.Tokenizers, lmeval.Spec(t))
		}
	}
	var err error
	if cfg.Match, err = lmeval.ParseMatch(c.String("match")); err != nil {
		return err
	}
	cfg.Seeds = c.Int("seeds")
	cfg.TrainBytes = c.Int64("train-bytes")
	cfg.MaxCorpusBytes = c.Int64("max-corpus-bytes")
	cfg.ValFraction = c.Float64("val-fraction")
	cfg.ContextBytes = c.Int("context-bytes")
	cfg.Model.ContextLen = c.Int("context-len")
	cfg.Model.Layers, cfg.Model.Heads, cfg.Model.Width = c.Int("layers"), c.Int("heads"), c.Int("width")
	cfg.Train.BatchSize = c.Int("batch-size")
	cfg.Train.LR = c.Float64("lr")
	cfg.EvalPoints = c.Int("eval-points")
	cfg.Workers = c.Int("workers")
	out := c.String("out")
	cfg.WorkDir = filepath.Join(out, "tokenizers")
	cfg.Log = c.App.ErrWriter

	var corpus *corpora.Corpus
	name := "built-in default corpus"
	if specs := c.StringSlice("corpus"); len(specs) > 0 {
		opts := corpora.DefaultOptions()
		if opts.Split, err = corpora.ParseSplit(c.String("split")); err != nil {
			return err
		}
		if corpus, err = corpora.Open(specs, opts); err != nil {
			return err
		}
		name = strings.Join(specs, " ")
	} else if corpus, err = corpora.Default(); err != nil {
		return err
	}
	defer corpus.Close()

	rep, err := lmeval.Compare(cfg, corpus, name)
	if err != nil {
		return err
	}
	rep.Command = "tok " + strings.Join(os.Args[1:], " ")
	if err := rep.WriteAll(out); err != nil {
		return err
	}
	if err := rep.WriteTable(c.App.Writer); err != nil {
		return err
	}
	fmt.Fprintf(c.App.Writer, "\nreport: %s (results.json, results.csv, bpb_curve.png/svg, bpb_final.png/svg beside it)\n", filepath.Join(out, "report.md"))
	return nil
}
