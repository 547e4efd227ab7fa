package sentencepiece

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/toklabs/tok"
)

// countsMagic starts a word-counts file, so that counting can be split
// across processes (each counts its share of the corpus) and the files
// merged exactly before training.
const countsMagic = "tok-spm-counts v1"

// WriteTo writes the counts as text: the magic line, a line
// "sentences<TAB>skipped<TAB>bytes", then one "count<TAB>word" line per
// word, most frequent first (ties by bytes). Words never hold "\n".
func (wc *WordCounts) WriteTo(w io.Writer) (int64, error) {
	bw := bufio.NewWriter(w)
	var n int64
	c, _ := fmt.Fprintf(bw, "%s\n%d\t%d\t%d\n", countsMagic, wc.Sentences, wc.Skipped, wc.Bytes)
	n += int64(c)
	words, freqs := wc.sortedWords()
	var line []byte
	for i, word := range words {
		line = strconv.AppendInt(line[:0], freqs[i], 10)
		line = append(line, '\t')
		line = append(line, word...)
		line = append(line, '\n')
		c, err := bw.Write(line)
		n += int64(c)
		if err != nil {
			return n, err
		}
	}
	return n, bw.Flush()
}

// ReadWordCounts reads and merges counts files written by
// [WordCounts.WriteTo]; errors name the file and line.
func ReadWordCounts(paths ...string) (*WordCounts, error) {
	wc := &WordCounts{Words: map[string]int64{}}
	for _, path := range paths {
		if err := wc.readFile(path); err != nil {
			return nil, err
		}
	}
	return wc, nil
}

func (wc *WordCounts) readFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<16), 1<<26)
	bad := func(line int, msg string) error {
		return &tok.FormatError{File: path, Line: line, Offset: -1, Msg: msg}
	}
	line := 0
	for sc.Scan() {
		line++
		b := sc.Bytes()
		switch line {
		case 1:
			if string(b) != countsMagic {
				return bad(1, fmt.Sprintf("not a counts file (want %q)", countsMagic))
			}
			continue
		case 2:
			var s, k, by int64
			if _, err := fmt.Sscanf(string(b), "%d\t%d\t%d", &s, &k, &by); err != nil {
				return bad(2, "bad totals line")
			}
			wc.Sentences += s
			wc.Skipped += k
			wc.Bytes += by
			continue
		}
		tab := bytes.IndexByte(b, '\t')
		if tab <= 0 || tab == len(b)-1 {
			return bad(line, "want count<TAB>word")
		}
		n, err := strconv.ParseInt(string(b[:tab]), 10, 64)
		if err != nil || n <= 0 {
			return bad(line, "bad count")
		}
		wc.Words[string(b[tab+1:])] += n
	}
	if err := sc.Err(); err != nil {
		return &tok.FormatError{File: path, Line: line + 1, Offset: -1, Msg: "reading", Err: err}
	}
	if line < 2 {
		return bad(line, "truncated counts file")
	}
	return nil
}
