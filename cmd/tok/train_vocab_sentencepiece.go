package main

// `tok train-vocab --algo unigram|spm-bpe`: SentencePiece-style training
// (package sentencepiece). Writes spm.model (loadable by spm_encode),
// spm.vocab and tokenizer.json (HF's layout, loadable by HF tokenizers)
// into --out.

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/toklabs/tok/internal/atomicfile"
	"github.com/toklabs/tok/sentencepiece"
	"github.com/toklabs/tok/tokenizerjson"
)

func init() {
	d := sentencepiece.DefaultTrainConfig()
	flags := []cli.Flag{
		&cli.Float64Flag{Name: "spm-character-coverage", Value: d.CharacterCoverage, Usage: "unigram/spm-bpe: share of characters covered by the vocabulary"},
		&cli.StringFlag{Name: "spm-normalization", Value: d.Normalization.String(), Usage: "unigram/spm-bpe: nmt_nfkc, nfkc, nmt_nfkc_cf, nfkc_cf or identity"},
		&cli.StringFlag{Name: "spm-normalization-tsv", Usage: "unigram/spm-bpe: custom normalization rules `FILE` (spm_train's TSV format)"},
		&cli.BoolFlag{Name: "spm-add-dummy-prefix", Value: d.AddDummyPrefix, Usage: "unigram/spm-bpe: prefix text with a space"},
		&cli.BoolFlag{Name: "spm-remove-extra-whitespaces", Value: d.RemoveExtraWhitespaces, Usage: "unigram/spm-bpe: trim and collapse spaces"},
		&cli.BoolFlag{Name: "spm-byte-fallback", Value: d.ByteFallback, Usage: "unigram/spm-bpe: add <0xNN> pieces for unknown characters"},
		&cli.IntFlag{Name: "spm-max-piece-length", Value: d.MaxPieceLength, Usage: "unigram/spm-bpe: longest piece in characters"},
		&cli.IntFlag{Name: "spm-max-sentence-length", Value: d.MaxSentenceLength, Usage: "unigram/spm-bpe: skip longer lines (bytes)"},
		&cli.IntFlag{Name: "spm-seed-size", Value: d.SeedSize, Usage: "unigram: seed pieces from the suffix array"},
		&cli.BoolFlag{Name: "spm-split-digits", Value: d.SplitDigits, Usage: "unigram/spm-bpe: one piece per digit"},
		&cli.BoolFlag{Name: "spm-split-by-unicode-script", Value: d.SplitByUnicodeScript, Usage: "unigram/spm-bpe: pieces do not mix scripts"},
		&cli.BoolFlag{Name: "spm-split-by-number", Value: d.SplitByNumber, Usage: "unigram/spm-bpe: pieces do not mix digits and letters"},
		&cli.StringFlag{Name: "spm-control-symbols", Usage: "unigram/spm-bpe: comma-separated control symbols"},
		&cli.IntFlag{Name: "spm-sample-sentences", Usage: "unigram/spm-bpe: train on a reservoir sample of N lines (0: all, streaming counts)"},
		&cli.Uint64Flag{Name: "spm-seed", Usage: "unigram/spm-bpe: random seed for --spm-sample-sentences"},
		&cli.StringFlag{Name: "spm-counts-out", Usage: "unigram/spm-bpe: only count the corpus's normalized words and write them to `FILE` (to split counting across processes)"},
		&cli.StringSliceFlag{Name: "spm-from-counts", Usage: "unigram/spm-bpe: train from (merged) counts `FILE`s written by --spm-counts-out instead of a corpus"},
	}
	for _, a := range []struct{ name, usage string }{
		{"unigram", "SentencePiece Unigram language model (spm.model, spm.vocab, tokenizer.json)"},
		{"spm-bpe", "SentencePiece-style BPE, merge order in the scores (spm.model, spm.vocab, tokenizer.json)"},
	} {
		registerTrainAlgo(trainAlgo{Name: a.name, Usage: a.usage, Flags: flags, Train: trainSentencePiece})
	}
}

func trainSentencePiece(c *cli.Context, job *trainJob) error {
	if len(job.FromCounts) > 0 {
		return fmt.Errorf("train-vocab --algo %s: --from-counts holds pre-tokenized words, not SentencePiece sentences; give a CORPUS", job.Algo)
	}
	cfg := sentencepiece.DefaultTrainConfig()
	if job.Algo == "spm-bpe" {
		cfg.Algorithm = sentencepiece.BPE
	}
	cfg.VocabSize = job.VocabSize
	if job.Workers > 0 {
		cfg.Workers = job.Workers
	}
	cfg.CharacterCoverage = c.Float64("spm-character-coverage")
	rule, err := sentencepiece.ParseNormalizationRule(c.String("spm-normalization"))
	if err != nil {
		return err
	}
	cfg.Normalization = rule
	if p := c.String("spm-normalization-tsv"); p != "" {
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		cfg.NormalizationTSV = string(b)
	}
	cfg.AddDummyPrefix = c.Bool("spm-add-dummy-prefix")
	cfg.RemoveExtraWhitespaces = c.Bool("spm-remove-extra-whitespaces")
	cfg.ByteFallback = c.Bool("spm-byte-fallback")
	cfg.MaxPieceLength = c.Int("spm-max-piece-length")
	cfg.MaxSentenceLength = c.Int("spm-max-sentence-length")
	cfg.SeedSize = c.Int("spm-seed-size")
	cfg.SplitDigits = c.Bool("spm-split-digits")
	cfg.SplitByUnicodeScript = c.Bool("spm-split-by-unicode-script")
	cfg.SplitByNumber = c.Bool("spm-split-by-number")
	if s := c.String("spm-control-symbols"); s != "" {
		cfg.ControlSymbols = strings.Split(s, ",")
	}
	// --special-tokens become user-defined symbols: matched whole in text.
	cfg.UserDefinedSymbols = job.SpecialTokens
	cfg.SampleSentences = c.Int("spm-sample-sentences")
	cfg.Seed = c.Uint64("spm-seed")
	cfg.Progress = func(msg string) { job.Progressf("%s", msg) }

	var wc *sentencepiece.WordCounts
	if from := c.StringSlice("spm-from-counts"); len(from) > 0 {
		if len(job.Corpus) > 0 {
			return fmt.Errorf("train-vocab: give either --spm-from-counts or CORPUS arguments, not both")
		}
		if wc, err = sentencepiece.ReadWordCounts(from...); err != nil {
			return err
		}
		job.Stats = append(job.Stats, fmt.Sprintf("read %d counts files: %d distinct words from %d sentences", len(from), len(wc.Words), wc.Sentences))
	} else {
		r, closeFn, err := job.OpenCorpus()
		if err != nil {
			return err
		}
		wc, err = sentencepiece.CountWords(r, cfg)
		closeFn()
		if err != nil {
			return err
		}
		job.Stats = append(job.Stats, fmt.Sprintf("counted %d sentences (%.1f MB): %d distinct words", wc.Sentences, float64(wc.Bytes)/1e6, len(wc.Words)))
	}
	if out := c.String("spm-counts-out"); out != "" {
		f, err := os.Create(out)
		if err != nil {
			return err
		}
		if _, err := wc.WriteTo(f); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
		job.Wrote(out)
		return nil
	}
	m, err := sentencepiece.TrainFromCounts(wc, cfg)
	if err != nil {
		return err
	}
	modelPath, vocabPath := job.OutPath("spm.model"), job.OutPath("spm.vocab")
	if err := m.Save(modelPath); err != nil {
		return err
	}
	job.Wrote(modelPath)
	if err := m.SaveVocab(vocabPath); err != nil {
		return err
	}
	job.Wrote(vocabPath)
	// HF's layout of a converted SentencePiece model (Unigram, or BPE with
	// merges derived from the scores as HF's converter derives them).
	jsonPath := job.OutPath("tokenizer.json")
	if err := atomicfile.Write(jsonPath, func(w io.Writer) error { return tokenizerjson.WriteSentencePiece(w, m) }); err != nil {
		return err
	}
	job.Wrote(jsonPath)
	job.FinalVocabSize = m.VocabSize()
	return nil
}
