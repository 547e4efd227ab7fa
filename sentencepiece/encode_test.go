package sentencepiece

import (
	"bytes"
	"os"
	"slices"
	"sync"
	"testing"

	"github.com/toklabs/tok/internal/sharedtest"
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

// On real models and text, BPE (heap, double array, word cache) segments
// as the naive pair scan does: the Opticks BPE model on the first 500
// lines of its text, and Llama 2 on the shared edge cases and the first
// 300 lines of the multilingual golden text.
func TestBPE_MatchesNaive(t *testing.T) {
	check := func(m *Model, name string, lines [][]byte) {
		for i, l := range lines {
			norm, _ := m.norm.Normalize(nil, nil, l, false)
			if len(norm) == 0 {
				continue
			}
			var st encodeState
			got := m.segmentBPE(&st, norm, nil)
			if want := m.segmentBPENaive(norm); !slices.Equal(got, want) {
				t.Fatalf("%s line %d: got %v, want %v", name, i+1, got, want)
			}
		}
	}
	m, err := Load("testdata/opticks-bpe-1000.model")
	if err != nil {
		t.Fatal(err)
	}
	check(m, "opticks", opticksLines(t, 500))
	if os.Getenv("TOK_SHARED") == "" {
		return
	}
	llama, err := Load(sharedtest.Path(t, "vocab/llama2-tokenizer.model"))
	if err != nil {
		t.Fatal(err)
	}
	for _, text := range []string{"edge", "multi"} {
		data, err := os.ReadFile(sharedtest.Path(t, "golden/texts/"+text+".txt"))
		if err != nil {
			t.Fatal(err)
		}
		lines := bytes.Split(data, []byte("\n"))
		check(llama, text, lines[:min(len(lines), 300)])
	}
}
