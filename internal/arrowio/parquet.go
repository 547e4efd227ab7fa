package arrowio

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/metadata"
)

// Parquet errors.
var (
	ErrNoColumn  = errors.New("no column")
	ErrNotString = errors.New("not a string column")
	ErrCorrupt   = errors.New("corrupt data")
)

// StringColumn reads one flat BYTE_ARRAY (string) column of a Parquet
// file, row group by row group: all of them, or those of a byte range
// (OpenStringColumnRange). It is not safe for concurrent use.
type StringColumn struct {
	f        *file.Reader
	col      int
	maxDef   int16
	rg, last int   // the next row group to open; one past the last one read
	firstRow int64 // the row number in the file of the first row read
	rows     int64 // rows in the row groups read
	cr       *file.ByteArrayColumnChunkReader
	pages    *pageBuffers // the reader's allocator
	err      error        // a corrupt page: the rest cannot be read
	// rgRows is the current row group's rows according to the footer,
	// rgRead those read so far: fewer at its end means pages were lost.
	rgRows, rgRead int64
	vals           []parquet.ByteArray
	defs           []int16
	out            [][]byte
}

// OpenStringColumn opens column name of the Parquet file at path.
func OpenStringColumn(path, name string) (*StringColumn, error) {
	return OpenStringColumnRange(path, name, 0, math.MaxInt64)
}

// OpenStringColumnRange opens column name of the Parquet file at path for
// the row groups that start at a byte in [start, end) (see
// RowGroupStarts). The ranges [0, a), [a, b), ..., [z, size) of a file
// together give each row group exactly once, in the file's order, so
// several readers can each read one. A range where no row group starts
// reads no row (Next returns io.EOF at once); FirstRow says where in the
// file the range's rows begin. The column is checked (present, a string)
// whatever the range.
func OpenStringColumnRange(path, name string, start, end int64) (_ *StringColumn, err error) {
	if start < 0 || end <= start {
		return nil, fmt.Errorf("bad byte range [%d, %d)", start, end)
	}
	pages := &pageBuffers{pool: sharedPages}
	f, size, err := openParquetFile(path, pages)
	if err != nil {
		return nil, err
	}
	defer corruptFooter(f, &err)
	md := f.MetaData()
	schema := md.Schema
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
	starts, err := rowGroupStarts(md, size)
	if err != nil {
		f.Close()
		return nil, err
	}
	const batch = 256
	s := &StringColumn{f: f, col: col, maxDef: c.MaxDefinitionLevel(), pages: pages,
		vals: make([]parquet.ByteArray, batch), defs: make([]int16, batch)}
	// starts is non-decreasing: the range's row groups are consecutive.
	for s.rg < len(starts) && starts[s.rg] < start {
		s.firstRow += md.RowGroup(s.rg).NumRows()
		s.rg++
	}
	for s.last = s.rg; s.last < len(starts) && starts[s.last] < end; s.last++ {
		s.rows += md.RowGroup(s.last).NumRows()
	}
	return s, nil
}

// openParquetFile opens a Parquet file and reads its footer; it returns
// the file's size too. The reader allocates with alloc (nil: arrow's Go
// allocator).
func openParquetFile(path string, alloc memory.Allocator) (*file.Reader, int64, error) {
	osf, err := os.Open(path)
	if err != nil {
		return nil, 0, err
	}
	fi, err := osf.Stat()
	if err != nil {
		osf.Close()
		return nil, 0, err
	}
	// Read each column chunk through a 1 MiB buffer. Unbuffered, arrow
	// reads a whole column chunk into a fresh buffer and copies it into a
	// second one as large: on a 100 MB file of 5 row groups that was 2×
	// the file in fresh memory, and tok encode ran 1.28× slower.
	props := parquet.NewReaderProperties(alloc)
	props.BufferedStreamEnabled = true
	props.BufferSize = 1 << 20
	f, err := readFooter(osf, props)
	if err != nil {
		osf.Close() // NewParquetReader leaves it open on a bad footer
		return nil, 0, err
	}
	return f, fi.Size(), nil
}

// corruptFooter, deferred while a function reads the metadata of f, turns
// a panic of arrow's metadata accessors (a column chunk without its
// metadata, say) into an ErrCorrupt error in *err and closes f.
func corruptFooter(f *file.Reader, err *error) {
	if r := recover(); r != nil {
		f.Close()
		*err = fmt.Errorf("footer: %w: %v", ErrCorrupt, r)
	}
}

// readFooter is file.NewParquetReader, with its panics on a corrupt footer
// turned into errors.
func readFooter(osf *os.File, props *parquet.ReaderProperties) (f *file.Reader, err error) {
	defer func() {
		if r := recover(); r != nil {
			f, err = nil, fmt.Errorf("footer: %w: %v", ErrCorrupt, r)
		}
	}()
	return file.NewParquetReader(osf, file.WithReadProps(props))
}

// RowGroupStarts returns, for each row group of the Parquet file at path,
// the byte where it starts and its number of rows. A byte range holds the
// row groups whose start lies in it (OpenStringColumnRange).
//
// A row group's start is where its first page is: the least, over its
// column chunks, of the data page offset or the dictionary page offset
// when the chunk has a dictionary page before its data (the offsets the
// Parquet reader seeks to). The row group's own file_offset is not used:
// some writers have set it wrong. So that the row groups of consecutive
// ranges keep the file's order whatever the writer did, a row group starts
// no earlier than the one before it (a running maximum), and a start
// outside the file is taken as its first or last byte: every row group is
// then in exactly one range of a partition of [0, size).
func RowGroupStarts(path string) (starts, rows []int64, err error) {
	f, size, err := openParquetFile(path, nil)
	if err != nil {
		return nil, nil, err
	}
	defer corruptFooter(f, &err) // closes f after a panic
	md := f.MetaData()
	if starts, err = rowGroupStarts(md, size); err != nil {
		f.Close()
		return nil, nil, err
	}
	for i := range len(md.GetRowGroups()) {
		rows = append(rows, md.RowGroup(i).NumRows())
	}
	return starts, rows, f.Close()
}

func rowGroupStarts(md *metadata.FileMetaData, size int64) ([]int64, error) {
	starts := make([]int64, len(md.GetRowGroups()))
	prev := int64(0)
	for i := range starts {
		rg := md.RowGroup(i)
		first := int64(math.MaxInt64)
		for j := range rg.NumColumns() {
			cc, err := rg.ColumnChunk(j)
			if err != nil {
				return nil, fmt.Errorf("row group %d, column %d: %w", i, j, err)
			}
			off := cc.DataPageOffset()
			if cc.HasDictionaryPage() && cc.DictionaryPageOffset() > 0 && cc.DictionaryPageOffset() < off {
				off = cc.DictionaryPageOffset()
			}
			first = min(first, off)
		}
		if first == math.MaxInt64 { // no column: where the one before starts
			first = prev
		}
		first = max(min(first, size-1), 0, prev)
		starts[i], prev = first, first
	}
	return starts, nil
}

// FirstRow returns the row number, in the whole file, of the first row
// that Next returns: the rows of the row groups before the range. For a
// range without a row group it is the number of rows before the range.
func (s *StringColumn) FirstRow() int64 { return s.firstRow }

// Rows returns how many rows the row groups of the range hold, nulls
// included.
func (s *StringColumn) Rows() int64 { return s.rows }

// Next returns the next rows, at most a few hundred: one entry per row,
// nil for a null. The slices are valid until the next call. It returns
// io.EOF after the last row. A corrupt page is an error wrapping
// ErrCorrupt (arrow's decoders panic on some, e.g. bad snappy data), and
// so is every call after it.
func (s *StringColumn) Next() (rows [][]byte, err error) {
	if s.err != nil {
		return nil, s.err
	}
	defer func() {
		if r := recover(); r != nil {
			s.cr = nil
			s.err = fmt.Errorf("row group %d: %w: %v", s.rg-1, ErrCorrupt, r)
			rows, err = nil, s.err
		}
	}()
	return s.next()
}

func (s *StringColumn) next() ([][]byte, error) {
	for {
		if s.cr == nil || !s.cr.HasNext() {
			if s.cr != nil {
				if err := s.endRowGroup(); err != nil {
					return nil, err
				}
			}
			if s.rg >= s.last {
				return nil, io.EOF
			}
			// The rows returned before are dead (see above), and so
			// are the pages of the row groups read so far.
			s.pages.nextRowGroup()
			cr, err := s.f.RowGroup(s.rg).Column(s.col)
			if err != nil {
				return nil, fmt.Errorf("row group %d: %w", s.rg, err)
			}
			s.rgRows, s.rgRead = s.f.MetaData().RowGroup(s.rg).NumRows(), 0
			s.rg++
			s.cr = cr.(*file.ByteArrayColumnChunkReader)
			continue
		}
		// The values of one page, pointing into it (ReadBatch would copy
		// every value into fresh memory, for callers that keep them; ours
		// copy them before the next call). Performance notes: ReadBatch's
		// copy was 13% of tok encode's CPU on 100 MB of Parquet with
		// arrow-go v18 (v17 did not copy).
		total, _, err := s.cr.ReadBatchInPage(int64(len(s.vals)), s.vals, s.defs, nil)
		if err != nil {
			s.err = fmt.Errorf("row group %d: %w: %w", s.rg-1, ErrCorrupt, err)
			return nil, s.err
		}
		if total == 0 {
			if err := s.endRowGroup(); err != nil {
				return nil, err
			}
			continue
		}
		s.rgRead += total
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

// endRowGroup checks that the row group just read ended well. Its column
// reader stops (HasNext false) at the end and also when a page could not
// be read: without the check a bad page silently ended its row group,
// dropping its rows.
func (s *StringColumn) endRowGroup() error {
	if err := s.cr.Err(); err != nil {
		s.err = fmt.Errorf("row group %d: %w: %v", s.rg-1, ErrCorrupt, err)
	} else if s.rgRead != s.rgRows {
		s.err = fmt.Errorf("row group %d: %w: %d rows read, the footer says %d", s.rg-1, ErrCorrupt, s.rgRead, s.rgRows)
	}
	s.closeChunk()
	return s.err
}

// closeChunk closes the current column chunk reader, which gives its page
// buffers back to the allocator (pageBuffers).
func (s *StringColumn) closeChunk() {
	if s.cr != nil {
		s.cr.Close()
		s.cr = nil
	}
}

// Close closes the file. The rows returned before are no longer valid.
func (s *StringColumn) Close() error {
	s.closeChunk()
	err := s.f.Close()
	s.pages.nextRowGroup()
	return err
}
