package corpora

import (
	"fmt"
	"io"
	"math"
	"unicode/utf8"

	"github.com/toklabs/tok"
	"github.com/toklabs/tok/internal/arrowio"
)

// parquetReader yields the string column Options.TextField of a Parquet
// file, or of the row groups of a piece of one (see Pieces); null values
// are skipped. Document.Index is the row number in the whole file, for a
// piece too; Document.Source and errors name the input (Input.Name).
type parquetReader struct {
	name string
	opts *Options
	col  *arrowio.StringColumn
	rows [][]byte
	i    int
	row  int64 // the row number of the next row
}

func openParquet(in Input, opts *Options) (recordReader, error) {
	start, end := int64(0), int64(math.MaxInt64)
	if in.End > 0 {
		start, end = in.Start, in.End
	}
	col, err := arrowio.OpenStringColumnRange(in.Path, opts.TextField, start, end)
	if err != nil {
		return nil, &tok.FormatError{File: in.Name(), Offset: -1, Msg: err.Error()}
	}
	return &parquetReader{name: in.Name(), opts: opts, col: col, row: col.FirstRow()}, nil
}

func (p *parquetReader) close() error { return p.col.Close() }

// bad is the error of row (its number in the whole file).
func (p *parquetReader) bad(row int64, msg string, err error, fatal bool) error {
	return &badRecord{err: &tok.FormatError{File: p.name, Offset: -1, Msg: fmt.Sprintf("row %d: %s", row, msg), Err: err}, fatal: fatal}
}

func (p *parquetReader) next() (Document, error) {
	for {
		if p.i >= len(p.rows) {
			rows, err := p.col.Next()
			if err == io.EOF {
				return Document{}, io.EOF
			}
			if err != nil {
				return Document{}, p.bad(p.row, "unreadable", err, true)
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
			return Document{}, p.bad(row, fmt.Sprintf("text longer than the %d-byte document limit", p.opts.MaxDocBytes), nil, false)
		}
		if !p.opts.AllowInvalidUTF8 && !utf8.Valid(val) {
			return Document{}, p.bad(row, fmt.Sprintf("invalid UTF-8 at byte %d of the text", firstInvalid(val)), nil, false)
		}
		// val stays valid until the column's next Next call, which only
		// a later call of next makes.
		return Document{Source: p.name, Index: row, Text: val}, nil
	}
}
