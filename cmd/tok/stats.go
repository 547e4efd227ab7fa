package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"text/tabwriter"

	"github.com/urfave/cli/v2"

	"github.com/toklabs/tok/corpora"
	"github.com/toklabs/tok/metrics"
)

func init() {
	register(&cli.Command{
		Name:      "stats",
		Usage:     "intrinsic measures of a tokenizer per corpus file: bytes/token, fertility, Rényi efficiency, ...",
		ArgsUsage: "TOKENIZER",
		Description: "Encodes each file of the corpus (the built-in default corpus when --corpus is not given)\n" +
			"and prints bytes per token, fertility (tokens per whitespace word), the share of words\n" +
			"split into several tokens, Rényi efficiency (α = 2.5, true vocabulary size), vocabulary\n" +
			"utilisation and the bytes that do not decode back to themselves.",
		Flags: []cli.Flag{
			&cli.StringSliceFlag{Name: "corpus", Aliases: []string{"c"}, Usage: "corpus files, directories or globs (`PATH`; repeatable); - for stdin"},
			&cli.StringFlag{Name: "format", Value: "auto", Usage: "input format: auto, text, jsonl or parquet"},
			&cli.StringFlag{Name: "split", Value: "lines", Usage: "plain-text documents: lines, paragraphs or files"},
			&cli.StringFlag{Name: "text-field", Value: "text", Usage: "JSON Lines field or Parquet column with the text"},
			&cli.BoolFlag{Name: "json", Usage: "print JSON instead of a table"},
		},
		Action: statsAction,
	})
}

type statsRow struct {
	File string `json:"file"`
	metrics.IntrinsicReport
}

func statsAction(c *cli.Context) error {
	if c.NArg() != 1 {
		return fmt.Errorf("stats: want one TOKENIZER argument, got %d", c.NArg())
	}
	t, err := openTokenizer(c.Args().First())
	if err != nil {
		return err
	}
	opts := corpora.DefaultOptions()
	if opts.Format, err = corpora.ParseFormat(c.String("format")); err != nil {
		return err
	}
	if opts.Split, err = corpora.ParseSplit(c.String("split")); err != nil {
		return err
	}
	opts.TextField = c.String("text-field")
	opts.AllowInvalidUTF8 = true

	var inputs []corpora.Input
	if specs := c.StringSlice("corpus"); len(specs) > 0 {
		inputs, err = corpora.Expand(specs, opts)
	} else {
		inputs, err = corpora.DefaultInputs()
	}
	if err != nil {
		return err
	}
	// One row per file; the built-in corpus's many Go files are grouped.
	groups := map[string][]corpora.Input{}
	var order []string
	for _, in := range inputs {
		key := in.Path
		if len(c.StringSlice("corpus")) == 0 && filepath.Ext(in.Path) == ".go" {
			key = "default: Go sources"
		}
		if _, ok := groups[key]; !ok {
			order = append(order, key)
		}
		groups[key] = append(groups[key], in)
	}
	total := metrics.NewIntrinsic(t)
	var rows []statsRow
	for _, key := range order {
		m := metrics.NewIntrinsic(t)
		corp := corpora.OpenInputs(groups[key], opts)
		for {
			doc, err := corp.Read()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				corp.Close()
				return err
			}
			m.Add(doc.Text)
		}
		corp.Close()
		total.Merge(m)
		rows = append(rows, statsRow{File: key, IntrinsicReport: m.Report()})
	}
	if len(rows) > 1 {
		rows = append(rows, statsRow{File: "all", IntrinsicReport: total.Report()})
	}
	if c.Bool("json") {
		enc := json.NewEncoder(c.App.Writer)
		enc.SetIndent("", "  ")
		return enc.Encode(rows)
	}
	tw := tabwriter.NewWriter(c.App.Writer, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "file\tbytes\ttokens\tbytes/tok\tfertility\tcontinued\tRényi eff.\tvocab used\tlossy bytes\t")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.3f\t%.3f\t%.1f%%\t%.3f\t%.1f%%\t%d\t\n", r.File, r.Bytes, r.Tokens,
			r.BytesPerToken, r.Fertility, 100*r.ContinuedWords, r.RenyiEfficiency, 100*r.VocabUtilisation, r.LossyBytes)
	}
	return tw.Flush()
}
