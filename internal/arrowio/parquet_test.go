package arrowio

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/schema"
)

// Every test reads Parquet with recycled page buffers overwritten.
func init() { scribbleRecycled = true }

// writeRowGroups writes a Parquet file with arrow/go's column writer: an
// int64 "id" and a nullable string "text" column, one row group per entry
// of groups (its number of rows; 0 makes an empty row group), with or
// without dictionary pages. Every 7th row is null. It returns the rows as
// readAll does: the texts, "<null>" for a null.
func writeRowGroups(t testing.TB, path string, groups []int, dict bool, opts ...parquet.WriterProperty) []string {
	t.Helper()
	sc := schema.MustGroup(schema.NewGroupNode("schema", parquet.Repetitions.Required, schema.FieldList{
		schema.NewInt64Node("id", parquet.Repetitions.Required, -1),
		schema.Must(schema.NewPrimitiveNodeLogical("text", parquet.Repetitions.Optional, schema.StringLogicalType{}, parquet.Types.ByteArray, -1, -1)),
	}, -1))
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	props := parquet.NewWriterProperties(append([]parquet.WriterProperty{parquet.WithDictionaryDefault(dict), parquet.WithDataPageSize(512)}, opts...)...)
	w := file.NewParquetWriter(f, sc, file.WithWriterProps(props))
	var texts []string
	for _, n := range groups {
		var ids []int64
		var vals []parquet.ByteArray
		var defs []int16
		for range n {
			row := len(texts)
			ids = append(ids, int64(row))
			if row%7 == 3 {
				defs = append(defs, 0)
				texts = append(texts, "<null>")
				continue
			}
			s := fmt.Sprintf("row %d %s", row, strings.Repeat("ab", row%13))
			if row%5 == 0 {
				s = "" // an empty string is not a null
			}
			defs = append(defs, 1)
			vals = append(vals, parquet.ByteArray(s))
			texts = append(texts, s)
		}
		rg := w.AppendRowGroup()
		cw, err := rg.NextColumn()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := cw.(*file.Int64ColumnChunkWriter).WriteBatch(ids, nil, nil); err != nil {
			t.Fatal(err)
		}
		cw.Close()
		if cw, err = rg.NextColumn(); err != nil {
			t.Fatal(err)
		}
		if _, err := cw.(*file.ByteArrayColumnChunkWriter).WriteBatch(vals, defs, nil); err != nil {
			t.Fatal(err)
		}
		cw.Close()
		if err := rg.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return texts
}

// readAll reads every row of c; a null is "<null>".
func readAll(t testing.TB, c *StringColumn) []string {
	t.Helper()
	var out []string
	for {
		rows, err := c.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			if r == nil {
				out = append(out, "<null>")
			} else {
				out = append(out, string(r))
			}
		}
	}
}

// TestStringColumnRange reads a file with row groups of many sizes (one
// empty) as byte ranges of several sizes: the ranges give each row group
// once, in order, starting at the right row, and together every row of
// the whole file.
func TestStringColumnRange(t *testing.T) {
	groups := []int{40, 1, 0, 77, 3, 120, 9, 9, 250, 2}
	for _, dict := range []bool{true, false} {
		path := filepath.Join(t.TempDir(), "rg.parquet")
		want := writeRowGroups(t, path, groups, dict)
		whole, err := OpenStringColumn(path, "text")
		if err != nil {
			t.Fatal(err)
		}
		if got := readAll(t, whole); !slices.Equal(got, want) || whole.FirstRow() != 0 || whole.Rows() != int64(len(want)) {
			t.Fatalf("dict %v: whole file: %d rows (Rows %d, FirstRow %d), want %d", dict, len(got), whole.Rows(), whole.FirstRow(), len(want))
		}
		whole.Close()

		starts, rows, err := RowGroupStarts(path)
		if err != nil {
			t.Fatal(err)
		}
		fi, _ := os.Stat(path)
		size := fi.Size()
		if len(starts) != len(groups) || len(rows) != len(groups) {
			t.Fatalf("dict %v: %d row groups, want %d", dict, len(starts), len(groups))
		}
		for i, s := range starts {
			// Each row group is written after the one before, behind "PAR1";
			// an empty one has no page, and starts where the one before does.
			if s < 4 || s >= size || i > 0 && (s < starts[i-1] || s == starts[i-1] && rows[i] > 0) || rows[i] != int64(groups[i]) {
				t.Fatalf("dict %v: row group %d starts at %d with %d rows (starts %v, size %d)", dict, i, s, rows[i], starts, size)
			}
		}

		// Partitions of [0, size): pieces of several sizes, and cuts at,
		// just before and just after every row group's start.
		partitions := map[string][]int64{}
		for _, piece := range []int64{97, 500, size / 3, size - 1, size, size + 100} {
			var cuts []int64
			for c := piece; c < size; c += piece {
				cuts = append(cuts, c)
			}
			partitions[fmt.Sprintf("pieces of %d bytes", piece)] = cuts
		}
		for _, d := range []int64{-1, 0, 1} {
			var cuts []int64
			for _, s := range starts {
				if c := s + d; c > 0 && c < size && (len(cuts) == 0 || c > cuts[len(cuts)-1]) {
					cuts = append(cuts, c)
				}
			}
			partitions[fmt.Sprintf("cuts at the starts %+d", d)] = cuts
		}
		for name, cuts := range partitions {
			nonEmpty := checkPartition(t, fmt.Sprintf("dict %v, %s", dict, name), path, want, cuts)
			// Cut at the starts, the first range (before the first row
			// group) is empty and each other one holds a row group with
			// rows (the empty row group goes with the one before it).
			if name == "cuts at the starts +0" && nonEmpty != len(groups)-1 {
				t.Errorf("dict %v, %s: %d ranges with rows, want %d", dict, name, nonEmpty, len(groups)-1)
			}
		}
	}
}

// checkPartition reads the file at path as the ranges between cuts
// (increasing, within the file) and checks that each range holds the row
// groups that start in it, from the right row, and that together they
// hold want (the whole file's rows). It returns how many ranges had rows.
func checkPartition(t testing.TB, what, path string, want []string, cuts []int64) (nonEmpty int) {
	t.Helper()
	starts, rows, err := RowGroupStarts(path)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	next := int64(0) // the first row of the next range
	seen := 0        // row groups read so far
	bounds := append(append([]int64{0}, cuts...), fi.Size())
	for k := range len(bounds) - 1 {
		start, end := bounds[k], bounds[k+1]
		c, err := OpenStringColumnRange(path, "text", start, end)
		if err != nil {
			t.Fatalf("%s, [%d, %d): %v", what, start, end, err)
		}
		// The range holds the row groups that start in it.
		var wantRows int64
		first := seen
		for seen < len(starts) && starts[seen] < end {
			wantRows += rows[seen]
			seen++
		}
		part := readAll(t, c)
		c.Close()
		if c.FirstRow() != next || c.Rows() != wantRows || int64(len(part)) != wantRows {
			t.Fatalf("%s, [%d, %d): FirstRow %d, Rows %d, %d rows read; want row %d, %d rows (row groups %d to %d)",
				what, start, end, c.FirstRow(), c.Rows(), len(part), next, wantRows, first, seen)
		}
		if wantRows > 0 && !slices.Equal(part, want[next:next+wantRows]) {
			t.Fatalf("%s, [%d, %d): not the rows %d to %d", what, start, end, next, next+wantRows)
		}
		if len(part) > 0 {
			nonEmpty++
		}
		next += wantRows
		got = append(got, part...)
	}
	if !slices.Equal(got, want) || seen != len(starts) {
		t.Fatalf("%s: %d rows of %d row groups, want %d of %d", what, len(got), seen, len(want), len(starts))
	}
	return nonEmpty
}

// FuzzStringColumnRange cuts a file of several row groups at the offsets
// the fuzzer picks: the ranges always give the whole file's rows, each
// row group once.
func FuzzStringColumnRange(f *testing.F) {
	f.Add([]byte{1, 2, 3})
	f.Add([]byte{0, 0, 255, 7})
	f.Add([]byte{})
	path := filepath.Join(f.TempDir(), "rg.parquet")
	want := writeRowGroups(f, path, []int{3, 20, 0, 1, 50, 8}, true)
	fi, err := os.Stat(path)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, steps []byte) {
		// Each byte is the distance to the next cut, in units of 1/256
		// of the file (at least one byte).
		var cuts []int64
		at := int64(0)
		for _, b := range steps {
			at += max(1, fi.Size()*int64(b)/256)
			if at >= fi.Size() {
				break
			}
			cuts = append(cuts, at)
		}
		checkPartition(t, fmt.Sprintf("cuts %v", cuts), path, want, cuts)
	})
}

// TestStringColumnRange_Errors: a bad range, a missing column and a
// truncated file are errors, whatever the range.
func TestStringColumnRange_Errors(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "rg.parquet")
	writeRowGroups(t, path, []int{10, 10}, true)
	if _, err := OpenStringColumnRange(path, "text", 5, 5); err == nil {
		t.Error("empty range: no error")
	}
	if _, err := OpenStringColumnRange(path, "text", -1, 5); err == nil {
		t.Error("negative start: no error")
	}
	_, err := OpenStringColumnRange(path, "body", 1<<20, 2<<20)
	if !errors.Is(err, ErrNoColumn) || !strings.Contains(err.Error(), `"body" (columns: [id text])`) {
		t.Errorf("missing column in a range without row groups: %v", err)
	}
	if _, err := OpenStringColumnRange(path, "id", 0, 10); !errors.Is(err, ErrNotString) {
		t.Errorf("int64 column: %v", err)
	}
	data, _ := os.ReadFile(path)
	trunc := filepath.Join(dir, "trunc.parquet")
	os.WriteFile(trunc, data[:len(data)-10], 0o644)
	if _, err := OpenStringColumnRange(trunc, "text", 0, 100); err == nil {
		t.Error("truncated file: no error")
	}
	if _, _, err := RowGroupStarts(trunc); err == nil {
		t.Error("truncated file: RowGroupStarts: no error")
	}
}

// TestStringColumn_PageBuffersReused reads files of several row groups,
// compressed or not, with dictionary pages or not, and pages smaller than a
// Next call's rows or larger: the buffers of a row group's pages serve
// later row groups (overwritten when they become reusable, see init), and
// every row reads as written.
func TestStringColumn_PageBuffersReused(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name  string
		dict  bool
		codec compress.Compression
		page  int64
	}{
		{"plain", false, compress.Codecs.Uncompressed, 512},
		{"dictionary", true, compress.Codecs.Uncompressed, 512},
		{"snappy", false, compress.Codecs.Snappy, 512},
		{"snappy dictionary", true, compress.Codecs.Snappy, 512},
		{"zstd large pages", false, compress.Codecs.Zstd, 64 << 10},
		{"zstd dictionary large pages", true, compress.Codecs.Zstd, 64 << 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-")+".parquet")
			want := writeRowGroups(t, path, []int{700, 1, 900, 300, 0, 800}, tc.dict,
				parquet.WithCompression(tc.codec), parquet.WithDataPageSize(tc.page))
			// Twice, the second time with the first's buffers too.
			for range 2 {
				reused := sharedPages.reuse
				c, err := OpenStringColumn(path, "text")
				if err != nil {
					t.Fatal(err)
				}
				got := readAll(t, c)
				c.Close()
				if !slices.Equal(got, want) {
					t.Fatalf("%d rows read, %d written, or different", len(got), len(want))
				}
				if sharedPages.reuse == reused {
					t.Fatal("no page buffer was reused")
				}
			}
		})
	}
}

// textChunk returns where the text column's chunk of row group rg starts
// (its first data page) and its length in the file written by
// writeRowGroups.
func textChunk(t *testing.T, path string, rg int) (off, size int64) {
	t.Helper()
	pf, err := file.OpenParquetFile(path, false)
	if err != nil {
		t.Fatal(err)
	}
	defer pf.Close()
	cc, err := pf.MetaData().RowGroup(rg).ColumnChunk(1)
	if err != nil {
		t.Fatal(err)
	}
	return cc.DataPageOffset(), cc.TotalCompressedSize()
}

// TestStringColumn_CorruptPage: bytes flipped inside a snappy-compressed
// page make Next return an ErrCorrupt error naming the row group (arrow
// panics there), and keep returning it; the rows before are read.
func TestStringColumn_CorruptPage(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "good.parquet")
	want := writeRowGroups(t, path, []int{300, 400, 300}, false,
		parquet.WithCompression(compress.Codecs.Snappy), parquet.WithDataPageSize(64<<10))
	off, size := textChunk(t, path, 1)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// The page header is at most a few dozen bytes: corrupt the snappy
	// data after it.
	for i := off + size/3; i < off+size*2/3; i += 5 {
		data[i] ^= 0x5a
	}
	bad := filepath.Join(dir, "bad.parquet")
	if err := os.WriteFile(bad, data, 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := OpenStringColumn(bad, "text")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var got []string
	for {
		rows, err := c.Next()
		if err == io.EOF {
			t.Fatalf("the corrupt file read to the end: %d rows, same as written: %v", len(got), slices.Equal(got, want))
		}
		if err != nil {
			if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "row group 1:") {
				t.Fatalf("got %v, want ErrCorrupt in row group 1", err)
			}
			if _, again := c.Next(); again != err {
				t.Fatalf("next call: %v, want the same error", again)
			}
			break
		}
		for _, r := range rows {
			if r == nil {
				got = append(got, "<null>")
			} else {
				got = append(got, string(r))
			}
		}
	}
	if len(got) < 300 || !slices.Equal(got, want[:len(got)]) {
		t.Fatalf("read %d rows before the error, want at least row group 0's 300 as written", len(got))
	}
}

// FuzzStringColumn_Bytes reads damaged copies of a small Parquet file
// (bytes overwritten at fuzzer-chosen places): opening and reading it
// return rows or errors, never panic.
func FuzzStringColumn_Bytes(f *testing.F) {
	dir := f.TempDir()
	path := filepath.Join(dir, "seed.parquet")
	writeRowGroups(f, path, []int{30, 1, 50}, true, parquet.WithCompression(compress.Codecs.Snappy))
	good, err := os.ReadFile(path)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(uint32(100), []byte{0xff, 0xff, 0xff, 0xff})
	f.Add(uint32(len(good)-12), []byte{1, 2, 3})
	f.Add(uint32(len(good)/2), []byte{0})
	f.Fuzz(func(t *testing.T, at uint32, patch []byte) {
		data := slices.Clone(good)
		copy(data[int(at)%len(data):], patch)
		p := filepath.Join(t.TempDir(), "f.parquet")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		c, err := OpenStringColumn(p, "text")
		if err != nil {
			return
		}
		defer c.Close()
		for range 1000 {
			if _, err := c.Next(); err != nil {
				return
			}
		}
	})
}

// TestStringColumn_CorruptPageHeader: bytes overwritten in a page header
// make arrow's column reader stop (HasNext false, the error in Err) rather
// than panic. Without a check that looked like the end of the row group and
// its remaining rows were dropped silently; now Next returns ErrCorrupt,
// whichever of the header's first bytes are damaged.
func TestStringColumn_CorruptPageHeader(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "good.parquet")
	want := writeRowGroups(t, path, []int{300, 400, 300}, false, parquet.WithDataPageSize(1<<10))
	off, size := textChunk(t, path, 1)
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	// Damage the first page's header, and a page header in the middle of
	// the chunk (found by trying offsets: some bytes are values, not a
	// header, and change only a text).
	for _, at := range []int64{off, off + 1, off + 2, off + size/2} {
		data := slices.Clone(good)
		for i := at; i < at+6; i++ {
			data[i] = 0xff
		}
		bad := filepath.Join(dir, fmt.Sprintf("bad%d.parquet", at))
		if err := os.WriteFile(bad, data, 0o644); err != nil {
			t.Fatal(err)
		}
		c, err := OpenStringColumn(bad, "text")
		if err != nil {
			t.Fatal(err)
		}
		got := 0
		for {
			rows, err := c.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "row group 1:") {
					t.Fatalf("damage at %d: %v, want ErrCorrupt in row group 1", at, err)
				}
				seen++
				break
			}
			got += len(rows)
		}
		c.Close()
		if got > len(want) {
			t.Fatalf("damage at %d: %d rows, more than the %d written", at, got, len(want))
		}
		if got == len(want) {
			t.Logf("damage at %d read as %d rows without an error (a value, not a header)", at, got)
		}
	}
	if seen < 3 {
		t.Fatalf("ErrCorrupt at %d of 4 places of damage, want at least the 3 in the first page header", seen)
	}
}
