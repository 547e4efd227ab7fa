package pipeline

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"

	"github.com/toklabs/tok/corpora"
)

// lineInputs writes JSON Lines and line-split text inputs (the formats that
// corpora.ReadBatch reads in place), plain and zstd, with escapes, blank
// lines, CRLF and a few documents far longer than a job (one longer than
// the buffers a job keeps).
func lineInputs(t *testing.T) []corpora.Input {
	dir := t.TempDir()
	var jsonl, text strings.Builder
	for i := range 3000 {
		body := fmt.Sprintf("document %d: \"quoted\" \\ tab\there é 😀 %s", i, strings.Repeat("words ", i%50))
		if i%700 == 3 {
			body += strings.Repeat("a long document ", 20000) // 320 kB
		}
		if i == 1501 {
			body += strings.Repeat("a very long one ", 200000) // 3.2 MB: past the buffers a job keeps
		}
		b, _ := jsonMarshalString(body)
		fmt.Fprintf(&jsonl, "{\"id\":%d,\"text\":%s,\"n\":[1,{\"x\":null}]}\n", i, b)
		if i%13 == 0 {
			jsonl.WriteString("\n")
		}
		fmt.Fprintf(&text, "line %d %s\r\n", i, strings.Repeat("x", i%97))
		if i%11 == 0 {
			text.WriteString("\n")
		}
	}
	enc, _ := zstd.NewWriter(nil)
	files := map[string][]byte{
		"a.jsonl":     []byte(jsonl.String()),
		"b.txt.zst":   enc.EncodeAll([]byte(text.String()), nil),
		"c.jsonl.zst": enc.EncodeAll([]byte(jsonl.String()), nil),
		"d.txt":       []byte(text.String() + "no newline at the end"),
	}
	var specs []string
	for _, name := range []string{"a.jsonl", "b.txt.zst", "c.jsonl.zst", "d.txt"} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, files[name], 0o644); err != nil {
			t.Fatal(err)
		}
		specs = append(specs, p)
	}
	inputs, err := corpora.Expand(specs, corpora.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	return inputs
}

func jsonMarshalString(s string) (string, error) {
	var b bytes.Buffer
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"', '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '\t':
			b.WriteString(`\t`)
		case 'é':
			b.WriteString(`\u00e9`)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String(), nil
}

// TestEncodeLinesWorkersIdentical runs the in-place reading path through
// the pipeline with small jobs: the shards are byte-identical for 1, 2 and
// 5 workers and hold the ids of the documents that Corpus.Read gives.
func TestEncodeLinesWorkersIdentical(t *testing.T) {
	defer func(old int) { jobTextBytes = old }(jobTextBytes)
	jobTextBytes = 8 << 10
	inputs := lineInputs(t)
	want, wantBytes := expected(t, inputs, 0.1)
	var sets []map[string][]byte
	for _, p := range parallelism {
		cfg := testConfig(t, filepath.Join(t.TempDir(), "ds"))
		cfg.Workers, cfg.Readers = p.workers, p.readers
		m := encodeAll(t, cfg, inputs)
		for sp, name := range splitNames {
			got, gotBytes := readShards(t, cfg.Out, name, m.Splits[name].Shards)
			if len(got) == 0 || fmt.Sprint(got) != fmt.Sprint(want[sp]) || fmt.Sprint(gotBytes) != fmt.Sprint(wantBytes[sp]) {
				t.Fatalf("%+v, %s: %d documents, not the expected ids (want %d documents)", p, name, len(got), len(want[sp]))
			}
		}
		sets = append(sets, datasetFiles(t, cfg.Out))
	}
	for i, p := range parallelism[1:] {
		sameFiles(t, sets[0], sets[i+1], fmt.Sprintf("1 worker vs %d workers and %d readers", p.workers, p.readers))
	}
}

// TestEncodePiecesSameShards reads the large uncompressed inputs as
// pieces of 100 kB, with several readers and as 3 ranks: the shards are
// byte-identical to reading the files whole (one rank), or hold the same
// ids in the same order (3 ranks), and the manifest lists the pieces.
func TestEncodePiecesSameShards(t *testing.T) {
	inputs := lineInputs(t)
	want, wantBytes := expected(t, inputs, 0.1)
	whole := testConfig(t, filepath.Join(t.TempDir(), "whole"))
	whole.PieceBytes = -1
	encodeAll(t, whole, inputs)
	runs := []piecesRun{{1, 1, 1}, {2, 3, 1}, {3, 8, 1}, {2, 2, 3}}
	_, ms := encodePieces(t, whole, inputs, 100<<10, runs, want, wantBytes)
	for i, m := range ms {
		p := runs[i]
		pieces := 0
		for _, in := range m.Corpus.Inputs {
			if strings.Contains(in.Path, "a.jsonl@") {
				pieces++
			}
		}
		if pieces < 10 {
			t.Errorf("%+v: the manifest lists %d pieces of a.jsonl, want more than 10", p, pieces)
		}
	}
}

// TestEncodeLongDocuments: documents longer than a job's text buffer (2 MiB
// on huge pages) move to heap buffers without overrunning the next job's
// memory: the ids are those of the documents, and the run matches 1 worker.
func TestEncodeLongDocuments(t *testing.T) {
	dir := t.TempDir()
	var jsonl, text strings.Builder
	for i := range 40 {
		body := fmt.Sprintf("short document %d", i)
		if i%20 == 5 {
			body = strings.Repeat(fmt.Sprintf("long document %d. ", i), 250_000) // 4.8 MB: past a job's two buffers
		}
		fmt.Fprintf(&jsonl, "{\"text\":%q}\n", body)
		fmt.Fprintf(&text, "%s\n", strings.ReplaceAll(body, "long", "LONG"))
	}
	var specs []string
	for name, data := range map[string]string{"long.jsonl": jsonl.String(), "long.txt": text.String()} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		specs = append(specs, p)
	}
	inputs, err := corpora.Expand(specs, corpora.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	want, wantBytes := expected(t, inputs, 0.1)
	var sets []map[string][]byte
	for _, p := range []struct{ workers, readers int }{{1, 1}, {2, 1}, {2, 2}} {
		cfg := testConfig(t, filepath.Join(t.TempDir(), "ds"))
		cfg.Workers, cfg.Readers = p.workers, p.readers
		m := encodeAll(t, cfg, inputs)
		for sp, name := range splitNames {
			got, gotBytes := readShards(t, cfg.Out, name, m.Splits[name].Shards)
			same := len(got) == len(want[sp]) && slices.Equal(gotBytes, wantBytes[sp])
			for i := 0; same && i < len(got); i++ {
				same = slices.Equal(got[i], want[sp][i])
			}
			if !same {
				t.Fatalf("%+v, %s: %d documents, not the expected ids (want %d documents)", p, name, len(got), len(want[sp]))
			}
		}
		sets = append(sets, datasetFiles(t, cfg.Out))
	}
	sameFiles(t, sets[0], sets[1], "1 vs 2 workers")
	sameFiles(t, sets[0], sets[2], "1 vs 2 workers and 2 readers")
}
