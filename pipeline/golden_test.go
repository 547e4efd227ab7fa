package pipeline

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
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
				if !slicesEqual(got, want) {
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
