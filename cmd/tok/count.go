package main

import (
	"fmt"
	"os"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/toklabs/tok/wordcount"
)

func init() {
	register(&cli.Command{
		Name:      "count",
		Usage:     "count the pre-tokens (words) of a corpus into a counts file, optionally one rank's share of it",
		ArgsUsage: "[CORPUS...]",
		Description: "Writes a sorted, versioned, zstd-compressed word-count file (package wordcount) that\n" +
			"`tok train-vocab --from-counts` reads. With --rank R --world-size W the rank counts its share:\n" +
			"uncompressed plain-text and JSON Lines files are cut into about 4W pieces at line starts, Parquet\n" +
			"files at row groups, and with at least W files and pieces each rank reads a contiguous share of\n" +
			"them by size; otherwise (a few compressed files, stdin) every rank reads everything and counts\n" +
			"documents k with k % W == R. The W files merge exactly into the counts of the whole corpus\n" +
			"(train-vocab --from-counts F1 F2 ...).\n" +
			"CORPUS is read as by train-vocab (plain text line by line with line endings, .jsonl, .gz/.zst;\n" +
			"none: the built-in default corpus).",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "out", Aliases: []string{"o"}, Required: true, Usage: "counts `FILE` to write (conventionally *" + wordcount.FileExt + ")"},
			&cli.StringFlag{Name: "pre-tokenizer", Value: "gpt2", Usage: "pre-tokenization pattern: gpt2, cl100k, o200k, llama3, qwen2, or a regular expression"},
			&cli.BoolFlag{Name: "lines", Value: true, Usage: "pre-tokenize each line on its own (with its \"\\n\"), as HuggingFace does"},
			&cli.IntFlag{Name: "max-words", Usage: "prune the word table to bound memory (CHANGES RESULTS; 0: exact)"},
			&cli.IntFlag{Name: "workers", Usage: "worker goroutines (0: GOMAXPROCS); results do not depend on it"},
			&cli.IntFlag{Name: "rank", Usage: "this process's rank in [0, world-size)"},
			&cli.IntFlag{Name: "world-size", Value: 1, Usage: "number of processes sharing the corpus"},
		},
		Action: countAction,
	})
}

func countAction(c *cli.Context) error {
	start := time.Now()
	preName := c.String("pre-tokenizer")
	pre, err := preTokenizer(preName)
	if err != nil {
		return err
	}
	prog := newProgress(os.Stderr)
	var stats []string
	counts, err := countCorpus(c.Args().Slice(), pre, preName, c.Bool("lines"), c.Int("max-words"), c.Int("workers"), c.Int("rank"), c.Int("world-size"), prog, &stats)
	if err != nil {
		return err
	}
	out := c.String("out")
	if err := wordcount.WriteFile(out, counts); err != nil {
		return err
	}
	el := time.Since(start)
	fmt.Fprintf(os.Stderr, "count: rank %d of %d in %s (%.2f MB/s)\n", counts.Meta.Rank, counts.Meta.WorldSize, el.Round(time.Millisecond), float64(counts.Bytes)/1e6/el.Seconds())
	for _, s := range stats {
		fmt.Fprintf(os.Stderr, "  %s\n", s)
	}
	fmt.Fprintf(os.Stderr, "  wrote %s\n", out)
	return nil
}
