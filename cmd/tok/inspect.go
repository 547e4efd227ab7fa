package main

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/toklabs/tok/pipeline"
)

func init() {
	register(&cli.Command{
		Name:      "inspect",
		Usage:     "print a shard set's manifest and statistics, verify it, or decode a document",
		ArgsUsage: "DIR",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "shards", Usage: "list every shard"},
			&cli.BoolFlag{Name: "verify", Usage: "recompute every shard's checksum (xxh3_128, as xxh128sum prints it) and compare with the manifest"},
			&cli.Int64Flag{Name: "doc", Value: -1, Usage: "print document `N` of --split (ids, and text with --tokenizer)"},
			&cli.StringFlag{Name: "split", Value: pipeline.SplitTrain, Usage: "split for --doc"},
			&cli.StringFlag{Name: "tokenizer", Aliases: []string{"t"}, Usage: "tokenizer to decode --doc with"},
		},
		Action: inspectAction,
	})
}

func inspectAction(c *cli.Context) error {
	if c.NArg() != 1 {
		return fmt.Errorf("inspect: want one DIR")
	}
	dir := c.Args().First()
	ds, err := pipeline.OpenDataset(dir)
	if err != nil {
		return fmt.Errorf("inspect: %w", err)
	}
	defer ds.Close()
	w := c.App.Writer
	m := ds.Manifest()
	printManifestSummary(w, dir, m)
	if c.Bool("shards") || c.Bool("verify") {
		bad := 0
		for _, name := range ds.SplitNames() {
			for _, sh := range m.Splits[name].Shards {
				status := ""
				if c.Bool("verify") {
					sum, ok, err := pipeline.VerifyShard(filepath.Join(dir, name, sh.File), sh)
					switch {
					case err != nil:
						status, bad = "  ERROR "+err.Error(), bad+1
					case !ok:
						status, bad = "  MISMATCH "+sum, bad+1
					default:
						status = "  ok"
					}
				}
				fmt.Fprintf(w, "  %s/%s  %d docs  %d tokens  %d bytes  %s  from %s#%d to %s#%d%s\n", name, sh.File, sh.Documents, sh.Tokens, sh.FileBytes, sh.Checksum(),
					sh.First.Source, sh.First.Index, sh.Last.Source, sh.Last.Index, status)
			}
		}
		if bad > 0 {
			return fmt.Errorf("inspect: %d shards failed verification", bad)
		}
	}
	if n := c.Int64("doc"); n >= 0 {
		s, err := ds.Split(c.String("split"))
		if err != nil {
			return err
		}
		ids, nb, err := s.Document(n, nil)
		if err != nil {
			return fmt.Errorf("inspect: %w", err)
		}
		fmt.Fprintf(w, "%s document %d: %d tokens, %d bytes\nids:", s.Name(), n, len(ids), nb)
		for _, id := range ids {
			fmt.Fprintf(w, " %d", id)
		}
		fmt.Fprintln(w)
		if spec := c.String("tokenizer"); spec != "" {
			t, err := openTokenizer(spec)
			if err != nil {
				return err
			}
			u := make([]uint32, len(ids))
			for i, id := range ids {
				u[i] = uint32(id)
			}
			text, err := t.AppendDecode(nil, u)
			if err != nil {
				return fmt.Errorf("inspect: decode: %w", err)
			}
			fmt.Fprintf(w, "text:\n%s\n", text)
		}
	}
	return nil
}

// printManifestSummary prints a dataset's identity and per-split totals.
func printManifestSummary(w io.Writer, dir string, m *pipeline.Manifest) {
	s := m.Settings
	fmt.Fprintf(w, "dataset %s (%s)\n", dir, m.Format)
	fmt.Fprintf(w, "tokenizer sha256 %s, vocab %d", m.Tokenizer.SHA256, m.Tokenizer.VocabSize)
	if s.EncodeOptions != "" {
		fmt.Fprintf(w, ", %s", s.EncodeOptions)
	}
	if s.EOS != nil {
		fmt.Fprintf(w, ", eos %d", *s.EOS)
	}
	fmt.Fprintln(w)
	corpusSum := "xxh3_128 " + m.Corpus.XXH3
	if m.Corpus.XXH3 == "" {
		corpusSum = "sha256 " + m.Corpus.SHA256 // format v1
	}
	fmt.Fprintf(w, "corpus %s: %d inputs, %d documents, %d bytes, %d bad records skipped\n",
		corpusSum, len(m.Corpus.Inputs), m.Corpus.Documents, m.Corpus.Bytes, m.Corpus.Skipped)
	fmt.Fprintf(w, "ranks %d, shard target %d bytes, compression %s, validation fraction %g\n", s.WorldSize, s.ShardBytes, s.Compression, s.ValFraction)
	for _, name := range []string{pipeline.SplitTrain, pipeline.SplitValidation} {
		sp := m.Splits[name]
		if sp == nil {
			continue
		}
		bpt := 0.0
		if sp.Tokens > 0 {
			bpt = float64(sp.Bytes) / float64(sp.Tokens)
		}
		var size int64
		for _, sh := range sp.Shards {
			size += sh.FileBytes
		}
		fmt.Fprintf(w, "%-10s %d shards, %d documents, %d tokens, %d bytes of text, %.3f bytes/token, %.1f MB on disk\n",
			name, len(sp.Shards), sp.Documents, sp.Tokens, sp.Bytes, bpt, float64(size)/1e6)
	}
}

// exportFlat writes the flat token files named in list (comma-separated)
// under DIR/<format>/.
func exportFlat(c *cli.Context, dir, list string) error {
	if list == "" {
		return nil
	}
	ds, err := pipeline.OpenDataset(dir)
	if err != nil {
		return err
	}
	defer ds.Close()
	for _, name := range strings.Split(list, ",") {
		f, err := pipeline.ParseFlatFormat(strings.TrimSpace(name))
		if err != nil {
			return err
		}
		for _, split := range ds.SplitNames() {
			paths, err := ds.Export(f, split, filepath.Join(dir, f.String()))
			if err != nil {
				return fmt.Errorf("export %s: %w", f, err)
			}
			for _, p := range paths {
				fmt.Fprintf(c.App.ErrWriter, "wrote %s\n", p)
			}
		}
	}
	return nil
}
