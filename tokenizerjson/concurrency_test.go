package tokenizerjson

import (
	"bytes"
	"fmt"
	"sync"
	"testing"

	"github.com/toklabs/tok/pretokenize"
)

// TestConcurrentEncode encodes from several goroutines at once (run with
// -race) and checks every result against the serial one.
func TestConcurrentEncode(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteBPE(&buf, smallSpec(pretokenize.PatternCL100K)); err != nil {
		t.Fatal(err)
	}
	tk, err := Parse(buf.Bytes(), "small.json")
	if err != nil {
		t.Fatal(err)
	}
	var texts [][]byte
	for i := range 64 {
		texts = append(texts, []byte(fmt.Sprintf("abc %d ab<|end|> ac %s\xff", i, bytes.Repeat([]byte("ab "), i))))
	}
	checkConcurrent(t, tk, texts, 8, true)
}

// checkConcurrent encodes texts from several goroutines at once and checks
// every result against the serial one (AppendEncode, and Encode with
// special tokens when withEncode is set).
func checkConcurrent(t *testing.T, tk *Tokenizer, texts [][]byte, goroutines int, withEncode bool) {
	t.Helper()
	want := make([]string, len(texts))
	for i, s := range texts {
		want[i] = formatIDs(tk.AppendEncode(nil, s))
	}
	var wg sync.WaitGroup
	errs := make(chan string, 2*goroutines*len(texts))
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range texts {
				i := (k + g) % len(texts)
				if got := formatIDs(tk.AppendEncode(nil, texts[i])); got != want[i] {
					errs <- fmt.Sprintf("goroutine %d text %d: %s, want %s", g, i, got, want[i])
				}
				if !withEncode {
					continue
				}
				if enc := tk.Encode(texts[i], EncodeOptions{AddSpecialTokens: true}); formatIDs(enc.IDs) != want[i] {
					errs <- fmt.Sprintf("goroutine %d text %d: Encode %v, want %s", g, i, enc.IDs, want[i])
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
