package corpora

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"
)

// checkPieces reads inputs split into pieces of pieceBytes, with Read and
// with ReadBatch, and checks that both give the documents of the whole
// files: the same texts in the same order, and the same skipped records.
func checkPieces(t *testing.T, inputs []Input, o Options, pieceBytes int64, batch int) {
	t.Helper()
	whole := OpenInputs(inputs, o)
	want, werr := readDocs(t, whole)
	whole.Close()
	pieces, err := Pieces(inputs, pieceBytes, o)
	if err != nil {
		t.Fatal(err)
	}
	rc := OpenInputs(pieces, o)
	got, gerr := readDocs(t, rc)
	rc.Close()
	bc := OpenInputs(pieces, o)
	gotBatch, berr := batchDocs(t, bc, batch)
	bc.Close()
	if (werr == nil) != (gerr == nil) || (werr == nil) != (berr == nil) {
		t.Fatalf("pieces of %d bytes: errors %v (Read) and %v (ReadBatch), whole files %v", pieceBytes, gerr, berr, werr)
	}
	if whole.Skipped() != rc.Skipped() || whole.Skipped() != bc.Skipped() {
		t.Fatalf("pieces of %d bytes: skipped %d (Read) and %d (ReadBatch), whole files %d", pieceBytes, rc.Skipped(), bc.Skipped(), whole.Skipped())
	}
	texts := func(ds []gotDoc) string {
		var b strings.Builder
		for _, d := range ds {
			fmt.Fprintf(&b, "%q\n", d.Text)
		}
		return b.String()
	}
	if w, g := texts(want), texts(got); w != g {
		t.Fatalf("pieces of %d bytes, Read: %d documents, want %d:\n%.300s\nwant\n%.300s", pieceBytes, len(got), len(want), g, w)
	}
	if w, g := texts(want), texts(gotBatch); w != g {
		t.Fatalf("pieces of %d bytes, ReadBatch: %d documents, want %d", pieceBytes, len(gotBatch), len(want))
	}
}

// randomLines makes text with empty lines, CRLF endings, long lines, bad
// UTF-8 and JSON records, with or without a final newline.
func randomLines(r *rand.Rand, json bool) []byte {
	var b bytes.Buffer
	for i := range 50 + r.IntN(200) {
		var line string
		switch r.IntN(8) {
		case 0:
			line = ""
		case 1:
			line = strings.Repeat("long ", 20+r.IntN(200))
		case 2:
			line = "bad \xff utf-8"
		default:
			line = fmt.Sprintf("line %d %s", i, strings.Repeat("ab", r.IntN(20)))
		}
		if json && line != "" {
			line = fmt.Sprintf(`{"id":%d,"text":%q}`, i, line)
			if r.IntN(30) == 0 {
				line = `{"text": not json}`
			}
		}
		b.WriteString(line)
		if r.IntN(10) == 0 {
			b.WriteString("\r")
		}
		b.WriteString("\n")
	}
	if r.IntN(2) == 0 {
		b.WriteString("last line without a newline")
	}
	return b.Bytes()
}

func TestPieces_SameDocuments(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	dir := t.TempDir()
	for k := range 6 {
		for _, name := range []string{"f.txt", "f.jsonl"} {
			data := randomLines(r, name == "f.jsonl")
			p := writeFile(t, dir, fmt.Sprintf("%d-%s", k, name), data)
			inputs := []Input{{Path: p, Size: int64(len(data))}, {Path: p, Size: int64(len(data))}}
			o := DefaultOptions()
			o.SkipBad = true
			o.MaxDocBytes = 500
			for _, pb := range []int64{5, 64, 999, int64(len(data)) / 2, int64(len(data)) - 1, int64(len(data))} {
				checkPieces(t, inputs, o, pb, 1+r.IntN(5000))
			}
		}
	}
}

func FuzzPieces(f *testing.F) {
	f.Add([]byte("a\nb\r\n\nccc\n"), uint8(2), uint16(1))
	f.Add([]byte("{\"text\":\"a\"}\n{\"text\":\"b\"}"), uint8(5), uint16(3))
	f.Add([]byte("\n\n\n"), uint8(1), uint16(7))
	f.Fuzz(func(t *testing.T, data []byte, piece uint8, batch uint16) {
		if len(data) == 0 {
			return // an empty file is an error, and never split
		}
		dir := t.TempDir()
		for _, name := range []string{"f.jsonl", "f.txt"} {
			p := writeFile(t, dir, name, data)
			o := DefaultOptions()
			o.SkipBad = true
			o.MaxDocBytes = 20
			checkPieces(t, []Input{{Path: p, Size: int64(len(data))}}, o, 1+int64(piece), 1+int(batch))
		}
	})
}

func TestPieces_Split(t *testing.T) {
	dir := t.TempDir()
	text := writeFile(t, dir, "a.txt", []byte("0123456789"))
	var zbuf bytes.Buffer
	zw, _ := zstd.NewWriter(&zbuf)
	zw.Write([]byte(strings.Repeat("line\n", 100)))
	zw.Close()
	zst := writeFile(t, dir, "b.txt.zst", zbuf.Bytes())
	paragraphs := Input{Path: text, Size: 10, Split: SplitParagraphs}
	cases := []struct {
		name  string
		in    Input
		piece int64
		want  string
	}{
		{"text", Input{Path: text, Size: 10}, 4, "[0,4) [4,8) [8,10)"},
		{"exact multiple", Input{Path: text, Size: 10}, 5, "[0,5) [5,10)"},
		{"not larger than a piece", Input{Path: text, Size: 10}, 10, "whole"},
		{"no piece size", Input{Path: text, Size: 10}, 0, "whole"},
		{"compressed", Input{Path: zst, Size: int64(zbuf.Len())}, 4, "whole"},
		{"paragraphs", paragraphs, 4, "whole"},
		{"stdin", Input{Path: Stdin, Size: -1}, 4, "whole"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, err := Pieces([]Input{c.in}, c.piece, DefaultOptions())
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range out {
				if p.End == 0 {
					got = append(got, "whole")
					continue
				}
				if p.Size != p.End-p.Start || p.Path != c.in.Path {
					t.Errorf("piece %+v", p)
				}
				got = append(got, fmt.Sprintf("[%d,%d)", p.Start, p.End))
			}
			if s := strings.Join(got, " "); s != c.want {
				t.Errorf("got %s, want %s", s, c.want)
			}
		})
	}
}

// TestPieces_ErrorNamesPiece: a bad line in a later piece is named by the
// piece (path@start), its line within the piece and its offset in the
// file.
func TestPieces_ErrorNamesPiece(t *testing.T) {
	var b strings.Builder
	for i := range 100 {
		if i == 70 {
			b.WriteString("bad \xff\n")
			continue
		}
		fmt.Fprintf(&b, "line %02d\n", i) // 8 bytes a line
	}
	p := writeFile(t, t.TempDir(), "c.txt", []byte(b.String()))
	pieces, err := Pieces([]Input{{Path: p, Size: int64(b.Len())}}, 200, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	// Line 70 starts at byte 560, in the piece [400, 600): its 21st line.
	want := fmt.Sprintf("%s@400:21: invalid UTF-8 at byte offset 564", p)
	for _, batch := range []bool{false, true} {
		c := OpenInputs(pieces, DefaultOptions())
		var err error
		if batch {
			_, err = batchDocs(t, c, 100)
		} else {
			_, err = readDocs(t, c)
		}
		c.Close()
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("batch %v: got %v, want an error naming %s", batch, err, want)
		}
	}
}
