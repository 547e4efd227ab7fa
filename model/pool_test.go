package model

import (
	"sync"
	"testing"
	"time"
)

// TestParallelForRunsEveryTaskOnce drives the team through regions of
// every size and worker count, with idle gaps long enough for the helpers
// to park, nested regions (which fall back to fresh goroutines) and
// callers on several goroutines at once: every task must run exactly once
// and its write be visible to the caller when parallelFor returns.
func TestParallelForRunsEveryTaskOnce(t *testing.T) {
	check := func(t *testing.T, n, workers int) {
		hits := make([]int32, n)
		parallelFor(n, workers, func(i int) { hits[i]++ })
		for i, h := range hits {
			if h != 1 {
				t.Fatalf("n %d workers %d: task %d ran %d times", n, workers, i, h)
			}
		}
	}
	t.Run("sizes", func(t *testing.T) {
		for round := 0; round < 200; round++ {
			for _, workers := range []int{2, 3, 1, 4, 2} {
				for _, n := range []int{1, 2, 3, 7, 64} {
					check(t, n, workers)
				}
			}
		}
	})
	t.Run("after parking", func(t *testing.T) {
		for round := 0; round < 5; round++ {
			time.Sleep(3 * spinFor)
			check(t, 5, 2)
			time.Sleep(3 * spinFor)
			check(t, 9, 3)
		}
	})
	t.Run("nested", func(t *testing.T) {
		const outer, inner = 6, 10
		hits := make([]int32, outer*inner)
		parallelFor(outer, 2, func(i int) {
			parallelFor(inner, 2, func(j int) { hits[i*inner+j]++ })
		})
		for i, h := range hits {
			if h != 1 {
				t.Fatalf("task %d ran %d times", i, h)
			}
		}
	})
	t.Run("concurrent callers", func(t *testing.T) {
		var wg sync.WaitGroup
		for g := 0; g < 4; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for round := 0; round < 100; round++ {
					check(t, 16, 2)
				}
			}()
		}
		wg.Wait()
	})
}

// BenchmarkParallelFor_Region is the cost of one small region (the kind a
// config-A step has hundreds of) on 2 workers, with its tasks' work.
func BenchmarkParallelFor_Region(b *testing.B) {
	x := make([]float32, 8*1024)
	for _, tc := range []struct {
		name string
		fn   func(n, workers int, fn func(int))
	}{{"team", parallelFor}, {"spawn", parallelForSpawn}} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				tc.fn(8, 2, func(i int) {
					for j := range x[i*1024 : (i+1)*1024] {
						x[i*1024+j] += 1
					}
				})
			}
		})
	}
}
