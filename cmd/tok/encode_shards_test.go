package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/toklabs/tok/pipeline"
)

// runTokOut runs tok with args and returns what it wrote to stdout.
func runTokOut(t *testing.T, args ...string) (string, error) {
	t.Helper()
	app := newApp()
	var out, errOut bytes.Buffer
	app.Writer, app.ErrWriter = &out, &errOut
	err := app.Run(append([]string{"tok"}, args...))
	return out.String() + errOut.String(), err
}

// tok encode --out with ranks, tok finalize, tok inspect --verify --doc,
// and the refusal of another tokenizer, through the CLI.
func TestEncodeShardsCLI(t *testing.T) {
	dir := t.TempDir()
	var corpus []string
	for i := 0; i < 4; i++ {
		var b strings.Builder
		for j := 0; j < 50; j++ {
			fmt.Fprintf(&b, "{\"text\":\"document %d of file %d: the quick brown fox\"}\n", j, i)
		}
		p := filepath.Join(dir, fmt.Sprintf("part-%d.jsonl", i))
		os.WriteFile(p, []byte(b.String()), 0o644)
		corpus = append(corpus, p)
	}
	out := filepath.Join(dir, "ds")
	for r := 0; r < 2; r++ {
		args := append([]string{"encode", "-t", "bytes", "--out", out, "--rank", fmt.Sprint(r), "--world-size", "2",
			"--val-fraction", "0.2", "--progress=false"}, corpus...)
		msg, err := runTokOut(t, args...)
		if err != nil {
			t.Fatalf("rank %d: %v\n%s", r, err, msg)
		}
		if !strings.Contains(msg, "run `tok finalize") {
			t.Errorf("rank %d output: %s", r, msg)
		}
	}
	msg, err := runTokOut(t, "finalize", "--export", "nanogpt", out)
	if err != nil {
		t.Fatalf("finalize: %v\n%s", err, msg)
	}
	if !strings.Contains(msg, "corpus xxh3_128") || !strings.Contains(msg, "200 documents") {
		t.Errorf("finalize output: %s", msg)
	}
	if _, err := os.Stat(filepath.Join(out, "nanogpt", "train.bin")); err != nil {
		t.Error(err)
	}
	msg, err = runTokOut(t, "inspect", "--verify", "--doc", "0", "-t", "bytes", out)
	if err != nil {
		t.Fatalf("inspect: %v\n%s", err, msg)
	}
	if !strings.Contains(msg, "  ok") || !strings.Contains(msg, "text:\ndocument ") {
		t.Errorf("inspect output: %s", msg)
	}
	// A corrupted shard fails --verify.
	m, _ := pipeline.OpenDataset(out)
	sh := filepath.Join(out, "train", m.Manifest().Splits["train"].Shards[0].File)
	m.Close()
	b, _ := os.ReadFile(sh)
	b[len(b)-20] ^= 1
	os.WriteFile(sh, b, 0o644)
	if msg, err := runTokOut(t, "inspect", "--verify", out); err == nil || !strings.Contains(msg, "MISMATCH") {
		t.Errorf("corrupted shard: %v\n%s", err, msg)
	}
	// Other settings into the same directory are refused (another
	// tokenizer is checked the same way, in package pipeline).
	if _, err := runTokOut(t, append([]string{"encode", "-t", "bytes", "--eos", "10", "--out", out, "--progress=false"}, corpus...)...); err == nil ||
		!strings.Contains(err.Error(), "written with other settings") {
		t.Errorf("other settings: %v", err)
	}
}
