package corpora

import (
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/toklabs/tok"
	"github.com/toklabs/tok/internal/arrowio"
)

// parquetReader yields the string column Options.TextField of a Parquet
// file; null values are skipped. Document.Index is the row number.
type parquetReader struct {
	path string
	opts *Options
	col  *arrowio.StringColumn
	rows [][]byte
	i    int
	row  int64 // rows consumed so far
	text []byte
}

func openParquet(path string, opts *Options) (recordReader, error) {
	col, err := arrowio.OpenStringColumn(path, opts.TextField)
	if err != nil {
		return nil, &tok.FormatError{File: path, Offset: -1, Msg: err.Error()}
	}
	return &parquetReader{path: path, opts: opts, col: col}, nil
}

func (p *parquetReader) close() error { return p.col.Close() }

func (p *parquetReader) bad(msg string, err error, fatal bool) error {
	return &badRecord{err: &tok.FormatError{File: p.path, Offset: -1, Msg: fmt.Sprintf("row %d: %s", p.row, msg), Err: err}, fatal: fatal}
}

func (p *parquetReader) next() (Document, error) {
	for {
		if p.i >= len(p.rows) {
			rows, err := p.col.Next()
			if err == io.EOF {
				return Document{}, io.EOF
			}
			if err != nil {
				return Document{}, p.bad("unreadable", err, true)
			}
			p.rows, p.i = rows, 0
			continue
		}
		val := p.rows[p.i]
		row := p.row
		p.i++
		p.row++
		if val == nil {
			continue
		}
		if len(val) > p.opts.MaxDocBytes {
			return Document{}, p.bad(fmt.Sprintf("text longer than the %d-byte document limit", p.opts.MaxDocBytes), nil, false)
		}
		if !p.opts.AllowInvalidUTF8 && !utf8.Valid(val) {
			return Document{}, p.bad(fmt.Sprintf("invalid UTF-8 at byte %d of the text", firstInvalid(val)), nil, false)
		}
		p.text = append(p.text[:0], val...)
		return Document{Source: p.path, Index: row, Text: p.text}, nil
	}
}
