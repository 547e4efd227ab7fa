package sentencepiece

import "slices"

// doubleArray is a double-array trie built for encoding: the child of node
// s by byte c is t = units[s].base + c when units[t].check == s, so one
// step is two loads and a compare, with no search. Node 0 is the root.
// Every base is at most len(units)-256, so base+c is always in range and
// the lookup has no bounds failure.
//
// It is built from a pieceTrie (which stays the structure the trainer
// uses) by placing each node's children at the lowest base where all of
// their slots are free, found by walking a list of the free slots.
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

// newDoubleArray copies the keys of src for which keep(value) is true
// into a double array, with the same values. Nodes on no kept key's path
// are dropped.
func newDoubleArray(src *pieceTrie, keep func(value int32) bool) *doubleArray {
	// live[n]: some kept key ends at or below pieceTrie node n. Nodes are
	// breadth-first, so children come after parents: one backward pass.
	live := make([]bool, len(src.nodes))
	parentOf := make([]int32, len(src.nodes))
	for n := range src.nodes {
		nd := src.nodes[n]
		for e := nd.first; e < nd.first+nd.count; e++ {
			parentOf[e+1] = int32(n)
		}
	}
	for n := len(src.nodes) - 1; n >= 0; n-- {
		if v := src.nodes[n].value; v >= 0 && keep(v) {
			live[n] = true
		}
		if live[n] && n > 0 {
			live[parentOf[n]] = true
		}
	}

	b := daBuilder{}
	nLive := 0
	for _, l := range live {
		if l {
			nLive++
		}
	}
	b.grow(nLive + nLive/8 + 512) // the array comes out nearly dense
	b.take(0)
	b.units[0].check = -2 // the root has no parent; never matches a node
	// Map pieceTrie nodes to slots, breadth-first.
	slot := make([]int32, len(src.nodes))
	var labels []byte
	for n := range src.nodes {
		if !live[n] {
			continue
		}
		s := slot[n]
		v := src.nodes[n].value
		if v >= 0 && keep(v) {
			b.units[s].value = v
		}
		nd := src.nodes[n]
		labels = labels[:0]
		for e := nd.first; e < nd.first+nd.count; e++ {
			if live[e+1] {
				labels = append(labels, src.labels[e])
			}
		}
		if len(labels) == 0 {
			continue
		}
		base := b.place(labels)
		b.units[s].base = base
		k := 0
		for e := nd.first; e < nd.first+nd.count; e++ {
			if live[e+1] {
				t := base + int32(labels[k])
				k++
				b.take(t)
				b.units[t].check = s
				slot[e+1] = t
			}
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
	size := max(last+1, maxBase+256)
	b.grow(int(size))
	units := make([]daUnit, size)
	copy(units, b.units[:size])
	return &doubleArray{units: units}
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
