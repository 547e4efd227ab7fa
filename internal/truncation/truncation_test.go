package truncation

import (
	"slices"
	"testing"
)

func TestLongestFirst(t *testing.T) {
	for _, c := range []struct{ n1, n2, budget, w1, w2 int }{
		{3, 10, 8, 3, 5},  // the shorter fits: the longer gets the rest
		{10, 3, 8, 5, 3},  // the same, swapped
		{6, 6, 8, 4, 4},   // both long: halves
		{7, 9, 9, 4, 5},   // odd budget: the shorter rounds down
		{9, 7, 9, 5, 4},   // the shorter rounds down, wherever it is
		{20, 2, 5, 3, 2},  // the shorter keeps its 2
		{0, 10, 4, 0, 4},  // an empty first sequence
		{5, 5, 0, 0, 0},   // nothing fits
		{10, 12, 1, 0, 1}, // one token: it goes to the second
	} {
		g1, g2 := LongestFirst(c.n1, c.n2, c.budget)
		if g1 != c.w1 || g2 != c.w2 {
			t.Errorf("LongestFirst(%d, %d, %d) = %d, %d; want %d, %d", c.n1, c.n2, c.budget, g1, g2, c.w1, c.w2)
		}
		if g1+g2 > c.budget || g1 > c.n1 || g2 > c.n2 {
			t.Errorf("LongestFirst(%d, %d, %d) = %d, %d: over the budget or a length", c.n1, c.n2, c.budget, g1, g2)
		}
	}
}

func TestWindows(t *testing.T) {
	for _, c := range []struct {
		total, n, stride int
		left             bool
		want             []Window
	}{
		{5, 10, 0, false, []Window{{0, 5}}},
		{10, 4, 0, false, []Window{{0, 4}, {4, 8}, {8, 10}}},
		{10, 4, 1, false, []Window{{0, 4}, {3, 7}, {6, 10}}},
		{10, 4, 1, true, []Window{{6, 10}, {3, 7}, {0, 4}}},
		{10, 4, 0, true, []Window{{6, 10}, {2, 6}, {0, 2}}},
		{10, 4, 4, false, []Window{{0, 4}}}, // stride >= n: no overflow
		{10, 0, 0, true, []Window{{10, 10}}},
		{10, 3, 2, false, []Window{{0, 3}, {1, 4}, {2, 5}, {3, 6}, {4, 7}, {5, 8}, {6, 9}, {7, 10}}},
	} {
		got := Windows(c.total, c.n, c.stride, c.left)
		if !slices.Equal(got, c.want) {
			t.Errorf("Windows(%d, %d, %d, %v) = %v; want %v", c.total, c.n, c.stride, c.left, got, c.want)
		}
	}
}

// FuzzWindows checks the invariants: every window holds at most n tokens,
// the windows cover the sequence, and neighbours overlap by stride.
func FuzzWindows(f *testing.F) {
	f.Add(10, 4, 1, false)
	f.Add(100, 7, 3, true)
	f.Fuzz(func(t *testing.T, total, n, stride int, left bool) {
		if total < 0 || n < 0 || stride < 0 || total > 1000 || n > 1000 {
			return
		}
		w := Windows(total, n, stride, left)
		if n >= total {
			if len(w) != 1 || w[0] != (Window{0, total}) {
				t.Fatalf("n >= total: %v", w)
			}
			return
		}
		for i, x := range w {
			if x.Start < 0 || x.End > total || x.End-x.Start > n || x.End < x.Start {
				t.Fatalf("window %d = %v out of range", i, x)
			}
		}
		if n == 0 || stride >= n {
			if len(w) != 1 || w[0].End-w[0].Start != n {
				t.Fatalf("no overflow expected: %v", w)
			}
			return
		}
		covered := make([]bool, total)
		for i, x := range w {
			for k := x.Start; k < x.End; k++ {
				covered[k] = true
			}
			if i > 0 {
				prev := w[i-1]
				overlap := min(prev.End, x.End) - max(prev.Start, x.Start)
				if overlap != stride {
					t.Fatalf("windows %v and %v overlap by %d, want %d", prev, x, overlap, stride)
				}
			}
		}
		if slices.Contains(covered, false) {
			t.Fatalf("windows %v do not cover %d tokens", w, total)
		}
	})
}
