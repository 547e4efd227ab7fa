package pipeline

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/toklabs/tok/corpora"
)

// FuzzIndexShard feeds arbitrary bytes, and real shards cut or flipped,
// to the hand-written Arrow IPC framing reader: it must return an error or
// an index, never panic or loop.
func FuzzIndexShard(f *testing.F) {
	cfg := DefaultConfig()
	cfg.Tokenizer, cfg.TokenizerHash = byteTok{}, "fuzz"
	cfg.Out = filepath.Join(f.TempDir(), "ds")
	cfg.BatchRows = 3
	if _, err := Encode(context.Background(), cfg, testInputs(f)[1:3], corpora.DefaultOptions()); err != nil {
		f.Fatal(err)
	}
	if _, err := Finalize(cfg.Out); err != nil {
		f.Fatal(err)
	}
	shard, err := os.ReadFile(filepath.Join(cfg.Out, SplitTrain, hfShardName(0, 1)))
	if err != nil {
		f.Fatal(err)
	}
	if len(shard) > 4096 {
		shard = shard[:4096]
	}
	f.Add(shard)
	f.Add(shard[:len(shard)/2])
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 8, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8})
	f.Fuzz(func(t *testing.T, data []byte) {
		ix, err := scanShard(bytes.NewReader(data), int64(len(data)), "fuzz")
		if err == nil {
			for _, b := range ix.batches {
				if b.rows < 0 || b.tokens < 0 {
					t.Fatalf("negative counts in %+v", b)
				}
			}
		}
	})
}

// TestIndexShardCorrupt flips and cuts bytes of a real shard at many
// places: indexShard must fail cleanly or produce sane counts.
func TestIndexShardCorrupt(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Tokenizer, cfg.TokenizerHash = byteTok{}, "corrupt"
	cfg.Out = filepath.Join(t.TempDir(), "ds")
	cfg.BatchRows = 3
	if _, err := Encode(context.Background(), cfg, testInputs(t)[1:3], corpora.DefaultOptions()); err != nil {
		t.Fatal(err)
	}
	if _, err := Finalize(cfg.Out); err != nil {
		t.Fatal(err)
	}
	shard, err := os.ReadFile(filepath.Join(cfg.Out, SplitTrain, hfShardName(0, 1)))
	if err != nil {
		t.Fatal(err)
	}
	seed := uint64(7)
	failed := 0
	for i := 0; i < 3000; i++ {
		data := append([]byte(nil), shard...)
		seed = seed*6364136223846793005 + 1442695040888963407
		pos := int(seed>>33) % len(data)
		if i%3 == 0 {
			data = data[:pos]
		} else {
			data[pos] ^= byte(seed>>20) | 1
		}
		ix, err := scanShard(bytes.NewReader(data), int64(len(data)), "corrupt")
		if err != nil {
			failed++
			continue
		}
		for _, b := range ix.batches {
			if b.rows < 0 || b.tokens < 0 || b.valuesAt+4*b.tokens > int64(len(data)) {
				t.Fatalf("corruption at %d: batch %+v outside a %d-byte file", pos, b, len(data))
			}
		}
	}
	if failed == 0 {
		t.Error("no corruption was detected")
	}
}
