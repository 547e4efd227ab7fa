package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/urfave/cli/v2"
)

func init() {
	register(&cli.Command{
		Name:      "decode",
		Usage:     "decode token ids back into the exact bytes",
		ArgsUsage: "[FILE] (- or none: standard input)",
		Description: "Reads ids, one JSON array ([791,4062]) or whitespace-separated decimal ids per line,\n" +
			"and writes the bytes they stand for. With --per-line each input line is decoded on its\n" +
			"own and followed by \"\\n\" (the inverse of encode --per-line); without it the bytes of all\n" +
			"lines are written back to back (the inverse of encode on whole files).",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "tokenizer", Aliases: []string{"t"}, Required: true, Usage: "vocabulary `PATH` (any file or directory tok.Open reads), or \"bytes\""},
			&cli.BoolFlag{Name: "per-line", Aliases: []string{"l"}, Usage: "write \"\\n\" after the bytes of each input line"},
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "write to `FILE` instead of standard output"},
		},
		Action: decodeAction,
	})
}

func decodeAction(c *cli.Context) error {
	if c.NArg() > 1 {
		return fmt.Errorf("decode: want at most one FILE, got %d", c.NArg())
	}
	t, err := openTokenizer(c.String("tokenizer"))
	if err != nil {
		return err
	}
	name := "-"
	if c.NArg() == 1 {
		name = c.Args().First()
	}
	in, err := openIDInput(name)
	if err != nil {
		return err
	}
	defer in.Close()
	var w io.Writer = c.App.Writer
	var outFile *os.File
	if path := c.String("output"); path != "" {
		if outFile, err = os.Create(path); err != nil {
			return err
		}
		defer outFile.Close()
		w = outFile
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 0, 1<<20), 1<<30)
	perLine := c.Bool("per-line")
	var ids []uint32
	var out []byte
	for lineNo := 1; sc.Scan(); lineNo++ {
		ids, err = parseIDLine(ids[:0], sc.Bytes())
		if err != nil {
			bw.Flush()
			return fmt.Errorf("decode: %s:%d: %w", name, lineNo, err)
		}
		out, err = t.AppendDecode(out[:0], ids)
		if err != nil {
			bw.Write(out)
			bw.Flush()
			return fmt.Errorf("decode: %s:%d: %w", name, lineNo, err)
		}
		if perLine {
			out = append(out, '\n')
		}
		if _, err := bw.Write(out); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		bw.Flush()
		return fmt.Errorf("decode: %s: %w", name, err)
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if outFile != nil {
		return outFile.Close()
	}
	return nil
}

// parseIDLine parses "[1,2,3]" or "1 2 3" (any whitespace, commas
// allowed) into ids.
func parseIDLine(dst []uint32, line []byte) ([]uint32, error) {
	line = bytes.TrimSpace(line)
	if len(line) > 0 && line[0] == '[' {
		if line[len(line)-1] != ']' {
			return dst, fmt.Errorf("unterminated JSON array")
		}
		line = line[1 : len(line)-1]
	}
	for i := 0; i < len(line); {
		c := line[i]
		if c == ' ' || c == ',' || c == '\t' || c == '\r' {
			i++
			continue
		}
		j := i
		for j < len(line) && line[j] >= '0' && line[j] <= '9' {
			j++
		}
		if j == i {
			return dst, fmt.Errorf("byte %d: want a decimal id, found %q", i+1, c)
		}
		v, err := strconv.ParseUint(string(line[i:j]), 10, 32)
		if err != nil {
			return dst, fmt.Errorf("byte %d: id %s out of range", i+1, line[i:j])
		}
		dst = append(dst, uint32(v))
		i = j
	}
	return dst, nil
}
