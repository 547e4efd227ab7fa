package pipeline

import (
	"context"
	"errors"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/toklabs/tok/corpora"
)

// TestEncodeCancel cancels a run with several readers part way: Encode
// returns context.Canceled soon, leaves no goroutine behind, and a run
// started again ends with the dataset of an uninterrupted run.
func TestEncodeCancel(t *testing.T) {
	defer func(old int) { jobTextBytes = old }(jobTextBytes)
	jobTextBytes = 16 << 10
	inputs := testInputs(t)
	cfg := resumeConfig(filepath.Join(t.TempDir(), "ds"))
	ref := resumeConfig(filepath.Join(t.TempDir(), "ref"))
	ref.Tokenizer = byteTok{}
	encodeAll(t, ref, inputs)

	before := runtime.NumGoroutine()
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(1500*time.Millisecond, cancel)
	start := time.Now()
	_, err := Encode(ctx, cfg, inputs, corpora.DefaultOptions())
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	if el := time.Since(start); el > 5*time.Second {
		t.Errorf("Encode took %v to stop after the cancel", el)
	}
	for i := 0; runtime.NumGoroutine() > before && i < 100; i++ {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("%d goroutines after the cancelled run, %d before", n, before)
	}
	if finishedShards(t, cfg.Out) == 0 {
		t.Log("no shard finished before the cancel")
	}
	cfg.Tokenizer = byteTok{}
	m := encodeAll(t, cfg, inputs)
	if m.Corpus.Documents == 0 {
		t.Fatal("empty dataset")
	}
	sameFiles(t, datasetFiles(t, ref.Out), datasetFiles(t, cfg.Out), "cancelled and resumed vs uninterrupted")
}
