package corpora

import (
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/apache/arrow/go/v17/parquet"
	"github.com/apache/arrow/go/v17/parquet/file"
	"github.com/toklabs/tok"
)

// parquetReader yields the string column Options.TextField of a Parquet
// file, row group by row group, a batch of rows at a time; null values
// are skipped. Document.Index is the row number.
type parquetReader struct {
	path   string
	opts   *Options
	f      *file.Reader
	col    int
	maxDef int16
	rg     int // next row group
	cr     *file.ByteArrayColumnChunkReader
	row    int64 // rows consumed so far (file-wide)

	vals []parquet.ByteArray
	defs []int16
	n    int // levels in the batch
	i    int // next level in the batch
	v    int // next value in vals
	text []byte
}

const parquetBatch = 256

func openParquet(path string, opts *Options) (recordReader, error) {
	f, err := file.OpenParquetFile(path, false)
	if err != nil {
		return nil, &tok.FormatError{File: path, Offset: -1, Msg: "not a readable Parquet file", Err: err}
	}
	schema := f.MetaData().Schema
	col := schema.ColumnIndexByName(opts.TextField)
	if col < 0 {
		var names []string
		for i := 0; i < schema.NumColumns(); i++ {
			names = append(names, schema.Column(i).Path())
		}
		f.Close()
		return nil, &tok.FormatError{File: path, Offset: -1, Msg: fmt.Sprintf("no column %q (columns: %v)", opts.TextField, names)}
	}
	c := schema.Column(col)
	if c.PhysicalType() != parquet.Types.ByteArray || c.MaxRepetitionLevel() > 0 {
		f.Close()
		return nil, &tok.FormatError{File: path, Offset: -1, Msg: fmt.Sprintf("column %q is %s (repetition %d), not a string column", opts.TextField, c.PhysicalType(), c.MaxRepetitionLevel())}
	}
	return &parquetReader{
		path: path, opts: opts, f: f, col: col, maxDef: c.MaxDefinitionLevel(),
		vals: make([]parquet.ByteArray, parquetBatch), defs: make([]int16, parquetBatch),
	}, nil
}

func (p *parquetReader) close() error { return p.f.Close() }

func (p *parquetReader) bad(msg string, err error, fatal bool) error {
	return &badRecord{err: &tok.FormatError{File: p.path, Offset: -1, Msg: fmt.Sprintf("row %d: %s", p.row, msg), Err: err}, fatal: fatal}
}

func (p *parquetReader) next() (Document, error) {
	for {
		if p.i >= p.n {
			if err := p.fill(); err != nil {
				return Document{}, err
			}
			continue
		}
		row := p.row
		p.row++
		isNull := p.defs[p.i] < p.maxDef
		p.i++
		if isNull {
			continue
		}
		val := p.vals[p.v]
		p.v++
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

// fill reads the next batch, moving to the next row group when needed.
func (p *parquetReader) fill() error {
	for {
		if p.cr == nil || !p.cr.HasNext() {
			if p.rg >= p.f.NumRowGroups() {
				return io.EOF
			}
			cr, err := p.f.RowGroup(p.rg).Column(p.col)
			if err != nil {
				return p.bad(fmt.Sprintf("row group %d", p.rg), err, true)
			}
			p.rg++
			p.cr = cr.(*file.ByteArrayColumnChunkReader)
			continue
		}
		total, _, err := p.cr.ReadBatch(parquetBatch, p.vals, p.defs, nil)
		if err != nil {
			return p.bad(fmt.Sprintf("reading row group %d", p.rg-1), err, true)
		}
		if total == 0 {
			p.cr = nil
			continue
		}
		if p.maxDef == 0 {
			for i := range p.defs[:total] {
				p.defs[i] = 0
			}
		}
		p.n, p.i, p.v = int(total), 0, 0
		return nil
	}
}
