package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/toklabs/tok"
	"github.com/toklabs/tok/corpora"
	"github.com/toklabs/tok/internal/arrowio"
)

// writeParquet writes texts (nil for a null) to dir/name with another
// implementation (hyparquet-writer, JavaScript), rowGroups rows per row
// group ("5,30,1": the first ones, the last repeating); it skips or fails
// like arrowJS when node or the package is missing.
func writeParquet(t *testing.T, dir, name string, texts []*string, rowGroups string) string {
	t.Helper()
	node, script := arrowJS(t)
	script = filepath.Join(filepath.Dir(script), "write-parquet.mjs")
	in, _ := json.Marshal(map[string]any{"text": texts})
	inPath := filepath.Join(dir, name+".json")
	if err := os.WriteFile(inPath, in, 0o644); err != nil {
		t.Fatal(err)
	}
	pq := filepath.Join(dir, name)
	if out, err := exec.Command(node, script, inPath, pq, rowGroups).CombinedOutput(); err != nil {
		t.Fatalf("write-parquet.mjs: %v\n%s", err, out)
	}
	return pq
}

// defaultTexts returns n documents of the default corpus (from its start
// again after its end), with a null after every 97th.
func defaultTexts(t *testing.T, n int) []*string {
	t.Helper()
	var c *corpora.Corpus
	var texts []*string
	for len(texts) < n {
		if c == nil {
			var err error
			if c, err = corpora.Default(); err != nil {
				t.Fatal(err)
			}
		}
		d, err := c.Read()
		if err == io.EOF {
			c.Close()
			c = nil
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		s := string(d.Text)
		texts = append(texts, &s)
		if len(texts)%97 == 0 {
			texts = append(texts, nil)
		}
	}
	return texts
}

// TestParquetCorpus writes a Parquet file with another implementation
// (hyparquet-writer, JavaScript) and reads it with corpora: every text in
// order, nulls skipped, several row groups and pages; then encodes it, and
// checks the error for a missing text column.
func TestParquetCorpus(t *testing.T) {
	// Texts: the paragraphs of the default corpus's book, with some nulls.
	texts := defaultTexts(t, 700)
	dir := t.TempDir()
	pq := writeParquet(t, dir, "docs.parquet", texts, "128")

	r, err := corpora.Open([]string{pq}, corpora.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	row := int64(0)
	n := 0
	for _, want := range texts {
		if want == nil {
			row++
			continue
		}
		d, err := r.Read()
		if err != nil {
			t.Fatalf("document %d: %v", n, err)
		}
		if string(d.Text) != *want || d.Index != row || d.Source != pq {
			t.Fatalf("document %d (row %d): got row %d %.60q, want %.60q", n, row, d.Index, d.Text, *want)
		}
		row++
		n++
	}
	if _, err := r.Read(); err != io.EOF {
		t.Fatalf("after the last row: %v", err)
	}

	// Through the pipeline.
	cfg := testConfig(t, filepath.Join(dir, "ds"))
	inputs, _ := corpora.Expand([]string{pq}, corpora.DefaultOptions())
	m := encodeAll(t, cfg, inputs)
	if got := m.Corpus.Documents; got != int64(n) {
		t.Errorf("pipeline read %d documents, want %d", got, n)
	}

	// A Parquet file without the text column.
	o := corpora.DefaultOptions()
	o.TextField = "body"
	r, _ = corpora.Open([]string{pq}, o)
	_, err = r.Read()
	var fe *tok.FormatError
	if !errors.As(err, &fe) || !strings.Contains(err.Error(), `docs.parquet: no column "body" (columns: [id text])`) {
		t.Fatalf("missing column: got %v", err)
	}
}

// TestEncodeParquetPieces reads one Parquet file of many row groups (1 to
// 120 rows) as pieces of about a 40th of it, the first ending where a row
// group starts, with several readers and as 3 ranks:
// the shards are byte-identical to reading the file whole with one reader,
// or hold the same ids in the same order (3 ranks), and the manifest lists
// the pieces. A row group read twice or skipped changes the shards.
func TestEncodeParquetPieces(t *testing.T) {
	dir := t.TempDir()
	pq := writeParquet(t, dir, "docs.parquet", defaultTexts(t, 3000), "7,50,1,120,33,2,64")
	inputs, err := corpora.Expand([]string{pq}, corpora.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	size := inputs[0].Size
	// Pieces as long as the bytes before a row group: that row group
	// starts right at the end of the first piece.
	starts, _, err := arrowio.RowGroupStarts(pq)
	if err != nil {
		t.Fatal(err)
	}
	pieceBytes := int64(0)
	for _, s := range starts {
		if pieceBytes = s; s >= size/40 {
			break
		}
	}
	want, wantBytes := expected(t, inputs, 0.1)
	whole := testConfig(t, filepath.Join(t.TempDir(), "whole"))
	whole.ShardBytes = 256 << 10
	whole.PieceBytes = -1
	whole.Readers = 1
	mWhole := encodeAll(t, whole, inputs)
	if len(mWhole.Corpus.Inputs) != 1 || len(mWhole.Splits["train"].Shards) < 3 {
		t.Fatalf("whole file: %d inputs, %d train shards; want 1 and several", len(mWhole.Corpus.Inputs), len(mWhole.Splits["train"].Shards))
	}
	runs := []piecesRun{{1, 1, 1}, {2, 3, 1}, {2, 2, 3}}
	cfgs, ms := encodePieces(t, whole, inputs, pieceBytes, runs, want, wantBytes)
	for i, m := range ms {
		p, cfg := runs[i], cfgs[i]
		if m.Corpus.Documents != mWhole.Corpus.Documents {
			t.Errorf("%+v: %d documents, the whole file %d", p, m.Corpus.Documents, mWhole.Corpus.Documents)
		}
		pieces, withDocs := 0, 0
		for _, in := range m.Corpus.Inputs {
			if strings.HasPrefix(in.Path, pq+"@") {
				pieces++
				if in.Documents > 0 {
					withDocs++
				}
			}
		}
		if pieces < 20 || withDocs < 10 {
			t.Errorf("%+v: the manifest lists %d pieces of the file, %d with documents; want 20 and 10 or more", p, pieces, withDocs)
		}
		t.Logf("%+v: %d documents of %d bytes in %d pieces of %d bytes, %d with documents", p, m.Corpus.Documents, size, pieces, cfg.PieceBytes, withDocs)
	}
}

// TestEncodeParquetTruncated: a truncated Parquet file is an error naming
// the file, whatever the piece size.
func TestEncodeParquetTruncated(t *testing.T) {
	dir := t.TempDir()
	pq := writeParquet(t, dir, "docs.parquet", defaultTexts(t, 300), "50")
	data, err := os.ReadFile(pq)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(pq, data[:len(data)*2/3], 0o644); err != nil {
		t.Fatal(err)
	}
	inputs, err := corpora.Expand([]string{pq}, corpora.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	for _, pieceBytes := range []int64{-1, 1000} {
		cfg := testConfig(t, filepath.Join(t.TempDir(), "ds"))
		cfg.PieceBytes = pieceBytes
		_, err := Encode(context.Background(), cfg, inputs, corpora.DefaultOptions())
		var fe *tok.FormatError
		if !errors.As(err, &fe) || fe.File != pq {
			t.Fatalf("piece bytes %d: got %v, want a FormatError naming %s", pieceBytes, err, pq)
		}
	}
}
