package sentencepiece

import (
	"fmt"
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
	for trial := 0; trial < 2000; trial++ {
		n := r.IntN(60)
		if trial%10 == 0 {
			n = r.IntN(3000) // deeper recursion
		}
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

// checkSuffixArrays compares suffixArray, permutedLCP and repeats on s
// with the naive versions.
func checkSuffixArrays(t *testing.T, s []int32) {
	t.Helper()
	got, want := suffixArray(s), suffixArrayNaive(s)
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("%v: suffix array %v, want %v", s, got, want)
		}
	}
	plcp := permutedLCP(s, got)
	for i := 1; i < len(got); i++ {
		a, b := s[got[i-1]:], s[got[i]:]
		l := 0
		for l < len(a) && l < len(b) && a[l] == b[l] {
			l++
		}
		if int(plcp[got[i]]) != l {
			t.Fatalf("%v: lcp of suffixes %d and %d is %d, want %d", s, got[i-1], got[i], plcp[got[i]], l)
		}
	}
	weight := func(p int32) int64 { return int64(p%3 + 1) }
	gotRep := map[string]int64{}
	repeats(s, weight, func(start, length int32, count int64) {
		k := fmt.Sprint(s[start : start+length])
		if _, dup := gotRep[k]; dup {
			t.Fatalf("%v: repeat %s reported twice", s, k)
		}
		gotRep[k] = count
	})
	wantRep := repeatsNaive(s, weight)
	if len(gotRep) != len(wantRep) {
		t.Fatalf("%v: repeats %v, want %v", s, gotRep, wantRep)
	}
	for k, v := range wantRep {
		if gotRep[k] != v {
			t.Fatalf("%v: repeats %v, want %v", s, gotRep, wantRep)
		}
	}
}

// repeatsNaive finds the substrings that occur at least twice and are
// followed by two different symbols (the end of s counts as a symbol of
// its own), with the summed weight of their occurrences.
func repeatsNaive(s []int32, weight func(p int32) int64) map[string]int64 {
	type info struct {
		count int64
		n     int
		next  map[int32]bool
	}
	subs := map[string]*info{}
	for i := range s {
		for j := i + 1; j <= len(s); j++ {
			k := fmt.Sprint(s[i:j])
			in := subs[k]
			if in == nil {
				in = &info{next: map[int32]bool{}}
				subs[k] = in
			}
			in.count += weight(int32(i))
			in.n++
			if j < len(s) {
				in.next[s[j]] = true
			} else {
				in.next[-1] = true
			}
		}
	}
	out := map[string]int64{}
	for k, in := range subs {
		if in.n >= 2 && len(in.next) >= 2 {
			out[k] = in.count
		}
	}
	return out
}

func TestSuffixStructuresAgainstNaive(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for trial := 0; trial < 300; trial++ {
		n := r.IntN(40)
		alpha := 1 + r.IntN(5)
		s := make([]int32, n)
		for i := range s {
			s[i] = int32(r.IntN(alpha))
		}
		// Unique word-end symbols, as the trainer uses them.
		if trial%2 == 0 {
			end := int32(alpha)
			for i := range s {
				if r.IntN(6) == 0 {
					s[i] = end
					end++
				}
			}
		}
		checkSuffixArrays(t, s)
	}
}

func FuzzSuffixStructures(f *testing.F) {
	f.Add([]byte("banana"))
	f.Add([]byte("mississippi\x00mississippi"))
	f.Add([]byte("aaaaaaaaaaaaaaaaaaaab"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > 200 {
			b = b[:200]
		}
		s := make([]int32, len(b))
		for i, c := range b {
			s[i] = int32(c % 8)
		}
		checkSuffixArrays(t, s)
	})
}
