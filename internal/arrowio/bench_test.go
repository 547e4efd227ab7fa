package arrowio

import (
	"fmt"
	"io"
	"math/rand/v2"
	"testing"
)

// benchDocs is a load shaped like the pipeline's short-document corpora:
// mostly 11 ids per document, some empty documents and some of 2000 ids.
func benchDocs(n int) (docs [][]uint32, idBytes int64) {
	rng := rand.New(rand.NewPCG(1, 2))
	docs = make([][]uint32, n)
	for i := range docs {
		k := 11
		switch {
		case i%97 == 0:
			k = 0
		case i%251 == 0:
			k = 2000
		}
		d := make([]uint32, k)
		for j := range d {
			d[j] = rng.Uint32N(50000)
		}
		docs[i] = d
		idBytes += int64(4 * k)
	}
	return docs, idBytes
}

const benchDocsPerOp = 10000

// countWrites counts a stream's Write calls and bytes.
type countWrites struct{ calls, bytes int64 }

func (c *countWrites) Write(p []byte) (int, error) {
	c.calls++
	c.bytes += int64(len(p))
	return len(p), nil
}

// benchWriters are the writers compared: this package's and arrow/go's
// ipc.Writer (the code before; Append's own bookkeeping is shared).
var benchWriters = []struct {
	name string
	mk   func(w io.Writer, zstd bool) *BatchWriter
}{
	{"direct", func(w io.Writer, zstd bool) *BatchWriter { return NewBatchWriter(w, zstd, 1000, 4<<20) }},
	{"ipcWriter", func(w io.Writer, zstd bool) *BatchWriter { return newBatchWriterIPC(w, zstd, 1000, 4<<20) }},
}

// reportPerDoc reports ns/doc, batches/op and writes/batch.
func reportPerDoc(b *testing.B, cw *countWrites, batches int64) {
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchDocsPerOp), "ns/doc")
	b.ReportMetric(float64(batches)/float64(b.N), "batches/op")
	b.ReportMetric(float64(cw.calls)/float64(batches), "writes/batch")
}

// batchesOf counts the batches docs make with 1000-row batches.
func batchesOf(b *testing.B, docs [][]uint32, n int) int64 {
	var count int64
	var buf countWrites
	w := NewBatchWriter(&buf, false, 1000, 4<<20)
	for range n {
		for k, d := range docs {
			if err := w.Append(d, int64(k)); err != nil {
				b.Fatal(err)
			}
		}
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	count = buf.calls - 2 // the schema and the end of stream
	return count
}

func BenchmarkBatchWriter_Append(b *testing.B) {
	docs, idBytes := benchDocs(benchDocsPerOp)
	for _, zstd := range []bool{false, true} {
		for _, bw := range benchWriters {
			b.Run(fmt.Sprintf("%s/zstd=%v", bw.name, zstd), func(b *testing.B) {
				b.SetBytes(idBytes)
				b.ReportAllocs()
				cw := &countWrites{}
				w := bw.mk(cw, zstd)
				for i := 0; i < b.N; i++ {
					for k, d := range docs {
						if err := w.Append(d, int64(k)); err != nil {
							b.Fatal(err)
						}
					}
				}
				if err := w.Close(); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				reportPerDoc(b, cw, batchesOf(b, docs, b.N))
			})
		}
	}
}

// BenchmarkBatchWriter_AppendDocs appends the documents in runs of 256,
// their ids back to back as a pipeline job holds them.
func BenchmarkBatchWriter_AppendDocs(b *testing.B) {
	docs, idBytes := benchDocs(benchDocsPerOp)
	const run = 256
	ids, ends, nb := backToBack(docs)
	for _, zstd := range []bool{false, true} {
		b.Run(fmt.Sprintf("direct/zstd=%v", zstd), func(b *testing.B) {
			b.SetBytes(idBytes)
			b.ReportAllocs()
			cw := &countWrites{}
			w := NewBatchWriter(cw, zstd, 1000, 4<<20)
			for i := 0; i < b.N; i++ {
				for k := 0; k < len(docs); k += run {
					e := min(k+run, len(docs))
					base := 0
					if k > 0 {
						base = ends[k-1]
					}
					if err := w.AppendDocs(ids[base:ends[e-1]], ends[k:e], base, nb[k:e]); err != nil {
						b.Fatal(err)
					}
				}
			}
			if err := w.Close(); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			reportPerDoc(b, cw, batchesOf(b, docs, b.N))
		})
	}
}
