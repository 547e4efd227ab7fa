package pipeline

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/toklabs/tok"
	"github.com/toklabs/tok/corpora"
	"github.com/toklabs/tok/internal/cputime"
	"github.com/toklabs/tok/internal/sharedtest"
	"github.com/toklabs/tok/rawbytes"
)

// BenchmarkPipeline_Encode compares the end-to-end pipeline (read,
// decompress, parse, encode on W workers, write Arrow shards, finalize)
// with the tokenizer alone on the same documents. The pipeline's target is
// at least 90% of the tokenizer's throughput times the cores used.
//
// What each side measures (both in this process, under the same load):
//   - tokenizer-goroutines=G: the documents are read and held in memory
//     first (not timed); the timer covers AppendEncode of every document on
//     G goroutines that take blocks of documents in order from a shared counter, each
//     with its own reused ids buffer. One op is one pass over the corpus;
//     run with -benchtime 1x so that it is one cold pass like the pipeline's.
//   - pipeline-workers=W: Encode (reading and decompressing the files,
//     parsing, hashing, encoding on W workers, writing uncompressed Arrow
//     shards, fsync) and Finalize, into a fresh directory (under
//     TOK_BENCH_OUT if set, for example a tmpfs to leave the disk out); with
//     -readers=R, R inputs are read at once (the default is W/4).
//
// Both report MB/s (wall) and MB/cpu-s (user+system CPU of the process
// during the timed part): the CPU figure shows the pipeline's overhead even
// when other loads on a shared machine distort wall time.
//
// Input classes: cl100k on en-sotu.jsonl.zst (needs TOK_SHARED; another
// file of ../shared/corpora with TOK_BENCH_CORPUS=NAME, or any file with an
// absolute path), and raw bytes on the default corpus (pipeline overhead
// with a trivial tokenizer). scripts/bench-pipeline.sh runs it.
func BenchmarkPipeline_Encode(b *testing.B) {
	type class struct {
		name   string
		tk     func(b *testing.B) tok.Tokenizer
		inputs func(b *testing.B) []corpora.Input
	}
	classes := []class{
		{"cl100k", func(b *testing.B) tok.Tokenizer {
			t, err := tok.Open(sharedtest.Path(b, "vocab/cl100k_base.tiktoken"))
			if err != nil {
				b.Fatal(err)
			}
			return t
		}, func(b *testing.B) []corpora.Input {
			path := "corpora/en-sotu.jsonl.zst"
			if env := os.Getenv("TOK_BENCH_CORPUS"); env != "" {
				path = "corpora/" + env
				if filepath.IsAbs(env) {
					path = env
				}
			}
			if !filepath.IsAbs(path) {
				path = sharedtest.Path(b, path)
			}
			in, err := corpora.Expand([]string{path}, corpora.DefaultOptions())
			if err != nil {
				b.Fatal(err)
			}
			return in
		}},
		{"bytes-default", func(*testing.B) tok.Tokenizer { return rawbytes.Tokenizer{} }, func(b *testing.B) []corpora.Input {
			in, err := corpora.DefaultInputs()
			if err != nil {
				b.Fatal(err)
			}
			return in
		}},
	}
	counts := []int{1}
	if n := runtime.GOMAXPROCS(0); n > 1 {
		counts = append(counts, n)
	}
	for _, c := range classes {
		for _, g := range counts {
			b.Run(fmt.Sprintf("%s/tokenizer-goroutines=%d", c.name, g), func(b *testing.B) {
				tk, inputs := c.tk(b), c.inputs(b)
				docs, total := readAllDocs(b, inputs)
				b.SetBytes(total)
				b.ReportAllocs()
				b.ResetTimer()
				cpu0 := cpuSeconds()
				for i := 0; i < b.N; i++ {
					encodeDocs(tk, docs, g)
				}
				b.ReportMetric(float64(total)*float64(b.N)/1e6/(cpuSeconds()-cpu0), "MB/cpu-s")
			})
		}
		// The tokenizer with its input read on the same goroutine: what one
		// core does for `zstdcat | tokenizer`, without the pipeline. The
		// pipeline's own overhead (parallel reading, ordering, writing) is
		// its throughput against this one's times the cores.
		b.Run(c.name+"/read-and-encode-goroutines=1", func(b *testing.B) {
			tk, inputs := c.tk(b), c.inputs(b)
			var total int64
			b.ReportAllocs()
			b.ResetTimer()
			cpu0 := cpuSeconds()
			for i := 0; i < b.N; i++ {
				total = readAndEncode(b, tk, inputs)
			}
			b.SetBytes(total)
			b.ReportMetric(float64(total)*float64(b.N)/1e6/(cpuSeconds()-cpu0), "MB/cpu-s")
		})
		type par struct{ workers, readers int }
		var pars []par
		for _, w := range counts {
			pars = append(pars, par{w, 0})
			if w > 1 {
				pars = append(pars, par{w, w})
			}
		}
		for _, p := range pars {
			w := p.workers
			name := fmt.Sprintf("%s/pipeline-workers=%d", c.name, w)
			if p.readers > 0 {
				name += fmt.Sprintf("-readers=%d", p.readers)
			}
			b.Run(name, func(b *testing.B) {
				tk, inputs := c.tk(b), c.inputs(b)
				var total int64
				b.ReportAllocs()
				b.ResetTimer() // as the tokenizer's: its loading is not encoding
				cpu0 := cpuSeconds()
				for i := 0; i < b.N; i++ {
					cfg := DefaultConfig()
					cfg.Tokenizer, cfg.TokenizerHash = tk, "bench"
					cfg.Workers, cfg.Readers = w, p.readers
					cfg.Out = filepath.Join(benchOutDir(b), "ds")
					if _, err := Encode(context.Background(), cfg, inputs, corpora.DefaultOptions()); err != nil {
						b.Fatal(err)
					}
					m, err := Finalize(cfg.Out)
					if err != nil {
						b.Fatal(err)
					}
					total = m.Corpus.Bytes
				}
				b.SetBytes(total)
				b.ReportMetric(float64(total)*float64(b.N)/1e6/(cpuSeconds()-cpu0), "MB/cpu-s")
			})
		}
	}
}

// benchOutDir returns a fresh directory for a benchmark's output, removed
// at its end: under TOK_BENCH_OUT if that is set, else b.TempDir().
func benchOutDir(b *testing.B) string {
	base := os.Getenv("TOK_BENCH_OUT")
	if base == "" {
		return b.TempDir()
	}
	dir, err := os.MkdirTemp(base, "bench")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// readAllDocs reads the documents of inputs into memory.
func readAllDocs(b *testing.B, inputs []corpora.Input) ([][]byte, int64) {
	var docs [][]byte
	var total int64
	r := corpora.OpenInputs(inputs, corpora.DefaultOptions())
	defer r.Close()
	for {
		d, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			b.Fatal(err)
		}
		docs = append(docs, append([]byte(nil), d.Text...))
		total += int64(len(d.Text))
	}
	return docs, total
}

// readAndEncode reads inputs in batches of 512 KiB (the pipeline's job
// size) and encodes each document on this goroutine, reusing one ids
// buffer. It returns the bytes of text encoded.
func readAndEncode(b *testing.B, tk tok.Tokenizer, inputs []corpora.Input) int64 {
	r := corpora.OpenInputs(inputs, corpora.DefaultOptions())
	defer r.Close()
	var batch corpora.Batch
	var ids []uint32
	var total int64
	for {
		err := r.ReadBatch(&batch, 512<<10)
		if err == io.EOF {
			return total
		}
		if err != nil {
			b.Fatal(err)
		}
		for i := range batch.Len() {
			ids = tk.AppendEncode(ids[:0], batch.Text(i))
		}
		total += int64(batch.TextBytes())
	}
}

// encodeDocs encodes docs on g goroutines, each taking the next block of
// documents (up to 256 documents or 64 KiB of text) from a shared counter.
// One counter update per document made the goroutines fight over its
// cache line: with millions of short documents that cost a fifth of the
// CPU time. Blocks of 256 documents whatever their size left one goroutine
// encoding the last 5.6 MB alone on en-large.jsonl (22 KB documents).
func encodeDocs(tk tok.Tokenizer, docs [][]byte, g int) {
	const docsPerTake, bytesPerTake = 256, 64 << 10
	var ends []int // where each block ends
	start, size := 0, 0
	for i, d := range docs {
		size += len(d)
		if size >= bytesPerTake || i+1-start >= docsPerTake || i+1 == len(docs) {
			ends = append(ends, i+1)
			start, size = i+1, 0
		}
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range g {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var ids []uint32
			for {
				k := int(next.Add(1) - 1)
				if k >= len(ends) {
					return
				}
				lo := 0
				if k > 0 {
					lo = ends[k-1]
				}
				for _, d := range docs[lo:ends[k]] {
					ids = tk.AppendEncode(ids[:0], d)
				}
			}
		}()
	}
	wg.Wait()
}

// cpuSeconds is the user and system CPU time of the process so far: on a
// shared machine, MB per CPU-second compares the pipeline's overhead with
// the tokenizer's work even when wall time is distorted by other loads.
func cpuSeconds() float64 {
	d, _ := cputime.Process()
	return d.Seconds()
}

// BenchmarkSplit_ReadWindow reads random 1024-token windows from a
// dataset (the model's access pattern).
func BenchmarkSplit_ReadWindow(b *testing.B) {
	for _, comp := range []Compression{CompressionNone, CompressionZstd} {
		b.Run(comp.String(), func(b *testing.B) {
			inputs, err := corpora.DefaultInputs()
			if err != nil {
				b.Fatal(err)
			}
			cfg := DefaultConfig()
			cfg.Tokenizer, cfg.TokenizerHash = rawbytes.Tokenizer{}, "bench"
			cfg.Out = filepath.Join(b.TempDir(), "ds")
			cfg.ShardBytes = 1 << 20
			cfg.Compression = comp
			if _, err := Encode(context.Background(), cfg, inputs, corpora.DefaultOptions()); err != nil {
				b.Fatal(err)
			}
			if _, err := Finalize(cfg.Out); err != nil {
				b.Fatal(err)
			}
			ds, _ := OpenDataset(cfg.Out)
			defer ds.Close()
			s, _ := ds.Split(SplitTrain)
			const n = 1024
			buf := make([]int32, 0, n)
			seed := uint64(1)
			b.SetBytes(4 * n)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				seed = seed*6364136223846793005 + 1442695040888963407
				off := int64(seed>>33) % (s.NumTokens() - n)
				if _, err := s.ReadWindow(off, n, buf[:0]); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
