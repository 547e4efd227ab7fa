package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/urfave/cli/v2"
	"golang.org/x/term"

	"github.com/toklabs/tok/visualize"
)

func init() {
	register(&cli.Command{
		Name:      "show",
		Usage:     "show how a tokenizer cuts text: coloured token boundaries, or an HTML page with ids on hover",
		ArgsUsage: "TOKENIZER [TEXT...]",
		Description: "TOKENIZER is a vocabulary file or directory, or \"bytes\". The text is the remaining\n" +
			"arguments joined by spaces, or standard input when there are none.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "html", Usage: "also write an HTML page to `FILE`"},
			&cli.BoolFlag{Name: "plain", Usage: "no colours: tokens separated by | with their ids below (default when stdout is not a terminal)"},
		},
		Action: showAction,
	})
}

func showAction(c *cli.Context) error {
	if c.NArg() < 1 {
		return fmt.Errorf("show: missing TOKENIZER")
	}
	spec := c.Args().First()
	t, err := openTokenizer(spec)
	if err != nil {
		return err
	}
	var text []byte
	if c.NArg() > 1 {
		text = []byte(strings.Join(c.Args().Slice()[1:], " "))
	} else if text, err = io.ReadAll(os.Stdin); err != nil {
		return fmt.Errorf("show: reading stdin: %w", err)
	}
	pieces, err := visualize.Pieces(t, text)
	if err != nil {
		return err
	}
	out := c.App.Writer
	colour := !c.Bool("plain")
	if f, ok := out.(*os.File); !ok || !term.IsTerminal(int(f.Fd())) {
		colour = false
	}
	if colour {
		err = visualize.WriteANSI(out, pieces)
	} else {
		err = visualize.WritePlain(out, pieces)
	}
	if err != nil {
		return err
	}
	if path := c.String("html"); path != "" {
		f, err := os.Create(path)
		if err != nil {
			return err
		}
		if err := visualize.WriteHTML(f, spec, pieces); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
		fmt.Fprintf(c.App.ErrWriter, "wrote %s\n", path)
	}
	return nil
}
