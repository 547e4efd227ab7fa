package corpora

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/toklabs/tok"
	"github.com/toklabs/tok/internal/arrowio"
)

// The Parquet file of these tests was written by hyparquet-writer (a
// JavaScript implementation): testdata/parquet/README.md.
const (
	rowGroupsParquet = "testdata/parquet/rowgroups.parquet"
	rowGroupsTexts   = "testdata/parquet/texts.json"
)

// parquetRows returns the texts of rowgroups.parquet (nil for a null), as
// the writer was given them, and its input.
func parquetRows(t *testing.T) ([]*string, Input) {
	t.Helper()
	b, err := os.ReadFile(rowGroupsTexts)
	if err != nil {
		t.Fatal(err)
	}
	var v struct{ Text []*string }
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(rowGroupsParquet)
	if err != nil {
		t.Fatal(err)
	}
	return v.Text, Input{Path: rowGroupsParquet, Size: fi.Size()}
}

// TestParquetPieces reads a Parquet file of 10 row groups (1 to 90 rows,
// nulls, empty texts) split into pieces of many sizes: the pieces hold
// each row group whose first page lies in them, nothing else, and
// together the file's documents in order with their row numbers, as
// reading the file whole gives them (which is checked against the texts
// the writer was given).
func TestParquetPieces(t *testing.T) {
	texts, in := parquetRows(t)
	var want []gotDoc
	for i, s := range texts {
		if s != nil {
			want = append(want, gotDoc{Source: in.Path, Index: int64(i), Text: *s})
		}
	}
	o := DefaultOptions()
	whole, _, err := readInputs(t, []Input{in}, o)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(whole) != fmt.Sprint(want) {
		t.Fatalf("whole file: %d documents, not the %d texts written", len(whole), len(want))
	}

	starts, rows, err := arrowio.RowGroupStarts(in.Path)
	if err != nil {
		t.Fatal(err)
	}
	if len(starts) != 10 {
		t.Fatalf("%d row groups, want 10 (regenerate the file?)", len(starts))
	}
	// rowGroup returns the row group of a row.
	rowGroup := func(row int64) int {
		for g, n := range rows {
			if row < n {
				return g
			}
			row -= n
		}
		return -1
	}
	for _, pb := range []int64{64, 1000, 4096, in.Size / 2, in.Size - 1, in.Size, 2 * in.Size} {
		pieces, err := Pieces([]Input{in, in}, pb, o)
		if err != nil {
			t.Fatal(err)
		}
		wantPieces := 2 * int((in.Size+pb-1)/pb)
		if pb >= in.Size {
			wantPieces = 2
		}
		if len(pieces) != wantPieces {
			t.Fatalf("pieces of %d bytes: %d pieces, want %d", pb, len(pieces), wantPieces)
		}
		got, _, err := readInputs(t, pieces, o)
		if err != nil {
			t.Fatalf("pieces of %d bytes: %v", pb, err)
		}
		// Every document is of a row group that starts in its piece.
		byName := map[string]Input{}
		for _, p := range pieces {
			byName[p.Name()] = p
		}
		withDocs := map[string]bool{}
		for i := range got {
			p, ok := byName[got[i].Source]
			if !ok {
				t.Fatalf("pieces of %d bytes: document %d names %q, not a piece", pb, i, got[i].Source)
			}
			withDocs[got[i].Source] = true
			if g := rowGroup(got[i].Index); p.End > 0 && (starts[g] < p.Start || starts[g] >= p.End) {
				t.Fatalf("pieces of %d bytes: row %d (row group %d at byte %d) read from %s", pb, got[i].Index, g, starts[g], got[i].Source)
			}
			got[i].Source = p.Path
		}
		twice := append(append([]gotDoc(nil), want...), want...)
		if fmt.Sprint(got) != fmt.Sprint(twice) {
			t.Fatalf("pieces of %d bytes: %d documents, not those of the whole file twice (%d)", pb, len(got), len(twice))
		}
		// With pieces smaller than any row group, each row group (all
		// have a document) is in a piece of its own, and most pieces are
		// empty. (Both inputs have the same pieces' names.)
		if pb == 64 && len(withDocs) != 10 {
			t.Errorf("pieces of %d bytes: %d pieces with documents, want 10", pb, len(withDocs))
		}
		bc := OpenInputs(pieces, o)
		batch, err := batchDocs(t, bc, 500)
		bc.Close()
		if err != nil || fmt.Sprint(batch) != fmt.Sprint(twice) {
			t.Fatalf("pieces of %d bytes, ReadBatch: %d documents, not those of the whole file twice (%d); %v", pb, len(batch), len(twice), err)
		}
	}
}

// TestParquetPieces_BadRows: rows over the document limit are skipped in
// pieces as in the whole file, and named by the piece and the row number
// in the file.
func TestParquetPieces_BadRows(t *testing.T) {
	texts, in := parquetRows(t)
	o := DefaultOptions()
	o.MaxDocBytes = 1000
	firstLong := -1
	for i, s := range texts {
		if s != nil && len(*s) > o.MaxDocBytes {
			firstLong = i
			break
		}
	}
	if firstLong < 0 {
		t.Fatal("no text over 1000 bytes")
	}
	pieces, err := Pieces([]Input{in}, 1000, o)
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = readInputs(t, pieces, o)
	var fe *tok.FormatError
	want := fmt.Sprintf("row %d: text longer than the 1000-byte document limit", firstLong)
	if !errors.As(err, &fe) || !strings.HasPrefix(fe.File, in.Path+"@") || !strings.Contains(err.Error(), want) {
		t.Fatalf("got %v, want a FormatError naming a piece of %s and %q", err, in.Path, want)
	}
	o.SkipBad = true
	checkPieces(t, []Input{in}, o, 1000, 300)
	if _, skipped, err := readInputs(t, pieces, o); err != nil || skipped == 0 {
		t.Fatalf("skipping: %v, %d skipped", err, skipped)
	}
}

// TestParquetPieces_BadFiles: a missing column is named with the piece; a
// truncated file is not split and its error names it; a piece of a
// truncated file names the piece.
func TestParquetPieces_BadFiles(t *testing.T) {
	_, in := parquetRows(t)
	o := DefaultOptions()
	o.TextField = "body"
	pieces, err := Pieces([]Input{in}, 4096, o)
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = readInputs(t, pieces, o)
	want := in.Path + `@0: no column "body" (columns: [id text])`
	if !errors.As(err, new(*tok.FormatError)) || err.Error() != want {
		t.Fatalf("missing column: got %v, want %s", err, want)
	}
	// With SkipBad the file counts as one skipped record, whole or in
	// pieces, and in pieces spread over two readers (as over two ranks).
	o.SkipBad = true
	for _, part := range [][]Input{{in}, pieces, pieces[:1], pieces[1:]} {
		docs, skipped, err := readInputs(t, part, o)
		want := int64(0)
		if part[0].Start == 0 {
			want = 1
		}
		if err != nil || len(docs) != 0 || skipped != want {
			t.Fatalf("missing column, SkipBad, %d inputs from %s: %d documents, %d skipped, %v; want none, %d skipped", len(part), part[0].Name(), len(docs), skipped, err, want)
		}
	}
	o.SkipBad = false

	data, err := os.ReadFile(in.Path)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, cut := range []int{10, len(data) / 2, len(data) - 1} {
		trunc := writeFile(t, dir, fmt.Sprintf("trunc%d.parquet", cut), data[:cut])
		tin := Input{Path: trunc, Size: int64(cut)}
		pieces, err := Pieces([]Input{tin}, 4, DefaultOptions())
		if err != nil {
			t.Fatal(err)
		}
		if len(pieces) != 1 || pieces[0].End != 0 {
			t.Fatalf("truncated to %d bytes: split into %d pieces", cut, len(pieces))
		}
		tin.Start, tin.End = 4, int64(cut) // as if it had been split
		for _, input := range []Input{pieces[0], tin} {
			_, _, err := readInputs(t, []Input{input}, DefaultOptions())
			var fe *tok.FormatError
			if !errors.As(err, &fe) || fe.File != input.Name() {
				t.Fatalf("truncated to %d bytes, %s: got %v, want a FormatError naming %s", cut, input.Name(), err, input.Name())
			}
		}
	}
}

// TestPieces_ParquetSplit: which Parquet files are split.
func TestPieces_ParquetSplit(t *testing.T) {
	_, in := parquetRows(t)
	data, _ := os.ReadFile(in.Path)
	dir := t.TempDir()
	gzPath := writeFile(t, dir, "c.parquet.gz", gz(t, data))
	asText := writeFile(t, dir, "d.bin", data)
	cases := []struct {
		name string
		in   Input
		want int // pieces of 4096 bytes
	}{
		{"parquet", in, int((in.Size + 4095) / 4096)},
		{"parquet by format", Input{Path: asText, Size: in.Size, Format: FormatParquet}, int((in.Size + 4095) / 4096)},
		{"compressed", Input{Path: gzPath, Size: int64(len(gz(t, data)))}, 1},
		{"small", Input{Path: in.Path, Size: 4096}, 1},
	}
	for _, c := range cases {
		out, err := Pieces([]Input{c.in}, 4096, DefaultOptions())
		if err != nil {
			t.Fatal(err)
		}
		if len(out) != c.want {
			t.Errorf("%s: %d pieces, want %d", c.name, len(out), c.want)
		}
	}
	// A file given the Parquet format by name reads the same as pieces.
	pin := Input{Path: asText, Size: in.Size, Format: FormatParquet}
	checkPieces(t, []Input{pin}, DefaultOptions(), 777, 100)
}

// TestParquetCorruptPage overwrites 32 bytes of the 6th row group of a
// Parquet file (as a bad disk would), at many places in turn. Parquet pages
// carry no checksum here, so some damage goes unseen (a shifted null
// bitmap); wherever the reader does see it (a snappy page that does not
// decode, where arrow panics), Read and ReadBatch give a FormatError naming
// the file after the documents before the damage, and with SkipBad the
// rest of the file is one skipped record.
func TestParquetCorruptPage(t *testing.T) {
	_, in := parquetRows(t)
	starts, rows, err := arrowio.RowGroupStarts(in.Path)
	if err != nil {
		t.Fatal(err)
	}
	var first5 int64 // rows of the first 5 row groups
	for _, r := range rows[:5] {
		first5 += r
	}
	good, err := os.ReadFile(in.Path)
	if err != nil {
		t.Fatal(err)
	}
	want, _, err := readInputs(t, []Input{in}, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	seen := 0
	for at := starts[5]; at < starts[6]; at += 97 {
		data := slices.Clone(good)
		for i := at; i < min(at+32, int64(len(data))); i++ {
			data[i] = 0xff
		}
		bad := writeFile(t, dir, fmt.Sprintf("bad%d.parquet", at), data)
		bin := Input{Path: bad, Size: in.Size}
		docs, _, err := readInputs(t, []Input{bin}, DefaultOptions())
		if err == nil {
			continue
		}
		seen++
		var fe *tok.FormatError
		if !errors.As(err, &fe) || fe.File != bad {
			t.Fatalf("damage at %d: got %v, want a FormatError naming %s", at, err, bad)
		}
		// The first 5 row groups' documents are read before the error.
		n := 0
		for n < len(want) && want[n].Index < first5 {
			n++
		}
		for i := range docs {
			docs[i].Source = in.Path // the damaged copy's name
		}
		if len(docs) < n || fmt.Sprint(docs[:n]) != fmt.Sprint(want[:n]) {
			t.Fatalf("damage at %d: %d documents before the error, want the %d of the first 5 row groups", at, len(docs), n)
		}
		compareReads(t, []Input{bin}, DefaultOptions(), 1000)
		o := DefaultOptions()
		o.SkipBad = true
		compareReads(t, []Input{bin}, o, 1000)
		if _, skipped, err := readInputs(t, []Input{bin}, o); err != nil || skipped != 1 {
			t.Fatalf("damage at %d, SkipBad: %v, %d skipped; want no error, 1 skipped", at, err, skipped)
		}
	}
	if seen == 0 {
		t.Fatal("no damage was seen")
	}
	t.Logf("damage seen at %d of %d places", seen, (starts[6]-starts[5]+96)/97)
}
