package bpe

import (
	"slices"
	"sync"
)

// bucketMin is the length (in symbols) from which mergeBuckets replaces
// mergeHeap. Below it the binary heap fits in cache; above it, every pop
// of a heap of millions of entries costs several cache misses (measured on
// cl100k: 300 to 900 ns of CPU per byte of a run of one letter).
var bucketMin = 4096

// mergeBuckets merges syms like mergeHeap, for very long pieces: candidate
// pairs are kept in one bucket per priority (a list of positions, sorted
// lazily) and a small heap holds the distinct priorities that have
// candidates. Merging one priority proceeds left to right, so the
// positions it adds to other buckets usually arrive in order and the
// buckets rarely need sorting; everything it touches is sequential.
func (m *Model) mergeBuckets(syms []uint32) []uint32 {
	n := len(syms)
	if n < 2 {
		return syms
	}
	sc := bucketScratchPool.Get().(*bucketScratch)
	defer sc.release()
	if cap(sc.next) < n {
		sc.next = make([]int32, n)
		sc.prev = make([]int32, n)
	}
	next := sc.next[:n] // -1 at the end
	prev := sc.prev[:n] // -1 at the start, -2 once merged away
	linkSymbols(next, prev)
	q := &sc.q
	push := func(pos int32) {
		r := next[pos]
		if r < 0 {
			return
		}
		if v := m.pairValue(syms[pos], syms[r]); v != noMerge {
			q.push(uint32(v>>32), pos)
		}
	}
	for i := range n - 1 {
		push(int32(i))
	}
	for {
		priority, pos, ok := q.pop()
		if !ok {
			break
		}
		// An entry only records a position. It is acted on when the pair
		// now at that position merges with the entry's priority: then it is
		// a real candidate, and the least one, since every pair that forms
		// is pushed. Otherwise the entry is stale.
		if prev[pos] == -2 {
			continue
		}
		r := next[pos]
		if r < 0 {
			continue
		}
		v := m.pairValue(syms[pos], syms[r])
		if v == noMerge || uint32(v>>32) != priority {
			continue
		}
		syms[pos] = uint32(v)
		unlinkRight(next, prev, pos, r)
		if p := prev[pos]; p >= 0 {
			push(p)
		}
		push(pos)
	}
	return collectLinked(syms, next)
}

// priorityBuckets pops entries by (priority, position), lowest first.
type priorityBuckets struct {
	index   map[uint32]int32 // priority → bucket
	buckets []priorityBucket
	heap    []uint32 // priorities of non-empty buckets (min-heap)
}

type priorityBucket struct {
	priority uint32
	entries  []int32 // positions
	head     int     // entries before head were popped
	sorted   bool    // entries[head:] are in position order
	queued   bool    // priority is in the heap
}

// bucketScratch is the reusable memory of mergeBuckets.
type bucketScratch struct {
	next, prev []int32
	q          priorityBuckets
}

var bucketScratchPool = sync.Pool{New: func() any {
	return &bucketScratch{q: priorityBuckets{index: map[uint32]int32{}}}
}}

// release resets the scratch and returns it to the pool unless it grew
// very large.
func (sc *bucketScratch) release() {
	held := cap(sc.next)
	for i := range sc.q.buckets {
		held += cap(sc.q.buckets[i].entries)
	}
	if held > 1<<26 {
		return
	}
	clear(sc.q.index)
	sc.q.buckets = sc.q.buckets[:0]
	sc.q.heap = sc.q.heap[:0]
	bucketScratchPool.Put(sc)
}

func (q *priorityBuckets) push(priority uint32, pos int32) {
	bi, ok := q.index[priority]
	if !ok {
		bi = int32(len(q.buckets))
		q.index[priority] = bi
		if len(q.buckets) < cap(q.buckets) { // reuse a released bucket's memory
			q.buckets = q.buckets[:bi+1]
			q.buckets[bi] = priorityBucket{priority: priority, sorted: true, entries: q.buckets[bi].entries[:0]}
		} else {
			q.buckets = append(q.buckets, priorityBucket{priority: priority, sorted: true})
		}
	}
	b := &q.buckets[bi]
	if k := len(b.entries); k > b.head && b.entries[k-1] > pos {
		b.sorted = false
	}
	b.entries = append(b.entries, pos)
	if !b.queued {
		b.queued = true
		q.heapPush(priority)
	}
}

func (q *priorityBuckets) pop() (priority uint32, pos int32, ok bool) {
	for len(q.heap) > 0 {
		b := &q.buckets[q.index[q.heap[0]]]
		if b.head == len(b.entries) {
			b.entries, b.head, b.sorted, b.queued = b.entries[:0], 0, true, false
			q.heapPop()
			continue
		}
		if !b.sorted {
			rest := b.entries[b.head:]
			slices.Sort(rest)
			b.sorted = true
		}
		pos := b.entries[b.head]
		b.head++
		return b.priority, pos, true
	}
	return 0, 0, false
}

func (q *priorityBuckets) heapPush(p uint32) {
	q.heap = append(q.heap, p)
	for j := len(q.heap) - 1; j > 0; {
		parent := (j - 1) / 2
		if q.heap[parent] <= q.heap[j] {
			break
		}
		q.heap[parent], q.heap[j] = q.heap[j], q.heap[parent]
		j = parent
	}
}

func (q *priorityBuckets) heapPop() {
	last := len(q.heap) - 1
	q.heap[0] = q.heap[last]
	q.heap = q.heap[:last]
	for j := 0; ; {
		l := 2*j + 1
		if l >= len(q.heap) {
			break
		}
		c := l
		if r := l + 1; r < len(q.heap) && q.heap[r] < q.heap[l] {
			c = r
		}
		if q.heap[j] <= q.heap[c] {
			break
		}
		q.heap[j], q.heap[c] = q.heap[c], q.heap[j]
		j = c
	}
}
