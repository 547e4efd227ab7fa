package pipeline

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/toklabs/tok/corpora"
)

// TestBadRecordKeepsFinishedShards: a bad record stops the run with an
// error naming the file and line; the shards finished before it stay
// (listed in rank.json, checksums intact); started again with SkipBad the
// run resumes and ends with the same dataset as a fresh SkipBad run, the
// skipped record counted in the manifest. With several readers, the
// reader of b.jsonl meets the bad record while the writer is still on
// a.jsonl, and the reader of c.jsonl reads on: the error still comes where
// it is in reading order.
func TestBadRecordKeepsFinishedShards(t *testing.T) {
	for _, readers := range []int{1, 2, 3} {
		t.Run(fmt.Sprintf("readers=%d", readers), func(t *testing.T) { testBadRecordKeepsFinishedShards(t, readers) })
	}
}

func testBadRecordKeepsFinishedShards(t *testing.T, readers int) {
	dir := t.TempDir()
	write := func(name string, lines int, bad int) string {
		var b strings.Builder
		for i := 1; i <= lines; i++ {
			if i == bad {
				b.WriteString("{\"text\": not json}\n")
				continue
			}
			fmt.Fprintf(&b, "{\"id\":%d,\"text\":%q}\n", i, strings.Repeat(fmt.Sprintf("%s line %d. ", name, i), 40))
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	files := []string{write("a.jsonl", 400, 0), write("b.jsonl", 100, 57), write("c.jsonl", 100, 0)}
	inputs, err := corpora.Expand(files, corpora.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	cfg := testConfig(t, filepath.Join(dir, "ds"))
	cfg.ShardBytes = 64 << 10
	cfg.Readers = readers
	_, err = Encode(context.Background(), cfg, inputs, corpora.DefaultOptions())
	if err == nil || !strings.Contains(err.Error(), "b.jsonl:57: bad JSON line") {
		t.Fatalf("got %v, want an error naming b.jsonl:57", err)
	}
	var rs RankState
	if err := readJSON(filepath.Join(rankDir(cfg.Out, 0), RankStateFile), &rs); err != nil {
		t.Fatal(err)
	}
	kept := 0
	for _, sp := range rs.Splits {
		for _, sh := range sp.Shards {
			_, ok, err := VerifyShard(filepath.Join(rankDir(cfg.Out, 0), sh.File), sh)
			if err != nil {
				t.Fatalf("finished shard lost: %v", err)
			}
			if !ok {
				t.Fatalf("%s: checksum changed", sh.File)
			}
			if sh.Last.Source == files[2] {
				t.Fatalf("%s holds documents of %s, after the bad record", sh.File, files[2])
			}
			kept++
		}
	}
	if kept < 2 || rs.Done {
		t.Fatalf("want finished shards kept and the rank not done; %d shards, done %v", kept, rs.Done)
	}

	skip := corpora.DefaultOptions()
	skip.SkipBad = true
	if _, err := Encode(context.Background(), cfg, inputs, skip); err != nil {
		t.Fatal(err)
	}
	m, err := Finalize(cfg.Out)
	if err != nil {
		t.Fatal(err)
	}
	if m.Corpus.Skipped != 1 || m.Corpus.Documents != 599 {
		t.Errorf("manifest: %d skipped, %d documents; want 1 and 599", m.Corpus.Skipped, m.Corpus.Documents)
	}
	fresh := cfg
	fresh.Out = filepath.Join(dir, "fresh")
	if _, err := Encode(context.Background(), fresh, inputs, skip); err != nil {
		t.Fatal(err)
	}
	if _, err := Finalize(fresh.Out); err != nil {
		t.Fatal(err)
	}
	sameFiles(t, datasetFiles(t, fresh.Out), datasetFiles(t, cfg.Out), "resumed after a bad record vs fresh")
}
