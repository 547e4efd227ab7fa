package arrowio

import (
	"errors"
	"fmt"
	"io"

	"github.com/apache/arrow/go/v17/parquet"
	"github.com/apache/arrow/go/v17/parquet/file"
)

// Parquet errors.
var (
	ErrNoColumn  = errors.New("no column")
	ErrNotString = errors.New("not a string column")
)

// StringColumn reads one flat BYTE_ARRAY (string) column of a Parquet
// file, row group by row group. It is not safe for concurrent use.
type StringColumn struct {
	f      *file.Reader
	col    int
	maxDef int16
	rg     int
	cr     *file.ByteArrayColumnChunkReader
	vals   []parquet.ByteArray
	defs   []int16
	out    [][]byte
}

// OpenStringColumn opens column name of the Parquet file at path.
func OpenStringColumn(path, name string) (*StringColumn, error) {
	f, err := file.OpenParquetFile(path, false)
	if err != nil {
		return nil, err
	}
	schema := f.MetaData().Schema
	col := schema.ColumnIndexByName(name)
	if col < 0 {
		var names []string
		for i := 0; i < schema.NumColumns(); i++ {
			names = append(names, schema.Column(i).Path())
		}
		f.Close()
		return nil, fmt.Errorf("%w %q (columns: %v)", ErrNoColumn, name, names)
	}
	c := schema.Column(col)
	if c.PhysicalType() != parquet.Types.ByteArray || c.MaxRepetitionLevel() > 0 {
		f.Close()
		return nil, fmt.Errorf("column %q is %s (repetition %d): %w", name, c.PhysicalType(), c.MaxRepetitionLevel(), ErrNotString)
	}
	const batch = 256
	return &StringColumn{f: f, col: col, maxDef: c.MaxDefinitionLevel(),
		vals: make([]parquet.ByteArray, batch), defs: make([]int16, batch)}, nil
}

// Next returns the next rows, at most a few hundred: one entry per row,
// nil for a null. The slices are valid until the next call. It returns
// io.EOF after the last row.
func (s *StringColumn) Next() ([][]byte, error) {
	for {
		if s.cr == nil || !s.cr.HasNext() {
			if s.rg >= s.f.NumRowGroups() {
				return nil, io.EOF
			}
			cr, err := s.f.RowGroup(s.rg).Column(s.col)
			if err != nil {
				return nil, fmt.Errorf("row group %d: %w", s.rg, err)
			}
			s.rg++
			s.cr = cr.(*file.ByteArrayColumnChunkReader)
			continue
		}
		total, _, err := s.cr.ReadBatch(int64(len(s.vals)), s.vals, s.defs, nil)
		if err != nil {
			return nil, fmt.Errorf("row group %d: %w", s.rg-1, err)
		}
		if total == 0 {
			s.cr = nil
			continue
		}
		s.out = s.out[:0]
		v := 0
		for i := 0; i < int(total); i++ {
			if s.maxDef > 0 && s.defs[i] < s.maxDef {
				s.out = append(s.out, nil)
				continue
			}
			b := []byte(s.vals[v])
			if b == nil {
				b = []byte{}
			}
			s.out = append(s.out, b)
			v++
		}
		return s.out, nil
	}
}

// Close closes the file.
func (s *StringColumn) Close() error { return s.f.Close() }
