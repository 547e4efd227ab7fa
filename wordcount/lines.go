package wordcount

import (
	"bufio"
	"io"

	"github.com/toklabs/tok/corpora"
)

// LineReader is a corpora.Reader that yields every line of a text stream
// as one document, the line keeping its "\n" (and any "\r"); a last line
// without "\n" is yielded as it is, and an empty stream yields nothing.
// This is how HuggingFace tokenizers' train_from_files reads a file, so
// counting a LineReader reproduces its word counts. Lines longer than the
// buffer are yielded whole (the buffer grows).
type LineReader struct {
	name  string
	r     *bufio.Reader
	line  []byte
	n     int64
	err   error
	lines bool // Line numbers are known
}

// NewLineReader returns a LineReader over r; name is the documents' Source.
func NewLineReader(name string, r io.Reader) *LineReader {
	return &LineReader{name: name, r: bufio.NewReaderSize(r, 1<<20), lines: true}
}

// NewLineRangeReader returns a LineReader over the lines of r that start
// at a byte offset in [start, end): the part of a file one of several
// processes reads. The ranges [0, a), [a, b), ..., [z, size) of one file
// together yield every line exactly once. Documents carry no line number.
func NewLineRangeReader(name string, r io.ReaderAt, start, end int64) (*LineReader, error) {
	lines, _, err := corpora.LineRange(r, start, end)
	if err != nil {
		return nil, err
	}
	return &LineReader{name: name, r: bufio.NewReaderSize(lines, 1<<20)}, nil
}

// Read returns the next line.
func (l *LineReader) Read() (corpora.Document, error) {
	if l.err != nil {
		return corpora.Document{}, l.err
	}
	l.line = l.line[:0]
	for {
		chunk, err := l.r.ReadSlice('\n')
		l.line = append(l.line, chunk...)
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil {
			l.err = err
			if len(l.line) == 0 {
				return corpora.Document{}, err
			}
			if err != io.EOF {
				return corpora.Document{}, err
			}
		}
		break
	}
	l.n++
	d := corpora.Document{Source: l.name, Index: l.n - 1, Text: l.line}
	if l.lines {
		d.Line = l.n
	}
	return d, nil
}
