package freelist

import (
	"slices"
	"testing"
)

func caps(bufs ...[]byte) []int {
	var out []int
	for _, b := range bufs {
		out = append(out, cap(b))
	}
	return out
}

func TestList_TakeBestFit(t *testing.T) {
	var l List[byte]
	for _, n := range []int{64, 16, 256, 32} {
		l.Add(make([]byte, 3, n))
	}
	tests := []struct {
		n       int
		wantCap int // 0: none
	}{
		{17, 32}, {1, 16}, {100, 256}, {300, 0}, {64, 64}, {1, 0},
	}
	for _, tt := range tests {
		b := l.Take(tt.n)
		if cap(b) != tt.wantCap || len(b) != 0 {
			t.Fatalf("Take(%d) = len %d cap %d, want len 0 cap %d", tt.n, len(b), cap(b), tt.wantCap)
		}
	}
	if l.Len() != 0 {
		t.Fatalf("Len %d after taking every buffer", l.Len())
	}
}

func TestList_ReplaceSmallest(t *testing.T) {
	var l List[byte]
	if out := l.ReplaceSmallest(make([]byte, 0, 8)); cap(out) != 8 {
		t.Fatalf("empty list kept the buffer: got back cap %d", cap(out))
	}
	l.Add(make([]byte, 0, 32))
	l.Add(make([]byte, 0, 16))
	if out := l.ReplaceSmallest(make([]byte, 0, 8)); cap(out) != 8 {
		t.Fatalf("a smaller buffer replaced one: got back cap %d", cap(out))
	}
	if out := l.ReplaceSmallest(make([]byte, 0, 64)); cap(out) != 16 {
		t.Fatalf("got back cap %d, want the smallest, 16", cap(out))
	}
	var got []int
	for l.Len() > 0 {
		got = append(got, caps(l.Take(0))...)
	}
	if !slices.Equal(got, []int{32, 64}) {
		t.Fatalf("list holds %v, want [32 64]", got)
	}
}
