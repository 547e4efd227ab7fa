package pipeline

import (
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
)

// TestParquetCorpus writes a Parquet file with another implementation
// (hyparquet-writer, JavaScript) and reads it with corpora: every text in
// order, nulls skipped, several row groups and pages; then encodes it, and
// checks the error for a missing text column.
func TestParquetCorpus(t *testing.T) {
	node, script := arrowJS(t)
	script = filepath.Join(filepath.Dir(script), "write-parquet.mjs")
	// Texts: the paragraphs of the default corpus's book, with some nulls.
	c, err := corpora.Default()
	if err != nil {
		t.Fatal(err)
	}
	var texts []*string
	for len(texts) < 700 {
		d, err := c.Read()
		if err != nil {
			t.Fatal(err)
		}
		s := string(d.Text)
		texts = append(texts, &s)
		if len(texts)%97 == 0 {
			texts = append(texts, nil)
		}
	}
	dir := t.TempDir()
	in, _ := json.Marshal(map[string]any{"text": texts})
	inPath := filepath.Join(dir, "in.json")
	os.WriteFile(inPath, in, 0o644)
	pq := filepath.Join(dir, "docs.parquet")
	if out, err := exec.Command(node, script, inPath, pq, "128").CombinedOutput(); err != nil {
		t.Fatalf("write-parquet.mjs: %v\n%s", err, out)
	}

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
