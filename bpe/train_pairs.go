package bpe

import (
	"slices"
	"sync"
)

// pairCounts maps a pair key (a<<32 | b) to its weighted count.
type pairCounts struct {
	m map[uint64]int64
}

func (p *pairCounts) get(k uint64) int64 { return p.m[k] }

// add adds d to a pair's count. A count that reaches zero is deleted
// (get returns zero for it all the same), so that the table holds only the
// pairs that occur and the slots of dead pairs are reused.
func (p *pairCounts) add(k uint64, d int64) {
	if n := p.m[k] + d; n != 0 {
		p.m[k] = n
	} else {
		delete(p.m, k)
	}
}

// candidate is a queued merge: a pair, its count when queued, and the
// words it will be applied to (sorted word indices).
type candidate struct {
	count int64
	pair  uint64
	seq   uint64
	pos   []int32
}

// before orders the queue: count desc, pair asc, then pushed first.
func (c *candidate) before(d *candidate) bool {
	if c.count != d.count {
		return c.count > d.count
	}
	if c.pair != d.pair {
		return c.pair < d.pair
	}
	return c.seq < d.seq
}

// candQueue is a binary max-heap of candidates.
type candQueue struct {
	h   []candidate
	seq uint64
}

func (q *candQueue) len() int { return len(q.h) }

func (q *candQueue) push(c candidate) {
	c.seq = q.seq
	q.seq++
	q.h = append(q.h, c)
	q.up(len(q.h) - 1)
}

func (q *candQueue) pop() candidate {
	top := q.h[0]
	last := len(q.h) - 1
	q.h[0] = q.h[last]
	q.h[last] = candidate{}
	q.h = q.h[:last]
	if last > 0 {
		q.down(0)
	}
	return top
}

func (q *candQueue) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if !q.h[i].before(&q.h[p]) {
			break
		}
		q.h[i], q.h[p] = q.h[p], q.h[i]
		i = p
	}
}

func (q *candQueue) down(i int) {
	n := len(q.h)
	for {
		l := 2*i + 1
		if l >= n {
			return
		}
		best := l
		if r := l + 1; r < n && q.h[r].before(&q.h[l]) {
			best = r
		}
		if !q.h[best].before(&q.h[i]) {
			return
		}
		q.h[i], q.h[best] = q.h[best], q.h[i]
		i = best
	}
}

// init heapifies h, whose seq numbers are already set.
func (q *candQueue) init() {
	for i := len(q.h)/2 - 1; i >= 0; i-- {
		q.down(i)
	}
}

// chunks splits [0, n) into at most k contiguous ranges of at least min
// elements each.
func chunks(n, k, min int) [][2]int {
	if k < 1 {
		k = 1
	}
	if n/k < min {
		k = max(1, n/min)
	}
	out := make([][2]int, 0, k)
	for i := 0; i < k; i++ {
		lo, hi := n*i/k, n*(i+1)/k
		if hi > lo {
			out = append(out, [2]int{lo, hi})
		}
	}
	return out
}

// localPair is one pair's tally within a range of words.
type localPair struct {
	count  int64
	nwords int32 // distinct words holding the pair
	last   int32 // last word counted
	filled int32 // last word written to the position list
	cursor int   // next free slot in the position arena
}

// countPairs counts the pairs of all words and builds the initial queue,
// one candidate per pair with every word that holds it. Ranges of words
// are counted in parallel; position lists come out sorted because ranges
// are laid out in order.
func countPairs(ws *trainWords, workers int) (*pairCounts, *candQueue) {
	nw := len(ws.n)
	parts := chunks(nw, workers, countParallelMin)
	idx := make([]map[uint64]int32, len(parts))
	vals := make([][]localPair, len(parts))
	var wg sync.WaitGroup
	for c, r := range parts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m := make(map[uint64]int32)
			var lv []localPair
			for i := r[0]; i < r[1]; i++ {
				w := ws.word(int32(i))
				cnt := ws.count[i]
				for j := 0; j+1 < len(w); j++ {
					k := pairKey(w[j], w[j+1])
					x, ok := m[k]
					if !ok {
						x = int32(len(lv))
						m[k] = x
						lv = append(lv, localPair{last: -1, filled: -1})
					}
					lp := &lv[x]
					lp.count += cnt
					if lp.last != int32(i) {
						lp.last = int32(i)
						lp.nwords++
					}
				}
			}
			idx[c], vals[c] = m, lv
		}()
	}
	wg.Wait()

	// Merge the tallies; number the pairs in key order.
	pc := &pairCounts{m: make(map[uint64]int64)}
	if len(parts) > 0 {
		pc.m = make(map[uint64]int64, len(vals[0])*len(parts)/2+1)
	}
	nwords := map[uint64]int{}
	for c := range parts {
		for k, x := range idx[c] {
			pc.m[k] += vals[c][x].count
			nwords[k] += int(vals[c][x].nwords)
		}
	}
	keys := make([]uint64, 0, len(pc.m))
	for k := range pc.m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	off := make(map[uint64]int, len(keys))
	total := 0
	for _, k := range keys {
		off[k] = total
		total += nwords[k]
	}
	nwords = nil
	for c := range parts {
		for k, x := range idx[c] {
			vals[c][x].cursor = off[k]
			off[k] += int(vals[c][x].nwords)
		}
	}
	arena := make([]int32, total)
	for c, r := range parts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m, lv := idx[c], vals[c]
			for i := r[0]; i < r[1]; i++ {
				w := ws.word(int32(i))
				for j := 0; j+1 < len(w); j++ {
					lp := &lv[m[pairKey(w[j], w[j+1])]]
					if lp.filled != int32(i) {
						lp.filled = int32(i)
						arena[lp.cursor] = int32(i)
						lp.cursor++
					}
				}
			}
		}()
	}
	wg.Wait()

	q := &candQueue{h: make([]candidate, 0, len(keys))}
	start := 0
	for _, k := range keys {
		end := off[k] // advanced past this pair's last slot
		if n := pc.m[k]; n > 0 {
			q.h = append(q.h, candidate{count: n, pair: k, seq: q.seq, pos: arena[start:end:end]})
			q.seq++
		}
		start = end
	}
	q.init()
	return pc, q
}

// pairChange is one pair delta from merging in word w (d is ±1).
type pairChange struct {
	pair uint64
	w    int32
	d    int32
}

// countedChange is a pair delta weighted by the word's count.
type countedChange struct {
	pair  uint64
	delta int64
}

// newPair is a pair that gained occurrences, with the words it gained them in.
type newPair struct {
	pair uint64
	pos  []int32
}

// merger applies merges to words and collects the pair deltas.
type merger struct {
	ws      *trainWords
	tlen    *[]int
	maxLen  int
	workers int

	parts   [][]pairChange
	counted []countedChange
	fresh   []newPair
	freshAt map[uint64]int
}

// Below these numbers of words, counting pairs and applying a merge stay
// on one goroutine (vars so tests can exercise the parallel paths).
var (
	trainParallelMin = 2048
	countParallelMin = 1 << 14
)

// apply merges (a, b) into id in the words of pos and returns the count
// deltas, in word order. newPairs then lists the pairs that gained.
func (m *merger) apply(pos []int32, a, b, id uint32) []countedChange {
	parts := chunks(len(pos), m.workers, trainParallelMin)
	for len(m.parts) < len(parts) {
		m.parts = append(m.parts, nil)
	}
	if len(parts) == 1 {
		m.parts[0] = m.mergeWords(m.parts[0][:0], pos, a, b, id)
	} else {
		var wg sync.WaitGroup
		for c, r := range parts {
			wg.Add(1)
			go func() {
				defer wg.Done()
				m.parts[c] = m.mergeWords(m.parts[c][:0], pos[r[0]:r[1]], a, b, id)
			}()
		}
		wg.Wait()
	}
	m.counted = m.counted[:0]
	m.fresh = m.fresh[:0]
	if m.freshAt == nil {
		m.freshAt = map[uint64]int{}
	}
	clear(m.freshAt)
	for c := range parts {
		for _, ch := range m.parts[c] {
			m.counted = append(m.counted, countedChange{ch.pair, int64(ch.d) * m.ws.count[ch.w]})
			if ch.d > 0 {
				x, ok := m.freshAt[ch.pair]
				if !ok {
					x = len(m.fresh)
					m.freshAt[ch.pair] = x
					m.fresh = append(m.fresh, newPair{pair: ch.pair})
				}
				if p := m.fresh[x].pos; len(p) == 0 || p[len(p)-1] != ch.w {
					m.fresh[x].pos = append(m.fresh[x].pos, ch.w)
				}
			}
		}
	}
	return m.counted
}

// newPairs returns the pairs that gained occurrences in the last apply, in
// the order they first gained them; their position lists are fresh.
func (m *merger) newPairs() []newPair { return m.fresh }

// mergeWords merges (a, b) left to right in each word of pos, in place,
// appending the pair changes HF's Word::merge reports.
func (m *merger) mergeWords(dst []pairChange, pos []int32, a, b, id uint32) []pairChange {
	tlen := *m.tlen
	newLen := tlen[id]
	for _, wi := range pos {
		w := m.ws.word(wi)
		n := len(w)
		for i := 0; i < n; i++ {
			if w[i] != a || i+1 >= n || w[i+1] != b {
				continue
			}
			if i > 0 {
				p := w[i-1]
				dst = append(dst, pairChange{pairKey(p, a), wi, -1})
				if tlen[p]+newLen < m.maxLen {
					dst = append(dst, pairChange{pairKey(p, id), wi, 1})
				}
			}
			w[i] = id
			copy(w[i+1:], w[i+2:n])
			n--
			if i < n-1 {
				nx := w[i+1]
				dst = append(dst, pairChange{pairKey(b, nx), wi, -1})
				if tlen[nx]+newLen < m.maxLen {
					dst = append(dst, pairChange{pairKey(id, nx), wi, 1})
				}
			}
		}
		m.ws.n[wi] = int32(n)
	}
	return dst
}
