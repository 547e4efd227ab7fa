package sentencepiece

import (
	"bytes"
	"io"
	"math/rand/v2"

	"github.com/toklabs/tok/corpora"
)

// sampleSentences draws a uniform reservoir sample of n lines from r with
// the given seed and returns them as a reader; it holds only the n lines.
func sampleSentences(r corpora.Reader, n int, seed uint64) (corpora.Reader, error) {
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	res := make([][]byte, 0, n)
	var seen int64
	for {
		doc, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		text := bytes.TrimSuffix(doc.Text, []byte("\n"))
		for _, line := range bytes.Split(text, []byte("\n")) {
			seen++
			if len(res) < n {
				res = append(res, bytes.Clone(line))
			} else if k := rng.Int64N(seen); k < int64(n) {
				res[k] = bytes.Clone(line)
			}
		}
	}
	return &linesReader{lines: res}, nil
}

type linesReader struct {
	lines [][]byte
	i     int
}

func (l *linesReader) Read() (corpora.Document, error) {
	if l.i >= len(l.lines) {
		return corpora.Document{}, io.EOF
	}
	l.i++
	return corpora.Document{Source: "sample", Index: int64(l.i - 1), Text: l.lines[l.i-1]}, nil
}
