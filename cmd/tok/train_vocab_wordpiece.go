package main

// `tok train-vocab --algo wordpiece`: trains a WordPiece (BERT) vocabulary
// with package wordpiece and writes vocab.txt and tokenizer.json.

import (
	"fmt"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/toklabs/tok"
	"github.com/toklabs/tok/normalize"
	"github.com/toklabs/tok/pretokenize"
	"github.com/toklabs/tok/wordcount"
	"github.com/toklabs/tok/wordpiece"
)

func init() {
	def := wordpiece.DefaultTrainerConfig()
	registerTrainAlgo(trainAlgo{
		Name:  "wordpiece",
		Usage: "WordPiece (BERT): vocab.txt and tokenizer.json",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "wordpiece-trainer", Value: def.Algorithm.String(),
				Usage: "wordpiece: hf (HF WordPieceTrainer: most frequent pair, the default) or likelihood (highest count(ab)/(count(a)·count(b)))"},
			&cli.BoolFlag{Name: "wordpiece-lowercase", Value: true, Usage: "wordpiece: BERT normalizer lowercases and strips accents (false: cased)"},
			&cli.IntFlag{Name: "wordpiece-limit-alphabet", Usage: "wordpiece: keep only the N most frequent characters (0: all)"},
		},
		Train: trainWordPiece,
	})
}

func trainWordPiece(c *cli.Context, job *trainJob) error {
	cfg := wordpiece.DefaultTrainerConfig()
	algo, err := wordpiece.ParseAlgorithm(c.String("wordpiece-trainer"))
	if err != nil {
		return err
	}
	cfg.Algorithm = algo
	cfg.VocabSize = job.VocabSize
	cfg.MinFrequency = job.MinFrequency
	cfg.LimitAlphabet = c.Int("wordpiece-limit-alphabet")
	if len(job.SpecialTokens) > 0 {
		cfg.SpecialTokens = job.SpecialTokens
	}
	cfg.Progress = func(n, target int) { job.Bar("merging", int64(n), int64(target), cfg.Algorithm.String()) }
	out := wordpiece.DefaultTokenizerJSONConfig()
	if !c.Bool("wordpiece-lowercase") {
		out.Normalizer.Lowercase, out.Normalizer.StripAccents = false, false
	}
	out.SpecialTokens = cfg.SpecialTokens
	tr, err := wordpiece.NewTrainer(cfg)
	if err != nil {
		return err
	}

	// Words are counted as raw BERT pre-tokens, then normalized once per
	// distinct word (wordpiece.NormalizeCounts). The counts are named by
	// wordpiece.BertCountPattern, so files from
	// `tok count --pre-tokenizer PATTERN` can be given to --from-counts.
	split := wordcount.SplitterFunc(func(dst []tok.Span, text []byte) []tok.Span {
		return pretokenize.AppendBert(dst, text, tok.Span{Start: 0, End: len(text)})
	})
	counts, err := job.WordCounts(split, wordpiece.BertCountPattern)
	if err != nil {
		return err
	}
	t0 := time.Now()
	words := wordpiece.NormalizeCounts(counts.Words, normalize.Bert(out.Normalizer))
	job.Stats = append(job.Stats, fmt.Sprintf("normalized %d distinct pre-tokens into %d words in %s", len(counts.Words), len(words), time.Since(t0).Round(time.Millisecond)))
	t0 = time.Now()
	tokens, err := tr.Train(words)
	if err != nil {
		return err
	}
	job.prog.done()
	job.Stats = append(job.Stats, fmt.Sprintf("%s trainer: %d tokens in %s", cfg.Algorithm, len(tokens), time.Since(t0).Round(time.Millisecond)))
	if err := wordpiece.WriteFiles(job.OutDir, tokens, out); err != nil {
		return err
	}
	job.Wrote(job.OutPath("vocab.txt"))
	job.Wrote(job.OutPath("tokenizer.json"))
	job.FinalVocabSize = len(tokens)
	return nil
}
