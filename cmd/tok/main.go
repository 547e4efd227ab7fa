// Command tok trains tokenizers, encodes corpora into training shards,
// trains a small transformer on them and compares tokenizers by what the
// model learns. Run `tok --help` for the verbs.
//
// Each verb lives in its own file of this package and registers itself with
// register from an init function; every verb is a thin action that builds
// a library config, calls the library and returns an error.
package main

import (
	"fmt"
	"os"
	"sort"

	"github.com/urfave/cli/v2"
)

var commands []*cli.Command

// register adds a verb to the CLI. Called from init functions.
func register(c *cli.Command) { commands = append(commands, c) }

func newApp() *cli.App {
	sort.Slice(commands, func(i, j int) bool { return commands[i].Name < commands[j].Name })
	return &cli.App{
		Name:                 "tok",
		Usage:                "train tokenizers, encode corpora to shards, and compare tokenizers end to end",
		Version:              version(),
		Commands:             commands,
		EnableBashCompletion: true,
		HideVersion:          false,
	}
}

func main() {
	if err := newApp().Run(os.Args); err != nil {
		fmt.Fprintln(os.Stderr, "tok:", err)
		os.Exit(1)
	}
}
