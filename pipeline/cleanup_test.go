package pipeline

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestCleanRankDirRemovesTemps checks that a resumed run removes what a
// killed one left half-written: shard temporaries, internal/atomicfile
// temporaries and shards the state does not list, and keeps the rest.
func TestCleanRankDirRemovesTemps(t *testing.T) {
	dir := t.TempDir()
	st := &RankState{Splits: map[string]*SplitState{SplitTrain: {Shards: []ShardInfo{{File: "train-00000.arrow"}}}}}
	for _, name := range []string{"train-00000.arrow", "train-00001.arrow", "train-00002.arrow.tmp",
		".rank.json.tmp1234567", RankStateFile, "notes.txt"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := cleanRankDir(dir, st); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var left []string
	for _, e := range entries {
		left = append(left, e.Name())
	}
	want := []string{"notes.txt", RankStateFile, "train-00000.arrow"}
	slices.Sort(want)
	if !slices.Equal(left, want) {
		t.Errorf("left %v, want %v", left, want)
	}
}
