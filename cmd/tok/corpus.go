package main

import (
	"fmt"
	"text/tabwriter"

	"github.com/urfave/cli/v2"

	"github.com/toklabs/tok/corpora"
)

func init() {
	register(&cli.Command{
		Name:  "corpus",
		Usage: "list and download well-known public corpora",
		Subcommands: []*cli.Command{
			{
				Name:  "list",
				Usage: "list the corpora tok knows, with their sources and checksums",
				Action: func(c *cli.Context) error {
					w := tabwriter.NewWriter(c.App.Writer, 0, 4, 2, ' ', 0)
					fmt.Fprintln(w, "NAME\tCHECKSUM\tDOCUMENTS\tDESCRIPTION")
					for _, e := range corpora.Registry {
						sum := "none (recorded on first download)"
						switch {
						case e.SHA256 != "":
							sum = "sha256 " + e.SHA256[:16] + "…"
						case e.MD5 != "":
							sum = "md5 " + e.MD5
						}
						fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", e.Name, sum, e.Split, e.Description)
					}
					w.Flush()
					dir, _ := corpora.CacheDir()
					fmt.Fprintf(c.App.Writer, "\ncache: %s (set TOK_CACHE to move it); built-in default corpus: %s\n", dir, "Go's own sources and Newton's Opticks under GOROOT, no download")
					return nil
				},
			},
			{
				Name:      "get",
				Usage:     "download a corpus once into the cache (verified, resumable) and print its path",
				ArgsUsage: "NAME",
				Flags: []cli.Flag{
					&cli.StringFlag{Name: "cache", Usage: "cache `DIR` (default: $TOK_CACHE/corpora or the user cache dir)"},
				},
				Action: func(c *cli.Context) error {
					if c.NArg() != 1 {
						return fmt.Errorf("corpus get: want one NAME (see tok corpus list)")
					}
					e, err := corpora.Lookup(c.Args().First())
					if err != nil {
						return err
					}
					dir := c.String("cache")
					if dir == "" {
						if dir, err = corpora.CacheDir(); err != nil {
							return err
						}
					}
					f := &corpora.Fetcher{Dir: dir, Progress: c.App.ErrWriter}
					p, err := f.Get(c.Context, e)
					if err != nil {
						return err
					}
					fmt.Fprintln(c.App.Writer, p)
					fmt.Fprintf(c.App.ErrWriter, "encode it with: tok encode -t VOCAB --out DIR --split %s %s\n", e.Split, p)
					return nil
				},
			},
		},
	})
}
