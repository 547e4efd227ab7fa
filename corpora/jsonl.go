package corpora

import (
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/toklabs/tok"
)

// jsonlReader yields the text field of each JSON object of a JSON Lines
// input. Blank lines are skipped.
type jsonlReader struct {
	lr    lineReader
	opts  *Options
	index int64
	text  []byte
}

func newJSONLReader(src *source, opts *Options) *jsonlReader {
	// A JSON line may be a little longer than its text (escapes, other
	// fields); allow twice the document limit plus some slack.
	return &jsonlReader{lr: lineReader{src: src, maxBytes: 2*opts.MaxDocBytes + 1<<16}, opts: opts}
}

func (j *jsonlReader) close() error { return j.lr.src.close() }

func (j *jsonlReader) bad(line, off int64, msg string, err error) error {
	return &badRecord{err: &tok.FormatError{File: j.lr.src.name, Line: int(line), Offset: off, Msg: msg, Err: err}}
}

func (j *jsonlReader) next() (Document, error) {
	for {
		line, start, tooLong, err := j.lr.readLine()
		if err == io.EOF {
			return Document{}, io.EOF
		}
		if err != nil {
			t := textReader{lr: j.lr}
			return Document{}, t.fail(err)
		}
		if tooLong {
			j.index++
			return Document{}, j.bad(j.lr.line, start, "JSON line longer than the document limit", nil)
		}
		if isBlank(line) {
			continue
		}
		idx := j.index
		j.index++
		if !j.opts.AllowInvalidUTF8 && !utf8.Valid(line) {
			off := start + int64(firstInvalid(line))
			return Document{}, j.bad(j.lr.line, off, fmt.Sprintf("invalid UTF-8 at byte offset %d", off), nil)
		}
		text, err := j.field(line)
		if err != nil {
			return Document{}, j.bad(j.lr.line, start, err.Error(), nil)
		}
		if len(text) > j.opts.MaxDocBytes {
			return Document{}, j.bad(j.lr.line, start, fmt.Sprintf("text longer than the %d-byte document limit", j.opts.MaxDocBytes), nil)
		}
		return Document{Source: j.lr.src.name, Index: idx, Line: j.lr.line, Text: text}, nil
	}
}

// field extracts the text field of one JSON object: the fast path, and
// the reference when the fast path declines.
func (j *jsonlReader) field(line []byte) ([]byte, error) {
	var ok bool
	if j.text, ok = appendJSONField(j.text[:0], line, j.opts.TextField); ok {
		return j.text, nil
	}
	var err error
	j.text, err = jsonFieldNaive(j.text[:0], line, j.opts.TextField)
	return j.text, err
}
