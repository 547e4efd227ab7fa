package main

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/toklabs/tok/pipeline"
)

func init() {
	register(&cli.Command{
		Name:      "finalize",
		Usage:     "check that every rank of a sharded encode finished and write the dataset metadata",
		ArgsUsage: "DIR",
		Description: "After `tok encode --out DIR --rank R --world-size W` has run for every R, finalize\n" +
			"checks each rank's completion marker, moves the shards to DIR/{train,validation}/\n" +
			"data-XXXXX-of-NNNNN.arrow and writes state.json, dataset_info.json, dataset_dict.json\n" +
			"and tok_manifest.json. It is safe to run again; unfinished ranks are named.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "export", Usage: "also write flat token files: comma-separated nanogpt, llmc, megatron"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return fmt.Errorf("finalize: want one DIR")
			}
			dir := c.Args().First()
			m, err := pipeline.Finalize(dir)
			if err != nil {
				return fmt.Errorf("finalize: %w", err)
			}
			if err := exportFlat(c, dir, c.String("export")); err != nil {
				return err
			}
			printManifestSummary(c.App.Writer, dir, m)
			return nil
		},
	})
}
