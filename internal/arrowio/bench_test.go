package arrowio

import (
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

func BenchmarkBatchWriter_Append(b *testing.B) {
	docs, idBytes := benchDocs(benchDocsPerOp)
	b.SetBytes(idBytes)
	b.ReportAllocs()
	w := NewBatchWriter(io.Discard, false, 1000, 4<<20)
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
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchDocsPerOp), "ns/doc")
}
