package bpe

import (
	"math/bits"
	"unsafe"
)

// pairTable maps an adjacent pair of ids (left<<32 | right) to its merge
// (priority<<32 | merged id). It is an open-addressing hash table with
// linear probing kept at most half full: nearly every lookup during
// encoding is a miss (most adjacent pairs do not merge), and a miss here
// costs one or two probes of one cache line.
//
// Performance notes: a Go map[uint64]uint64 spent most of the encode time
// in its group-control matching on misses (pprof: ~55% of the model's time
// on multilingual text); this table made the model about 2× faster there.
type pairTable struct {
	slots []pairSlot
	shift uint8 // 64 - log2(len(slots))
	n     int
}

type pairSlot struct{ key, val uint64 }

const emptyPair = ^uint64(0) // never a key: ids are below 2^31

func newPairTable(capacity int) *pairTable {
	size := 16
	for size < 2*capacity {
		size <<= 1
	}
	t := &pairTable{slots: make([]pairSlot, size), shift: uint8(64 - bits.TrailingZeros(uint(size)))}
	adviseHuge(unsafe.Pointer(&t.slots[0]), uintptr(size)*unsafe.Sizeof(pairSlot{}))
	for i := range t.slots {
		t.slots[i].key = emptyPair
	}
	return t
}

func (t *pairTable) index(key uint64) uint64 {
	return (key * 0x9E3779B97F4A7C15) >> t.shift
}

// get returns the value of key, or noMerge.
func (t *pairTable) get(key uint64) uint64 {
	mask := uint64(len(t.slots) - 1)
	for i := t.index(key); ; i = (i + 1) & mask {
		s := &t.slots[i]
		if s.key == key {
			return s.val
		}
		if s.key == emptyPair {
			return noMerge
		}
	}
}

// set inserts or replaces key.
func (t *pairTable) set(key, val uint64) {
	if 2*(t.n+1) > len(t.slots) {
		t.grow()
	}
	mask := uint64(len(t.slots) - 1)
	for i := t.index(key); ; i = (i + 1) & mask {
		s := &t.slots[i]
		if s.key == key {
			s.val = val
			return
		}
		if s.key == emptyPair {
			s.key, s.val = key, val
			t.n++
			return
		}
	}
}

func (t *pairTable) grow() {
	old := t.slots
	*t = *newPairTable(len(old))
	for _, s := range old {
		if s.key != emptyPair {
			t.set(s.key, s.val)
		}
	}
}

// len is the number of pairs.
func (t *pairTable) len() int { return t.n }
