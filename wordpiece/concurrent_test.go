package wordpiece

import (
	"reflect"
	"sync"
	"testing"
)

// TestBERT_concurrent encodes from several goroutines at once, starting
// before the lazily built character table exists, and checks every result
// against a sequential encoding. Run it with -race.
func TestBERT_concurrent(t *testing.T) {
	lines := [][]byte{[]byte("Héllo, wörld! 中文 [SEP] ok"), []byte("plain ascii words only"), []byte("Zalgo Z͑ͫ̓ͪ̂ A̴̵̜ İstanbul ΣΑΣ"), []byte("\xff\xfe bad bytes \xc3")}
	seq := fuzzBERT(t, false)
	want := make([][]uint32, len(lines))
	for i, l := range lines {
		want[i] = seq.AppendEncode(nil, l)
	}
	b := fuzzBERT(t, false) // fresh: no table yet
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range 50 {
				i := (g + k) % len(lines)
				got, _ := b.AppendEncodeOffsets(nil, nil, lines[i])
				if !reflect.DeepEqual(got, want[i]) {
					errs <- string(lines[i])
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Errorf("concurrent encoding of %q differs", e)
	}
}
