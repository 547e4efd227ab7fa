package sentencepiece

import (
	"slices"
	"sync"
	"sync/atomic"
)

// numChunks is the fixed number of parts the words are split into for
// parallel passes; results are summed part by part in order, so they do
// not depend on the number of workers.
const numChunks = 32

// parallelChunks runs fn over the numChunks parts of [0, n) with at most
// workers goroutines.
func parallelChunks(n, workers int, fn func(chunk, lo, hi int)) {
	var wg sync.WaitGroup
	sem := make(chan struct{}, max(1, workers))
	for c := 0; c < numChunks; c++ {
		lo, hi := n*c/numChunks, n*(c+1)/numChunks
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			fn(c, lo, hi)
			<-sem
		}()
	}
	wg.Wait()
}

// wordChunks returns the bounds of numChunks parts of the words of ws
// (the first n sequences) with about the same number of characters each,
// so that the parts take about as long: part c is words
// bounds[c]..bounds[c+1]-1. The bounds depend only on the words.
func wordChunks(ws *seqs, n int) []int {
	bounds := make([]int, numChunks+1)
	total := int64(ws.off[n])
	for c := 1; c < numChunks; c++ {
		at := int32(total * int64(c) / numChunks)
		i, _ := slices.BinarySearch(ws.off[:n+1], at)
		bounds[c] = max(i, bounds[c-1])
	}
	bounds[numChunks] = n
	return bounds
}

// sumChunks runs fn over the numChunks parts given by bounds (part c is
// bounds[c]..bounds[c+1]-1) with at most workers goroutines and returns
// the sum (in float64) of what the parts add into acc (size floats, zero
// when fn is called) and of the values fn returns.
//
// The parts are added into the result in part order, so the sums do not
// depend on the number of workers. A finished part whose turn has not
// come waits in its buffer while its worker goes on with the next part;
// there are 2 × workers buffers, so memory is bounded whatever numChunks
// is, and a worker only waits when all of them hold parts waiting for an
// earlier one (a worker takes its buffer before it claims a part, so the
// part whose turn it is always has one).
func sumChunks[F float32 | float64](bounds []int, size, workers int, fn func(lo, hi int, acc []F, sc *latticeScratch) float64) ([]float64, float64) {
	workers = min(max(1, workers), numChunks)
	total := make([]float64, size)
	var sum float64
	free := make(chan []F, 2*workers)
	for range cap(free) {
		free <- nil // allocated when first taken
	}
	var mu sync.Mutex
	done := make([][]F, numChunks) // finished parts waiting for their turn
	vals := make([]float64, numChunks)
	turn, merging := 0, false
	var next atomic.Int32
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var sc latticeScratch
			for {
				acc := <-free
				c := int(next.Add(1)) - 1
				if c >= numChunks {
					free <- acc
					return
				}
				if acc == nil {
					acc = make([]F, size)
				}
				v := fn(bounds[c], bounds[c+1], acc, &sc)
				mu.Lock()
				done[c], vals[c] = acc, v
				if merging { // the merging worker will take it
					mu.Unlock()
					continue
				}
				merging = true
				for turn < numChunks && done[turn] != nil {
					buf, v := done[turn], vals[turn]
					done[turn] = nil
					mu.Unlock()
					for i, x := range buf {
						total[i] += float64(x)
					}
					sum += v
					clear(buf)
					free <- buf
					mu.Lock()
					turn++
				}
				merging = false
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return total, sum
}
