package pipeline

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/toklabs/tok"
	_ "github.com/toklabs/tok/bpe"
	"github.com/toklabs/tok/corpora"
	"github.com/toklabs/tok/internal/sharedtest"
)

// TestGoldenThroughPipeline encodes the golden texts line by line through
// the whole pipeline (corpora → workers → Arrow shards → Dataset reader)
// with real vocabularies and compares every document with the ids the
// reference tool (tiktoken) produced, in ../shared/golden.
func TestGoldenThroughPipeline(t *testing.T) {
	for _, vocab := range []string{"cl100k_base.tiktoken", "o200k_base.tiktoken"} {
		path := sharedtest.Path(t, "vocab/"+vocab)
		tk, err := tok.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		hash, err := HashFiles(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, text := range []string{"en", "code", "multi"} {
			txt := sharedtest.Path(t, "golden/texts/"+text+".txt")
			golden := readGolden(t, sharedtest.Path(t, "golden/"+vocab+"/"+text+".jsonl"), txt)
			cfg := DefaultConfig()
			cfg.Tokenizer, cfg.TokenizerHash = tk, hash
			cfg.Out = filepath.Join(t.TempDir(), "ds")
			cfg.Workers = 2
			cfg.ShardBytes = 64 << 10
			cfg.BatchRows = 37
			in, err := corpora.Expand([]string{txt}, corpora.DefaultOptions())
			if err != nil {
				t.Fatal(err)
			}
			m := encodeAll(t, cfg, in)
			ds, err := OpenDataset(cfg.Out)
			if err != nil {
				t.Fatal(err)
			}
			s, err := ds.Split(SplitTrain)
			if err != nil {
				t.Fatal(err)
			}
			if s.NumDocuments() != int64(len(golden)) {
				t.Fatalf("%s/%s: %d documents, golden has %d non-empty lines", vocab, text, s.NumDocuments(), len(golden))
			}
			for i, want := range golden {
				got, _, err := s.Document(int64(i), nil)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(got, want) {
					t.Fatalf("%s/%s: document %d differs from the reference ids", vocab, text, i)
				}
			}
			ds.Close()
			t.Logf("%s/%s: %d of %d documents identical to tiktoken's ids (%d shards)", vocab, text, len(golden), len(golden), len(m.Splits[SplitTrain].Shards))
		}
	}
}

// readGolden returns the golden ids of the non-empty lines of txt (the
// documents of corpora.SplitLines).
func readGolden(t *testing.T, jsonl, txt string) [][]int32 {
	lines, err := os.ReadFile(txt)
	if err != nil {
		t.Fatal(err)
	}
	texts := strings.Split(strings.TrimSuffix(string(lines), "\n"), "\n")
	f, err := os.Open(jsonl)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<24)
	var out [][]int32
	for i := 0; sc.Scan(); i++ {
		if strings.TrimSuffix(texts[i], "\r") == "" {
			continue
		}
		if strings.HasSuffix(texts[i], "\r") {
			t.Fatalf("%s:%d ends in \\r; SplitLines would strip it", txt, i+1)
		}
		var ids []int32
		if err := json.Unmarshal(sc.Bytes(), &ids); err != nil {
			t.Fatal(err)
		}
		out = append(out, ids)
	}
	return out
}

// TestInvalidUTF8RoundTrip: with AllowInvalidUTF8, text that is not UTF-8
// goes through the pipeline to a byte-level tokenizer and decodes back to
// the same bytes; without it, the line is a bad record named by file and
// line.
func TestInvalidUTF8RoundTrip(t *testing.T) {
	path := sharedtest.Path(t, "vocab/cl100k_base.tiktoken")
	tk, err := tok.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := []string{"plain line", "bad \xff\xfe bytes \xc3", "caf\xc3\xa9 \xe2\x82"}
	dir := t.TempDir()
	p := filepath.Join(dir, "bad.txt")
	os.WriteFile(p, []byte(strings.Join(lines, "\n")+"\n"), 0o644)
	in, _ := corpora.Expand([]string{p}, corpora.DefaultOptions())
	cfg := DefaultConfig()
	cfg.Tokenizer, cfg.TokenizerHash, cfg.Out = tk, "cl100k", filepath.Join(dir, "ds")
	if _, err := Encode(context.Background(), cfg, in, corpora.DefaultOptions()); err == nil || !strings.Contains(err.Error(), "bad.txt:2: invalid UTF-8") {
		t.Fatalf("without AllowInvalidUTF8: %v", err)
	}
	opts := corpora.DefaultOptions()
	opts.AllowInvalidUTF8 = true
	cfg.Out = filepath.Join(dir, "ds2")
	if _, err := Encode(context.Background(), cfg, in, opts); err != nil {
		t.Fatal(err)
	}
	if _, err := Finalize(cfg.Out); err != nil {
		t.Fatal(err)
	}
	ds, _ := OpenDataset(cfg.Out)
	defer ds.Close()
	s, _ := ds.Split(SplitTrain)
	for i, want := range lines {
		ids, nb, err := s.Document(int64(i), nil)
		if err != nil {
			t.Fatal(err)
		}
		u := make([]uint32, len(ids))
		for k, id := range ids {
			u[k] = uint32(id)
		}
		got, err := tk.AppendDecode(nil, u)
		if err != nil || string(got) != want || nb != int64(len(want)) {
			t.Errorf("line %d: decoded %q (%v), %d bytes; want %q", i+1, got, err, nb, want)
		}
	}
}
