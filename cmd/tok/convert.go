package main

// `tok convert IN OUT`: a SentencePiece .model (BPE or Unigram) to a
// HuggingFace tokenizer.json, in the layout of HF's own converters.

import (
	"fmt"
	"io"

	"github.com/urfave/cli/v2"

	"github.com/toklabs/tok/internal/atomicfile"
	"github.com/toklabs/tok/sentencepiece"
	"github.com/toklabs/tok/tokenizerjson"
)

func init() {
	register(&cli.Command{
		Name:      "convert",
		Usage:     "convert a SentencePiece .model (BPE or Unigram) to a HuggingFace tokenizer.json",
		ArgsUsage: "IN.model OUT.json",
		Description: "Writes OUT in the layout of HF's SentencePiece converters. BPE models become a BPE\n" +
			"model with merges derived from the piece scores (as HF's converter derives them), unk_token,\n" +
			"fuse_unk and byte_fallback, with the Prepend(\"▁\") + Replace(\" \", \"▁\") normalizer of\n" +
			"Llama-style files; Unigram models become a Unigram model with a Metaspace pre-tokenizer.\n" +
			"Control and user-defined pieces become added_tokens. HF then gives the .model's ids except\n" +
			"where the text holds a control piece's string (<s>, </s>): HF matches those, SentencePiece\n" +
			"encodes them as text. OUT is replaced atomically.",
		Action: convertAction,
	})
}

func convertAction(c *cli.Context) error {
	if c.NArg() != 2 {
		return fmt.Errorf("convert: want IN.model OUT.json, got %d arguments", c.NArg())
	}
	in, out := c.Args().Get(0), c.Args().Get(1)
	m, err := sentencepiece.Load(in)
	if err != nil {
		return fmt.Errorf("convert: %w", err)
	}
	if err := atomicfile.Write(out, func(w io.Writer) error { return tokenizerjson.WriteSentencePiece(w, m) }); err != nil {
		return fmt.Errorf("convert %s: %w", in, err)
	}
	fmt.Fprintf(c.App.ErrWriter, "convert: %s (%v, %d pieces) -> %s\n", in, m.Algorithm(), m.VocabSize(), out)
	return nil
}
