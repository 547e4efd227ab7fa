package wordpiece

import (
	"container/heap"
)

// This file is the likelihood trainer: the WordPiece paper's criterion.
// Under a unigram model of the symbols, merging a and b into ab changes
// the training data's likelihood by a factor that grows with
// count(ab) / (count(a)·count(b)), so each step merges the pair with the
// highest such score (ties: the higher pair count, then the smaller ids).
//
// Counts are kept exactly: a merge rewrites each word that holds the pair,
// subtracting the word's old pairs and symbols and adding its new ones.
// Scores change for every pair that touches a, b or ab, so those are
// rescored in place: the queue is an indexed heap holding each live pair
// once. (A lazy heap that pushed a new entry at every rescoring grew to
// 1.66 GB and took 3 min 11 s on en-kjv with a vocabulary of 30000.)

// debugLikelihood, when set (by tests), is called after each step.
var debugLikelihood func(q lkHeap, score func(*lkPairInfo) float64)

type lkPairInfo struct {
	pair  hfPair
	count int64
	// score and key are the heap's key, set only when the pair is
	// rescored (count changes earlier, while words are rewritten; the heap
	// must not see that until the pair is fixed in place).
	score float64
	key   int64
	pos   int     // index in the heap, -1 when not in it
	stamp uint32  // last step this pair was rescored
	words []int32 // words that held it at some point (may be stale)
}

// lkHeap is a max-heap of live pairs by (score, count, smaller ids).
type lkHeap []*lkPairInfo

func (q lkHeap) Len() int { return len(q) }
func (q lkHeap) Less(i, j int) bool {
	a, b := q[i], q[j]
	if a.score != b.score {
		return a.score > b.score
	}
	if a.key != b.key {
		return a.key > b.key
	}
	if a.pair[0] != b.pair[0] {
		return a.pair[0] < b.pair[0]
	}
	return a.pair[1] < b.pair[1]
}
func (q lkHeap) Swap(i, j int) {
	q[i], q[j] = q[j], q[i]
	q[i].pos, q[j].pos = i, j
}
func (q *lkHeap) Push(x any) {
	pi := x.(*lkPairInfo)
	pi.pos = len(*q)
	*q = append(*q, pi)
}
func (q *lkHeap) Pop() any {
	old := *q
	pi := old[len(old)-1]
	*q = old[:len(old)-1]
	pi.pos = -1
	return pi
}

func (s *symbols) trainLikelihood() {
	// The alphabet alone can exceed the vocabulary size; then nothing is
	// merged, as in HF.
	capacity := max(len(s.tokens), s.cfg.VocabSize)
	symCount := make([]int64, len(s.tokens), capacity)
	pairs := map[hfPair]*lkPairInfo{}
	symPairs := make([][]hfPair, len(s.tokens), capacity) // pairs a symbol is part of (may be stale)
	info := func(p hfPair) *lkPairInfo {
		pi := pairs[p]
		if pi == nil {
			pi = &lkPairInfo{pair: p, pos: -1}
			pairs[p] = pi
		}
		if pi.count <= 0 {
			// About to become live: list it under its symbols (again, if
			// it was pruned while dead).
			symPairs[p[0]] = append(symPairs[p[0]], p)
			if p[1] != p[0] {
				symPairs[p[1]] = append(symPairs[p[1]], p)
			}
		}
		return pi
	}
	for i, w := range s.words {
		c := int64(s.counts[i])
		for j, x := range w {
			symCount[x] += c
			if j+1 < len(w) {
				pi := info(hfPair{x, w[j+1]})
				pi.count += c
				if n := len(pi.words); n == 0 || pi.words[n-1] != int32(i) {
					pi.words = append(pi.words, int32(i))
				}
			}
		}
	}
	var q lkHeap
	var step uint32
	live := func(pi *lkPairInfo) bool {
		return pi.count > 0 && pi.count >= int64(s.cfg.MinFrequency)
	}
	score := func(pi *lkPairInfo) float64 {
		return float64(pi.count) / (float64(symCount[pi.pair[0]]) * float64(symCount[pi.pair[1]]))
	}
	rescore := func(pi *lkPairInfo) {
		pi.stamp = step
		if !live(pi) {
			if pi.pos >= 0 {
				heap.Remove(&q, pi.pos)
			}
			return
		}
		pi.score, pi.key = score(pi), pi.count
		if pi.pos >= 0 {
			heap.Fix(&q, pi.pos)
		} else {
			heap.Push(&q, pi)
		}
	}
	for _, pi := range pairs {
		if live(pi) {
			pi.score, pi.key = score(pi), pi.count
			pi.pos = len(q)
			q = append(q, pi)
		}
	}
	heap.Init(&q)
	wordStamp := make([]uint32, len(s.words))
	var touched []*lkPairInfo
	var buf []uint32
	for len(s.tokens) < s.cfg.VocabSize && q.Len() > 0 {
		pi := heap.Pop(&q).(*lkPairInfo)
		step++
		a, b := pi.pair[0], pi.pair[1]
		newID := s.add(s.mergedToken(a, b))
		s.progress()
		for len(symCount) <= int(newID) {
			symCount = append(symCount, 0)
			symPairs = append(symPairs, nil)
		}
		touched = touched[:0]
		for _, wi := range pi.words {
			if wordStamp[wi] == step {
				continue
			}
			wordStamp[wi] = step
			w := s.words[wi]
			if !containsPair(w, a, b) {
				continue
			}
			c := int64(s.counts[wi])
			buf = buf[:0]
			for j := 0; j < len(w); j++ {
				if j+1 < len(w) && w[j] == a && w[j+1] == b {
					buf = append(buf, newID)
					j++
				} else {
					buf = append(buf, w[j])
				}
			}
			for j, x := range w {
				symCount[x] -= c
				if j+1 < len(w) {
					op := pairs[hfPair{x, w[j+1]}]
					op.count -= c
					touched = append(touched, op)
				}
			}
			for j, x := range buf {
				symCount[x] += c
				if j+1 < len(buf) {
					npi := info(hfPair{x, buf[j+1]})
					npi.count += c
					if n := len(npi.words); n == 0 || npi.words[n-1] != wi {
						npi.words = append(npi.words, wi)
					}
					touched = append(touched, npi)
				}
			}
			s.words[wi] = append(w[:0], buf...)
		}
		// Rescore what changed: the pairs whose count changed, and every
		// pair of a symbol whose count changed (a, b, the new one).
		for _, tp := range touched {
			if tp.stamp != step {
				rescore(tp)
			}
		}
		for _, x := range []uint32{a, b, newID} {
			keep := symPairs[x][:0]
			for _, p := range symPairs[x] {
				tp := pairs[p]
				if tp.count <= 0 {
					continue
				}
				keep = append(keep, p)
				if tp.stamp != step {
					rescore(tp)
				}
			}
			symPairs[x] = keep
		}
		if debugLikelihood != nil {
			debugLikelihood(q, score)
		}
	}
}

func containsPair(w []uint32, a, b uint32) bool {
	for j := 0; j+1 < len(w); j++ {
		if w[j] == a && w[j+1] == b {
			return true
		}
	}
	return false
}
