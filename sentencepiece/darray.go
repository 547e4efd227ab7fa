package sentencepiece

import "slices"

// doubleArray is a double-array trie built for encoding: the child of node
// s by byte c is t = units[s].base + c when units[t].check == s, so one
// step is two loads and a compare, with no search. Node 0 is the root.
// Every base is at most len(units)-256, so base+c is always in range and
// the lookup has no bounds failure.
//
// It is built from sorted keys by placing each node's children at the
// lowest base where all of their slots are free, found by walking a list
// of the free slots. (pieceTrie stays the user-defined symbol matcher's
// structure; the trainer walks its own charTrie.)
//
// Performance notes: on ALBERT's 30k Unigram vocabulary Viterbi with the
// pieceTrie's sorted edges (binary search + scan per byte) ran at about
// 5-6 MB/s on English; see BenchmarkModel_AppendEncode for the figures
// with this array. The first-fit darts-clone builder in charsmap_build.go
// took 35 s on the same vocabulary because it re-scans from the start for
// every node; the free list here skips occupied slots and the whole build
// takes milliseconds.
type doubleArray struct {
	units []daUnit
}

type daUnit struct {
	check int32 // parent node, -1 for a free slot
	base  int32 // children at base+c
	value int32 // payload, -1 when no key ends here
}

// child returns the node reached from node s by byte c, or -1.
func (d *doubleArray) child(s int32, c byte) int32 {
	t := d.units[s].base + int32(c)
	if d.units[t].check != s {
		return -1
	}
	return t
}

// walk returns the node reached from node s by the bytes of key, or -1.
func (d *doubleArray) walk(s int32, key []byte) int32 {
	base := d.units[s].base
	for _, c := range key {
		t := base + int32(c)
		u := &d.units[t]
		if u.check != s {
			return -1
		}
		s, base = t, u.base
	}
	return s
}

// lookup returns the value of key, or -1.
func (d *doubleArray) lookup(key []byte) int32 {
	s, base := int32(0), d.units[0].base
	for _, c := range key {
		t := base + int32(c)
		u := &d.units[t]
		if u.check != s {
			return -1
		}
		s, base = t, u.base
	}
	return d.units[s].value
}

// newDoubleArray builds a double array of keys[i] → values[i]. Empty
// keys are ignored; of duplicate keys the last one wins (as newPieceTrie).
//
// It sorts the keys and places nodes breadth-first from ranges of the
// sorted keys: a node's children are the distinct bytes at its depth in
// its range, placed together at the lowest base where they all fit.
func newDoubleArray(keys []string, values []int32) *doubleArray {
	order, size := sortKeys(keys)
	b := daBuilder{}
	b.grow(size + size/8 + 512) // the array comes out nearly dense
	b.take(0)
	b.units[0].check = -2 // the root has no parent; never matches a node
	// span: the sorted keys below the node at slot, which has depth bytes.
	type span struct{ lo, hi, depth, slot int32 }
	queue := make([]span, 1, size)
	queue[0] = span{0, int32(len(order)), 0, 0}
	var labels []byte
	var ranges []int32 // the start of each child's range, then hi
	for qi := 0; qi < len(queue); qi++ {
		sp := queue[qi]
		lo, hi, depth := int(sp.lo), int(sp.hi), int(sp.depth)
		// Keys that end at this node come first in sorted order.
		for lo < hi && len(keys[order[lo]]) == depth {
			b.units[sp.slot].value = values[order[lo]]
			lo++
		}
		labels, ranges = labels[:0], ranges[:0]
		for lo < hi {
			c := keys[order[lo]][depth]
			labels = append(labels, c)
			ranges = append(ranges, int32(lo))
			for lo < hi && keys[order[lo]][depth] == c {
				lo++
			}
		}
		if len(labels) == 0 {
			continue
		}
		ranges = append(ranges, int32(hi))
		base := b.place(labels)
		b.units[sp.slot].base = base
		for i, c := range labels {
			t := base + int32(c)
			b.take(t)
			b.units[t].check = sp.slot
			queue = append(queue, span{ranges[i], ranges[i+1], sp.depth + 1, t})
		}
	}
	// Trim trailing free slots but keep 256 past the largest base.
	maxBase := int32(0)
	last := int32(0)
	for i, u := range b.units {
		if u.check != -1 {
			last = int32(i)
			maxBase = max(maxBase, u.base)
		}
	}
	n := max(last+1, maxBase+256)
	b.grow(int(n))
	return &doubleArray{units: b.units[:n:n]}
}

// daBuilder keeps the units under construction and a doubly linked list
// of the free slots, in increasing order.
type daBuilder struct {
	units      []daUnit
	next, prev []int32 // free list links; -1 ends it
	head, tail int32
}

// grow extends the arrays to n slots, all new ones free.
func (b *daBuilder) grow(n int) {
	if n <= len(b.units) {
		return
	}
	old := len(b.units)
	if len(b.units) == 0 {
		b.head, b.tail = -1, -1
	}
	b.units = slices.Grow(b.units, n-old)
	b.next = slices.Grow(b.next, n-old)
	b.prev = slices.Grow(b.prev, n-old)
	for i := old; i < n; i++ {
		b.units = append(b.units, daUnit{check: -1, value: -1})
		b.next = append(b.next, -1)
		b.prev = append(b.prev, b.tail)
		if b.tail >= 0 {
			b.next[b.tail] = int32(i)
		} else {
			b.head = int32(i)
		}
		b.tail = int32(i)
	}
}

// take removes the free slot t from the free list.
func (b *daBuilder) take(t int32) {
	b.grow(int(t) + 1)
	p, n := b.prev[t], b.next[t]
	if p >= 0 {
		b.next[p] = n
	} else {
		b.head = n
	}
	if n >= 0 {
		b.prev[n] = p
	} else {
		b.tail = p
	}
	b.prev[t], b.next[t] = -1, -1
	b.units[t].check = -3 // taken; the caller sets the real parent
}

// place returns the lowest base (>= 0) at which every label's slot is
// free; labels are sorted and distinct.
func (b *daBuilder) place(labels []byte) int32 {
	first := int32(labels[0])
	for f := b.head; ; {
		if f < 0 {
			// Every listed slot failed: start past the end.
			f = int32(len(b.units))
			b.grow(int(f) + 256)
		}
		base := f - first
		if base >= 0 && b.fits(base, labels) {
			return base
		}
		f = b.next[f]
	}
}

func (b *daBuilder) fits(base int32, labels []byte) bool {
	for _, c := range labels[1:] {
		t := base + int32(c)
		if int(t) >= len(b.units) {
			return true // past the end: free once grown
		}
		if b.units[t].check != -1 {
			return false
		}
	}
	return true
}
