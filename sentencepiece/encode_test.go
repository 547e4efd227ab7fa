package sentencepiece

import (
	"slices"
	"sync"
	"testing"
)

// Encoding from several goroutines at once (sharing the pooled scratch
// state and the BPE word cache) gives the ids of encoding alone; run with
// -race to check the cache's lock-free reads.
func TestModel_ConcurrentEncode(t *testing.T) {
	lines := opticksLines(t, 2000)
	for _, path := range []string{"testdata/opticks-bpe-1000.model", "testdata/opticks-unigram-1000.model"} {
		want, err := Load(path)
		if err != nil {
			t.Fatal(err)
		}
		var ref [][]uint32
		for _, l := range lines {
			ref = append(ref, want.AppendEncode(nil, l))
		}
		m, err := Load(path) // a fresh model: an empty cache
		if err != nil {
			t.Fatal(err)
		}
		if m.algo == BPE && m.cache == nil {
			t.Fatalf("%s: no word cache to exercise", path)
		}
		var wg sync.WaitGroup
		errs := make(chan string, 4)
		for g := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for k := range lines {
					i := (k + g*len(lines)/4) % len(lines) // each goroutine starts elsewhere
					if got := m.AppendEncode(nil, lines[i]); !slices.Equal(got, ref[i]) {
						errs <- path + ": line " + string(lines[i])
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for e := range errs {
			t.Error(e)
		}
	}
}
