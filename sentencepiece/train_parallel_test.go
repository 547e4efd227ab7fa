package sentencepiece

import (
	"math/rand/v2"
	"slices"
	"testing"
)

func TestWordChunks(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	for _, n := range []int{0, 1, 5, numChunks, 1000} {
		ws := newSeqs(n, 0)
		for range n {
			ws.add(make([]int32, 1+r.IntN(50)))
		}
		b := wordChunks(ws, n)
		if len(b) != numChunks+1 || b[0] != 0 || b[numChunks] != n || !slices.IsSorted(b) {
			t.Fatalf("n=%d: bounds %v", n, b)
		}
		if n < 1000 {
			continue
		}
		// Parts hold about total/numChunks characters: within a word of it.
		total := int(ws.off[n])
		for c := 0; c < numChunks; c++ {
			chars := int(ws.off[b[c+1]] - ws.off[b[c]])
			if d := chars - total/numChunks; d > 100 || d < -100 {
				t.Errorf("part %d: %d characters, want about %d", c, chars, total/numChunks)
			}
		}
	}
}

// TestSumChunksSameForAnyWorkers checks that the sums are bit for bit the
// same whatever the number of workers.
func TestSumChunksSameForAnyWorkers(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	vals := make([]float64, 5000)
	for i := range vals {
		vals[i] = r.ExpFloat64() * 1e3
	}
	bounds := make([]int, numChunks+1)
	for c := range bounds {
		bounds[c] = len(vals) * c / numChunks
	}
	var first []float64
	var firstSum float64
	for _, workers := range []int{1, 2, 3, 7, 64} {
		got, sum := sumChunks(bounds, 7, workers, func(lo, hi int, acc []float32, _ *latticeScratch) float64 {
			s := 0.0
			for i := lo; i < hi; i++ {
				acc[i%7] += float32(vals[i])
				s += vals[i] / 3
			}
			return s
		})
		if first == nil {
			first, firstSum = got, sum
			continue
		}
		if !slices.Equal(got, first) || sum != firstSum {
			t.Fatalf("%d workers: %v %v, 1 worker: %v %v", workers, got, sum, first, firstSum)
		}
	}
}
