package sentencepiece

import (
	"math/rand/v2"
	"sort"
	"testing"
)

// suffixArrayNaive sorts the suffixes with a comparison sort.
func suffixArrayNaive(s []int32) []int32 {
	sa := make([]int32, len(s))
	for i := range sa {
		sa[i] = int32(i)
	}
	sort.Slice(sa, func(a, b int) bool {
		x, y := s[sa[a]:], s[sa[b]:]
		for k := 0; k < len(x) && k < len(y); k++ {
			if x[k] != y[k] {
				return x[k] < y[k]
			}
		}
		return len(x) < len(y)
	})
	return sa
}

func TestSuffixArrayAgainstNaive(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for trial := 0; trial < 300; trial++ {
		n := r.IntN(60)
		alpha := 1 + r.IntN(4)
		s := make([]int32, n)
		for i := range s {
			s[i] = int32(r.IntN(alpha) * 7)
		}
		got, want := suffixArray(s), suffixArrayNaive(s)
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("%v: got %v want %v", s, got, want)
			}
		}
	}
}

func TestRepeatsBanana(t *testing.T) {
	s := []int32{'b', 'a', 'n', 'a', 'n', 'a'}
	got := map[string]int64{}
	repeats(s, nil, func(start, length int32, count int64) {
		b := make([]byte, length)
		for i := range b {
			b[i] = byte(s[start+int32(i)])
		}
		got[string(b)] = count
	})
	// "na" ends the text once, so it branches (to "n" and the end).
	want := map[string]int64{"a": 3, "ana": 2, "na": 2}
	if len(got) != len(want) {
		t.Fatalf("got %v want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Fatalf("got %v want %v", got, want)
		}
	}
}
