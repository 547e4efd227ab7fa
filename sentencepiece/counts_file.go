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
// merged exactly before training. Version 2 adds the sentence-final
// counts; version 1 files (without them) are still read.
const (
	countsMagic   = "tok-spm-counts v2"
	countsMagicV1 = "tok-spm-counts v1"
)

// WriteTo writes the counts as text: the magic line, a line
// "sentences<TAB>skipped<TAB>bytes", then one "count<TAB>final<TAB>word"
// line per word (final: how many of the occurrences end a sentence), most
// frequent first (ties by bytes). Words never hold "\n". Counts with
// unknown sentence ends (wc.Final nil) are written as version 1, one
// "count<TAB>word" line per word.
func (wc *WordCounts) WriteTo(w io.Writer) (int64, error) {
	bw := bufio.NewWriter(w)
	var n int64
	magic := countsMagic
	if wc.Final == nil {
		magic = countsMagicV1
	}
	c, _ := fmt.Fprintf(bw, "%s\n%d\t%d\t%d\n", magic, wc.Sentences, wc.Skipped, wc.Bytes)
	n += int64(c)
	words, freqs, finals := wc.sortedWords()
	var line []byte
	for i, word := range words {
		line = strconv.AppendInt(line[:0], freqs[i], 10)
		line = append(line, '\t')
		if finals != nil {
			line = strconv.AppendInt(line, finals[i], 10)
			line = append(line, '\t')
		}
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
// [WordCounts.WriteTo]; errors name the file and line. When any file is
// of version 1, the sentence ends are unknown (Final is nil).
func ReadWordCounts(paths ...string) (*WordCounts, error) {
	wc := &WordCounts{Words: map[string]int64{}, Final: map[string]int64{}}
	v1 := false
	for _, path := range paths {
		old, err := wc.readFile(path)
		if err != nil {
			return nil, err
		}
		v1 = v1 || old
	}
	if v1 {
		wc.Final = nil
	}
	return wc, nil
}

// readFile adds the counts of one file; v1 reports a version 1 file.
func (wc *WordCounts) readFile(path string) (v1 bool, err error) {
	f, err := os.Open(path)
	if err != nil {
		return false, err
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
			switch string(b) {
			case countsMagic:
			case countsMagicV1:
				v1 = true
			default:
				return false, bad(1, fmt.Sprintf("not a counts file (want %q)", countsMagic))
			}
			continue
		case 2:
			var s, k, by int64
			if _, err := fmt.Sscanf(string(b), "%d\t%d\t%d", &s, &k, &by); err != nil {
				return false, bad(2, "bad totals line")
			}
			wc.Sentences += s
			wc.Skipped += k
			wc.Bytes += by
			continue
		}
		tab := bytes.IndexByte(b, '\t')
		if tab <= 0 || tab == len(b)-1 {
			return false, bad(line, "want count<TAB>final<TAB>word")
		}
		n, err := strconv.ParseInt(string(b[:tab]), 10, 64)
		if err != nil || n <= 0 {
			return false, bad(line, "bad count")
		}
		b = b[tab+1:]
		var final int64
		if !v1 {
			tab = bytes.IndexByte(b, '\t')
			if tab <= 0 || tab == len(b)-1 {
				return false, bad(line, "want count<TAB>final<TAB>word")
			}
			if final, err = strconv.ParseInt(string(b[:tab]), 10, 64); err != nil || final < 0 || final > n {
				return false, bad(line, "bad sentence-final count")
			}
			b = b[tab+1:]
		}
		wc.Words[string(b)] += n
		if final > 0 {
			wc.Final[string(b)] += final
		}
	}
	if err := sc.Err(); err != nil {
		return false, &tok.FormatError{File: path, Line: line + 1, Offset: -1, Msg: "reading", Err: err}
	}
	if line < 2 {
		return false, bad(line, "truncated counts file")
	}
	return v1, nil
}
