package corpora

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/toklabs/tok"
)

// lineReader reads lines of any length from a source without holding more
// than maxBytes of one line.
type lineReader struct {
	src      *source
	maxBytes int
	line     int64 // number of lines read so far (1-based number of the last one)
	long     []byte
}

// readLine returns the next line without its "\n" or "\r\n", the offset
// where it starts, and tooLong when it exceeded maxBytes (its bytes are
// then dropped). The returned slice is valid until the next call. It
// returns io.EOF when no line is left.
func (r *lineReader) readLine() (line []byte, start int64, tooLong bool, err error) {
	start = r.src.off
	chunk, err := r.src.br.ReadSlice('\n')
	r.src.off += int64(len(chunk))
	if err == nil {
		// Fast path: the whole line fits in the buffer.
		r.line++
		line := trimEOL(chunk)
		return line, start, len(line) > r.maxBytes, nil
	}
	return r.readLineSlow(chunk, start, err)
}

// readLineSlow handles lines longer than the read buffer, the last line
// without a newline, and read errors.
func (r *lineReader) readLineSlow(chunk []byte, start int64, err error) ([]byte, int64, bool, error) {
	r.long = r.long[:0]
	tooLong := false
	add := func(b []byte) {
		if tooLong {
			return
		}
		if len(r.long)+len(b) > r.maxBytes+2 {
			tooLong = true
			r.long = r.long[:0]
			return
		}
		r.long = append(r.long, b...)
	}
	add(chunk)
	for err == bufio.ErrBufferFull {
		chunk, err = r.src.br.ReadSlice('\n')
		r.src.off += int64(len(chunk))
		add(chunk)
	}
	if err == io.EOF {
		if r.src.off == start {
			return nil, start, false, io.EOF
		}
		err = nil
	}
	if err != nil {
		return nil, start, false, err
	}
	r.line++
	if tooLong {
		return nil, start, true, nil
	}
	line := trimEOL(r.long)
	return line, start, len(line) > r.maxBytes, nil
}

func trimEOL(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\n' {
		b = b[:n-1]
	}
	if n := len(b); n > 0 && b[n-1] == '\r' {
		b = b[:n-1]
	}
	return b
}

func isBlank(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\t' && c != '\r' {
			return false
		}
	}
	return true
}

// textReader yields documents from plain text.
type textReader struct {
	lr    lineReader
	split Split
	opts  *Options
	index int64
	doc   []byte
	done  bool
}

func newTextReader(src *source, split Split, opts *Options) *textReader {
	return &textReader{lr: lineReader{src: src, maxBytes: opts.MaxDocBytes}, split: split, opts: opts}
}

func (t *textReader) close() error { return t.lr.src.close() }

func (t *textReader) bad(line int64, off int64, msg string, fatal bool) error {
	return &badRecord{err: &tok.FormatError{File: t.lr.src.name, Line: int(line), Offset: off, Msg: msg}, fatal: fatal}
}

func (t *textReader) fail(err error) error {
	var fe *tok.FormatError
	if errors.As(err, &fe) {
		return &badRecord{err: fe, fatal: true}
	}
	return fmt.Errorf("corpora: %s: %w", t.lr.src.name, err)
}

// checkUTF8 returns a bad record error when text is not valid UTF-8 and
// the options do not allow it.
func (t *textReader) checkUTF8(text []byte, line, off int64) error {
	if t.opts.AllowInvalidUTF8 || utf8.Valid(text) {
		return nil
	}
	i := firstInvalid(text)
	return t.bad(line, off+int64(i), fmt.Sprintf("invalid UTF-8 at byte offset %d", off+int64(i)), false)
}

func firstInvalid(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return len(b)
}

func (t *textReader) next() (Document, error) {
	if t.done {
		return Document{}, io.EOF
	}
	switch t.split {
	case SplitParagraphs:
		return t.nextParagraph()
	case SplitFiles:
		return t.nextFile()
	default:
		return t.nextLine()
	}
}

func (t *textReader) nextLine() (Document, error) {
	for {
		line, start, tooLong, err := t.lr.readLine()
		if err == io.EOF {
			t.done = true
			return Document{}, io.EOF
		}
		if err != nil {
			t.done = true
			return Document{}, t.fail(err)
		}
		if tooLong {
			t.index++
			return Document{}, t.bad(t.lr.line, start, fmt.Sprintf("line longer than the %d-byte document limit", t.opts.MaxDocBytes), false)
		}
		if len(line) == 0 {
			continue
		}
		idx := t.index
		t.index++
		if err := t.checkUTF8(line, t.lr.line, start); err != nil {
			return Document{}, err
		}
		return Document{Source: t.lr.src.name, Index: idx, Line: t.lr.line, Text: line}, nil
	}
}

func (t *textReader) nextParagraph() (Document, error) {
	t.doc = t.doc[:0]
	var first int64
	var startOff int64
	tooLong := false
	for {
		line, start, long, err := t.lr.readLine()
		if err != nil && err != io.EOF {
			t.done = true
			return Document{}, t.fail(err)
		}
		end := err == io.EOF
		if !end && !long && isBlank(line) || end {
			if first == 0 {
				if end {
					t.done = true
					return Document{}, io.EOF
				}
				continue // blank lines between paragraphs
			}
			if end {
				t.done = true
			}
			idx := t.index
			t.index++
			if tooLong {
				return Document{}, t.bad(first, startOff, fmt.Sprintf("paragraph longer than the %d-byte document limit", t.opts.MaxDocBytes), false)
			}
			if err := t.checkUTF8(t.doc, first, startOff); err != nil {
				return Document{}, err
			}
			return Document{Source: t.lr.src.name, Index: idx, Line: first, Text: t.doc}, nil
		}
		if first == 0 {
			first = t.lr.line
			startOff = start
		}
		if tooLong {
			continue
		}
		if long || len(t.doc)+len(line)+1 > t.opts.MaxDocBytes {
			tooLong = true
			t.doc = t.doc[:0]
			continue
		}
		if len(t.doc) > 0 {
			t.doc = append(t.doc, '\n')
		}
		t.doc = append(t.doc, line...)
	}
}

func (t *textReader) nextFile() (Document, error) {
	t.done = true
	max := t.opts.MaxDocBytes
	t.doc = t.doc[:0]
	buf := t.doc
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := t.lr.src.br.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		t.lr.src.off += int64(n)
		if len(buf) > max {
			t.doc = buf[:0]
			if _, err := io.Copy(io.Discard, t.lr.src.br); err != nil {
				return Document{}, t.fail(err)
			}
			return Document{}, t.bad(0, 0, fmt.Sprintf("file longer than the %d-byte document limit", max), false)
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return Document{}, t.fail(err)
		}
	}
	t.doc = buf
	if err := t.checkUTF8(buf, 0, 0); err != nil {
		return Document{}, err
	}
	return Document{Source: t.lr.src.name, Index: 0, Line: 1, Text: buf}, nil
}
