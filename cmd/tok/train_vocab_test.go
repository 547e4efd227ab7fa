package main

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/toklabs/tok"
	_ "github.com/toklabs/tok/tokenizerjson"
	"github.com/toklabs/tok/wordcount"
)

func runTok(t *testing.T, args ...string) {
	t.Helper()
	if err := newApp().Run(append([]string{"tok"}, args...)); err != nil {
		t.Fatalf("tok %s: %v", strings.Join(args, " "), err)
	}
}

func writeCorpus(t *testing.T, dir string) string {
	var b bytes.Buffer
	for i := 0; i < 400; i++ {
		fmt.Fprintf(&b, "the quick brown fox %d jumps over the lazy dog; naïve café\n\n", i%13)
	}
	p := filepath.Join(dir, "corpus.txt")
	if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestCountShard_Pieces: a rank's share of one large JSON Lines or plain
// text file is a run of pieces; the ranks' shares tile the file.
func TestCountShard_Pieces(t *testing.T) {
	defer func(old int64) { minCountPiece = old }(minCountPiece)
	minCountPiece = 1 << 10
	dir := t.TempDir()
	var jsonl bytes.Buffer
	for i := range 2000 {
		fmt.Fprintf(&jsonl, "{\"text\":\"document %d\"}\n", i)
	}
	for _, name := range []string{"c.jsonl", "c.txt"} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, jsonl.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		const world = 3
		next := int64(0)
		for r := range world {
			c, err := resolveCorpus([]string{p})
			if err != nil {
				t.Fatal(err)
			}
			docRank, docWorld, how, err := c.shard(r, world)
			if err != nil || docRank != 0 || docWorld != 1 || how != "files and pieces of files" {
				t.Fatalf("%s rank %d: %d %d %q %v; want a share of pieces", name, r, docRank, docWorld, how, err)
			}
			for _, in := range c.inputs {
				if in.Start != next || in.End <= in.Start {
					t.Fatalf("%s rank %d: piece [%d, %d), want one from %d", name, r, in.Start, in.End, next)
				}
				next = in.End
			}
		}
		if next != int64(jsonl.Len()) {
			t.Errorf("%s: the ranks' pieces end at %d, want %d", name, next, jsonl.Len())
		}
	}
}

// train-vocab from a corpus and from the merged counts of two ranks give
// the same files, and every written format loads and round-trips.
func TestTrainVocabBPE_CountsShardsAndFormats(t *testing.T) {
	dir := t.TempDir()
	corpus := writeCorpus(t, dir)
	direct := filepath.Join(dir, "direct")
	runTok(t, "train-vocab", "--vocab-size", "300", "--special-tokens", "<|endoftext|>", "--out", direct, corpus)

	// The same corpus as three files (sharded by file) and gzipped (every
	// rank reads it all and counts its documents).
	data, _ := os.ReadFile(corpus)
	third := bytes.SplitAfterN(data, []byte("\n\n"), 3)
	var split []string
	for i, part := range third {
		p := filepath.Join(dir, fmt.Sprintf("part%d.txt", i))
		os.WriteFile(p, part, 0o644)
		split = append(split, p)
	}
	gz := filepath.Join(dir, "corpus.txt.gz")
	var zb bytes.Buffer
	zw := gzip.NewWriter(&zb)
	zw.Write(data)
	zw.Close()
	os.WriteFile(gz, zb.Bytes(), 0o644)

	defer func(old int64) { minCountPiece = old }(minCountPiece)
	minCountPiece = 1 << 10 // pieces of the 24 kB corpus
	for _, tc := range []struct {
		name   string
		corpus []string
		world  int
	}{
		{"byte ranges", []string{corpus}, 3},
		{"files", split, 2},
		{"documents", []string{gz}, 2},
	} {
		var args []string
		for r := 0; r < tc.world; r++ {
			p := filepath.Join(dir, fmt.Sprintf("counts-%d%s", r, wordcount.FileExt))
			runTok(t, append([]string{"count", "--rank", fmt.Sprint(r), "--world-size", fmt.Sprint(tc.world), "--workers", "1", "--out", p}, tc.corpus...)...)
			args = append(args, "--from-counts", p)
		}
		fromCounts := filepath.Join(dir, "from-counts")
		runTok(t, append([]string{"train-vocab", "--vocab-size", "300", "--special-tokens", "<|endoftext|>", "--out", fromCounts}, args...)...)
		for _, name := range []string{"vocab.json", "merges.txt", "tokenizer.json", "vocab.tiktoken"} {
			a, err1 := os.ReadFile(filepath.Join(direct, name))
			b, err2 := os.ReadFile(filepath.Join(fromCounts, name))
			if err1 != nil || err2 != nil {
				t.Fatalf("%s: %v %v", name, err1, err2)
			}
			if !bytes.Equal(a, b) {
				t.Errorf("%s: %s differs between the corpus and its merged rank counts", tc.name, name)
			}
		}
	}
	text := "the lazy dog, naïve café \xff\n"
	for _, name := range []string{"tokenizer.json", "vocab.json"} {
		tk, err := tok.Open(filepath.Join(direct, name))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if tk.VocabSize() != 300 {
			t.Errorf("%s: vocab size %d, want 300", name, tk.VocabSize())
		}
		ids := tk.AppendEncode(nil, []byte(text))
		back, err := tk.AppendDecode(nil, ids)
		if err != nil || string(back) != text {
			t.Errorf("%s: decode(encode) = %q, %v", name, back, err)
		}
		if len(ids) >= len(text)/2 {
			t.Errorf("%s: %d ids for %d bytes: merges not applied?", name, len(ids), len(text))
		}
	}
}

func TestTrainVocab_BadInput(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad"+wordcount.FileExt)
	os.WriteFile(bad, []byte("not zstd"), 0o644)
	err := newApp().Run([]string{"tok", "train-vocab", "--out", filepath.Join(dir, "o"), "--from-counts", bad})
	if err == nil || !strings.Contains(err.Error(), bad) {
		t.Errorf("corrupt counts file: err %v, want one naming %s", err, bad)
	}
	err = newApp().Run([]string{"tok", "train-vocab", "--algo", "nope", "--out", filepath.Join(dir, "o")})
	if err == nil || !strings.Contains(err.Error(), "bpe") {
		t.Errorf("unknown algo: err %v, want the list of algorithms", err)
	}
}

// Counts over 2^32 travel through the counts file and order the merges by
// their true values (32-bit counts would wrap 2^32+1 to 1 and merge "c d"
// first).
func TestTrainVocab_64BitCountsFromFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "big"+wordcount.FileExt)
	c := &wordcount.Counts{
		Meta:  wordcount.Meta{PreTokenizer: "gpt2", Lines: true, WorldSize: 1},
		Words: []wordcount.Entry{{Word: "ab", Count: 1<<32 + 1}, {Word: "cd", Count: 3}},
	}
	if err := wordcount.WriteFile(p, c); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	runTok(t, "train-vocab", "--alphabet", "seen", "--vocab-size", "6", "--out", out, "--from-counts", p)
	merges, err := os.ReadFile(filepath.Join(out, "merges.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if want := "#version: 0.2\na b\nc d\n"; string(merges) != want {
		t.Errorf("merges.txt = %q, want %q", merges, want)
	}
}

// TestTrainVocab_CountsJSONLPieces: three ranks counting pieces of one
// JSON Lines file merge into the counts of the whole file.
func TestTrainVocab_CountsJSONLPieces(t *testing.T) {
	defer func(old int64) { minCountPiece = old }(minCountPiece)
	minCountPiece = 1 << 10
	dir := t.TempDir()
	var b bytes.Buffer
	for i := range 600 {
		fmt.Fprintf(&b, "{\"id\":%d,\"text\":\"the quick brown fox %d jumps over the lazy dog; naïve café\\n\"}\n", i, i%17)
	}
	corpus := filepath.Join(dir, "corpus.jsonl")
	if err := os.WriteFile(corpus, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	direct := filepath.Join(dir, "direct")
	runTok(t, "train-vocab", "--vocab-size", "300", "--out", direct, corpus)
	var args []string
	for r := range 3 {
		p := filepath.Join(dir, fmt.Sprintf("counts-%d%s", r, wordcount.FileExt))
		runTok(t, "count", "--rank", fmt.Sprint(r), "--world-size", "3", "--workers", "1", "--out", p, corpus)
		args = append(args, "--from-counts", p)
	}
	fromCounts := filepath.Join(dir, "from-counts")
	runTok(t, append([]string{"train-vocab", "--vocab-size", "300", "--out", fromCounts}, args...)...)
	for _, name := range []string{"vocab.json", "merges.txt"} {
		a, err1 := os.ReadFile(filepath.Join(direct, name))
		c, err2 := os.ReadFile(filepath.Join(fromCounts, name))
		if err1 != nil || err2 != nil || !bytes.Equal(a, c) {
			t.Errorf("%s differs between the JSON Lines file and its merged rank counts (%v %v)", name, err1, err2)
		}
	}
}
