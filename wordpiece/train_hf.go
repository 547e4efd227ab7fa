package wordpiece

import (
	"container/heap"
	"slices"
)

// This file is the HF trainer: HuggingFace tokenizers' BpeTrainer with a
// continuing-subword prefix, which is what its WordPieceTrainer runs. The
// details below are HF's, kept on purpose because they decide which pair
// wins:
//
//   - A queue entry holds a pair, its count when pushed, and the words it
//     was seen in. An entry whose count is stale is pushed back with the
//     current count; the best entry is the highest count, then the
//     smallest pair of ids.
//   - Merging a pair updates the counts of its neighbours only. New pairs
//     get a fresh entry that lists only the words where they were just
//     made, so a pair can be merged in two steps.
//   - The merged token is the left token followed by the right one without
//     its prefix; if it exists already, no id is added.

type hfPair [2]uint32

type hfEntry struct {
	pair  hfPair
	count int64
	pos   []int32 // word indices, ascending, distinct
}

type hfQueue []*hfEntry

func (q hfQueue) Len() int { return len(q) }
func (q hfQueue) Less(i, j int) bool {
	if q[i].count != q[j].count {
		return q[i].count > q[j].count
	}
	if q[i].pair[0] != q[j].pair[0] {
		return q[i].pair[0] < q[j].pair[0]
	}
	return q[i].pair[1] < q[j].pair[1]
}
func (q hfQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *hfQueue) Push(x any)   { *q = append(*q, x.(*hfEntry)) }
func (q *hfQueue) Pop() any {
	old := *q
	e := old[len(old)-1]
	*q = old[:len(old)-1]
	return e
}

type hfChange struct {
	pair  hfPair
	delta int64
	word  int32
}

func (s *symbols) trainHF() {
	counts := map[hfPair]int64{}
	where := map[hfPair][]int32{}
	for i, w := range s.words {
		for j := 0; j+1 < len(w); j++ {
			p := hfPair{w[j], w[j+1]}
			counts[p] += int64(s.counts[i])
			if l := where[p]; len(l) == 0 || l[len(l)-1] != int32(i) {
				where[p] = append(l, int32(i))
			}
		}
	}
	q := make(hfQueue, 0, len(where))
	pushAll := func() {
		// Push in a fixed order so that equal entries are popped the same
		// way every run.
		keys := make([]hfPair, 0, len(where))
		for p := range where {
			keys = append(keys, p)
		}
		slices.SortFunc(keys, func(a, b hfPair) int {
			if a[0] != b[0] {
				return int(a[0]) - int(b[0])
			}
			return int(a[1]) - int(b[1])
		})
		for _, p := range keys {
			if c := counts[p]; c > 0 {
				heap.Push(&q, &hfEntry{pair: p, count: c, pos: where[p]})
			}
			delete(where, p)
		}
	}
	pushAll()
	var changes []hfChange
	for len(s.tokens) < s.cfg.VocabSize && q.Len() > 0 {
		top := heap.Pop(&q).(*hfEntry)
		if c := counts[top.pair]; top.count != c {
			top.count = c
			heap.Push(&q, top)
			continue
		}
		if top.count < 1 || int64(s.cfg.MinFrequency) > top.count {
			break
		}
		newID := s.add(s.mergedToken(top.pair[0], top.pair[1]))
		s.progress()
		changes = changes[:0]
		for _, wi := range top.pos {
			changes = s.mergeWordHF(changes, wi, top.pair, newID)
		}
		for _, ch := range changes {
			counts[ch.pair] += ch.delta * int64(s.counts[ch.word])
			if ch.delta > 0 {
				if l := where[ch.pair]; len(l) == 0 || l[len(l)-1] != ch.word {
					where[ch.pair] = append(l, ch.word)
				}
			}
		}
		pushAll()
	}
}

// mergeWordHF replaces every occurrence of p in word wi, left to right,
// and appends the changes of neighbour pairs, as HF's Word::merge does.
func (s *symbols) mergeWordHF(changes []hfChange, wi int32, p hfPair, newID uint32) []hfChange {
	w := s.words[wi]
	for i := 0; i < len(w); i++ {
		if w[i] != p[0] || i+1 >= len(w) || w[i+1] != p[1] {
			continue
		}
		if i > 0 {
			changes = append(changes, hfChange{hfPair{w[i-1], p[0]}, -1, wi}, hfChange{hfPair{w[i-1], newID}, 1, wi})
		}
		w[i] = newID
		w = append(w[:i+1], w[i+2:]...)
		if i < len(w)-1 {
			changes = append(changes, hfChange{hfPair{p[1], w[i+1]}, -1, wi}, hfChange{hfPair{newID, w[i+1]}, 1, wi})
		}
	}
	s.words[wi] = w
	return changes
}
