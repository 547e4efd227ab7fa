package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/toklabs/tok/corpora"
	"github.com/toklabs/tok/model"
	"github.com/toklabs/tok/pipeline"
	"github.com/toklabs/tok/rawbytes"
)

var tinyModelFlags = []string{"--layers", "1", "--heads", "2", "--width", "16", "--context-len", "8",
	"--batch-size", "2", "--eval-batches", "2", "--warmup-steps", "2", "--log-every", "1"}

func TestTrainAndSampleVerbs(t *testing.T) {
	dir := t.TempDir()
	text := filepath.Join(dir, "text.txt")
	if err := os.WriteFile(text, []byte(strings.Repeat("to be or not to be, that is the question. ", 50)), 0o644); err != nil {
		t.Fatal(err)
	}
	run := filepath.Join(dir, "run")
	args := append([]string{"tok", "train", "--data", text, "--out", run, "--steps", "4"}, tinyModelFlags...)
	if err := newApp().Run(args); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"model.safetensors", "optimizer.safetensors", "state.json", "loss.svg"} {
		if _, err := os.Stat(filepath.Join(run, f)); err != nil {
			t.Errorf("run lacks %s: %v", f, err)
		}
	}
	// a second train into the same run without --resume is refused
	if err := newApp().Run(args); err == nil || !strings.Contains(err.Error(), "--resume") {
		t.Errorf("retraining into an existing run: err = %v", err)
	}
	// --resume extends it
	if err := newApp().Run(append([]string{"tok", "train", "--data", text, "--out", run, "--steps", "6", "--resume"}, tinyModelFlags...)); err != nil {
		t.Fatal(err)
	}
	_, _, step, err := model.LoadModel(run)
	if err != nil || step != 6 {
		t.Fatalf("after resume: step %d, err %v", step, err)
	}
	if err := newApp().Run([]string{"tok", "sample", "--run", run, "--max-tokens", "20", "--prompt", "to be"}); err != nil {
		t.Fatal(err)
	}
	// a truncated checkpoint is a clear error naming the file
	mf := filepath.Join(run, "model.safetensors")
	data, _ := os.ReadFile(mf)
	os.WriteFile(mf, data[:len(data)/2], 0o644)
	err = newApp().Run([]string{"tok", "sample", "--run", run})
	if err == nil || !strings.Contains(err.Error(), "model.safetensors") || !strings.Contains(err.Error(), "truncated") {
		t.Errorf("truncated checkpoint: err = %v", err)
	}
}

func TestTrainOnShards(t *testing.T) {
	dir := t.TempDir()
	text := filepath.Join(dir, "corpus.txt")
	var b strings.Builder
	for i := 0; i < 300; i++ {
		fmt.Fprintf(&b, "the quick brown fox jumps over the lazy dog, line %d\n", i)
	}
	os.WriteFile(text, []byte(b.String()), 0o644)
	encode := func(out, hash string, valFraction float64) {
		cfg := pipeline.DefaultConfig()
		cfg.Tokenizer, cfg.TokenizerHash, cfg.Out, cfg.ValFraction = rawbytes.Tokenizer{}, hash, out, valFraction
		inputs := []corpora.Input{{Path: text, Format: corpora.FormatAuto, Split: corpora.SplitLines, Size: int64(b.Len())}}
		if _, err := pipeline.Encode(context.Background(), cfg, inputs, corpora.DefaultOptions()); err != nil {
			t.Fatal(err)
		}
		if _, err := pipeline.Finalize(out); err != nil {
			t.Fatal(err)
		}
	}
	shards := filepath.Join(dir, "shards")
	encode(shards, "rawbytes", 0.2)
	ds, err := loadDataset(shards, "bytes", 0)
	if err != nil {
		t.Fatal(err)
	}
	if ds.Train.NumTokens() == 0 || ds.Val.NumTokens() == 0 || ds.BytesPerToken != 1 {
		t.Fatalf("train %d, val %d tokens, %g bytes/token", ds.Train.NumTokens(), ds.Val.NumTokens(), ds.BytesPerToken)
	}
	win := make([]uint32, 10)
	if err := ds.Train.ReadWindow(win, 0); err != nil || string(u8(win)) != "the quick " {
		t.Fatalf("first window %q, err %v", u8(win), err)
	}
	run := filepath.Join(dir, "run")
	if err := newApp().Run(append([]string{"tok", "train", "--data", shards, "--out", run, "--steps", "3"}, tinyModelFlags...)); err != nil {
		t.Fatal(err)
	}
	// shards from another tokenizer
	other := filepath.Join(dir, "other")
	encode(other, "some-other-tokenizer", 0.2)
	if _, err := loadDataset(other, "bytes", 0); err == nil || !strings.Contains(err.Error(), "some-other-tokenizer") {
		t.Errorf("shards of another tokenizer: err = %v", err)
	}
	// shards without a validation split (tok encode's default): the last
	// --val-fraction of the train tokens is held out, the rest trains
	noVal := filepath.Join(dir, "noval")
	encode(noVal, "rawbytes", 0)
	if _, err := loadDataset(noVal, "bytes", 0); err == nil || !strings.Contains(err.Error(), "no validation split") {
		t.Errorf("no validation split, --val-fraction 0: err = %v", err)
	}
	ds, err = loadDataset(noVal, "bytes", 0.25)
	if err != nil {
		t.Fatal(err)
	}
	total := int64(b.Len() - 300) // a document per line, without its newline
	if ds.Train.NumTokens()+ds.Val.NumTokens() != total || ds.Val.NumTokens() != total-int64(float64(total)*0.75) {
		t.Fatalf("train %d + val %d tokens, want %d with a quarter held out", ds.Train.NumTokens(), ds.Val.NumTokens(), total)
	}
	tail := make([]uint32, 8)
	if err := ds.Val.ReadWindow(tail, ds.Val.NumTokens()-8); err != nil || string(u8(tail)) != "line 299" {
		t.Fatalf("last validation window %q, err %v", u8(tail), err)
	}
	if err := ds.Train.ReadWindow(tail, ds.Train.NumTokens()-7); err == nil {
		t.Errorf("a window past the end of the held-in part read without error")
	}
	if err := newApp().Run(append([]string{"tok", "train", "--data", noVal, "--out", filepath.Join(dir, "run2"), "--steps", "2"}, tinyModelFlags...)); err != nil {
		t.Fatal(err)
	}
}

func u8(ids []uint32) []byte {
	b := make([]byte, len(ids))
	for i, id := range ids {
		b[i] = byte(id)
	}
	return b
}
