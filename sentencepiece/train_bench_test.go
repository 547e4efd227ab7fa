package sentencepiece

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"
	"github.com/toklabs/tok/internal/sharedtest"
)

// sharedLines returns the first lines of a zstd-compressed shared corpus,
// up to maxBytes bytes of text.
func sharedLines(tb testing.TB, rel string, maxBytes int) [][]byte {
	tb.Helper()
	f, err := os.Open(sharedtest.Path(tb, rel))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	d, err := zstd.NewReader(f)
	if err != nil {
		tb.Fatal(err)
	}
	defer d.Close()
	sc := bufio.NewScanner(d)
	sc.Buffer(make([]byte, 1<<16), 1<<24)
	var lines [][]byte
	n := 0
	for sc.Scan() && n < maxBytes {
		lines = append(lines, append([]byte(nil), sc.Bytes()...))
		n += len(sc.Bytes()) + 1
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return lines
}

// BenchmarkTrainFromCounts_Unigram trains an 8000-piece Unigram model with
// 2 workers from the word counts of the first megabytes of a corpus
// (counting is not timed). With -v it logs each stage with the time and
// the live heap.
func BenchmarkTrainFromCounts_Unigram(b *testing.B) {
	benchTrainFromCounts(b, Unigram, 2)
}

// BenchmarkTrainBPE does the same for BPE, on the first 5 MB.
func BenchmarkTrainBPE(b *testing.B) {
	benchTrainFromCounts(b, BPE, 5)
}

func benchTrainFromCounts(b *testing.B, algo Algorithm, mb int) {
	for _, corpus := range []struct{ lang, path string }{{"ja", "corpora/ja.txt.zst"}, {"en", "corpora/en-large.txt.zst"}} {
		b.Run(fmt.Sprintf("%s-%dMB", corpus.lang, mb), func(b *testing.B) {
			lines := sharedLines(b, corpus.path, mb<<20)
			cfg := DefaultTrainConfig()
			cfg.Algorithm = algo
			cfg.Workers = 2
			wc, err := CountWords(&linesDocs{lines: lines}, cfg)
			if err != nil {
				b.Fatal(err)
			}
			var bytes int64
			for _, l := range lines {
				bytes += int64(len(l) + 1)
			}
			if testing.Verbose() {
				start := time.Now()
				cfg.Progress = func(msg string) {
					var ms runtime.MemStats
					runtime.ReadMemStats(&ms)
					b.Logf("%6.2fs heap %4d MB (sys %4d MB): %s", time.Since(start).Seconds(), ms.HeapAlloc>>20, ms.Sys>>20, msg)
				}
			}
			b.SetBytes(bytes)
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				if _, err := TrainFromCounts(wc, cfg); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
