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
// rescored; the queue is lazy, each pair carrying a version so that only
// its latest entry counts.

type lkEntry struct {
	score   float64
	count   int64
	pair    hfPair
	version uint32
}

type lkQueue []lkEntry

func (q lkQueue) Len() int { return len(q) }
func (q lkQueue) Less(i, j int) bool {
	a, b := &q[i], &q[j]
	if a.score != b.score {
		return a.score > b.score
	}
	if a.count != b.count {
		return a.count > b.count
	}
	if a.pair[0] != b.pair[0] {
		return a.pair[0] < b.pair[0]
	}
	return a.pair[1] < b.pair[1]
}
func (q lkQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *lkQueue) Push(x any)   { *q = append(*q, x.(lkEntry)) }
func (q *lkQueue) Pop() any {
	old := *q
	e := old[len(old)-1]
	*q = old[:len(old)-1]
	return e
}

type lkPairInfo struct {
	count   int64
	version uint32
	stamp   uint32  // last step this pair was rescored
	words   []int32 // words that held it at some point (may be stale)
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
			pi = &lkPairInfo{}
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
	var q lkQueue
	var step uint32
	push := func(p hfPair, pi *lkPairInfo) {
		pi.version++
		pi.stamp = step
		if pi.count <= 0 || pi.count < int64(s.cfg.MinFrequency) {
			return
		}
		score := float64(pi.count) / (float64(symCount[p[0]]) * float64(symCount[p[1]]))
		q = append(q, lkEntry{score: score, count: pi.count, pair: p, version: pi.version})
	}
	for p, pi := range pairs {
		push(p, pi)
	}
	heap.Init(&q)
	wordStamp := make([]uint32, len(s.words))
	var touched []hfPair
	var buf []uint32
	for len(s.tokens) < s.cfg.VocabSize && q.Len() > 0 {
		top := heap.Pop(&q).(lkEntry)
		pi := pairs[top.pair]
		if top.version != pi.version {
			continue
		}
		step++
		a, b := top.pair[0], top.pair[1]
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
					p := hfPair{x, w[j+1]}
					pairs[p].count -= c
					touched = append(touched, p)
				}
			}
			for j, x := range buf {
				symCount[x] += c
				if j+1 < len(buf) {
					p := hfPair{x, buf[j+1]}
					npi := info(p)
					npi.count += c
					if n := len(npi.words); n == 0 || npi.words[n-1] != wi {
						npi.words = append(npi.words, wi)
					}
					touched = append(touched, p)
				}
			}
			s.words[wi] = append(w[:0], buf...)
		}
		// Rescore what changed: the pairs whose count changed, and every
		// pair of a symbol whose count changed (a, b, the new one).
		for _, p := range touched {
			if tp := pairs[p]; tp.stamp != step {
				push(p, tp)
				heap.Fix(&q, q.Len()-1)
			}
		}
		for _, x := range []uint32{a, b, newID} {
			live := symPairs[x][:0]
			for _, p := range symPairs[x] {
				tp := pairs[p]
				if tp.count <= 0 {
					continue
				}
				live = append(live, p)
				if tp.stamp != step {
					push(p, tp)
					heap.Fix(&q, q.Len()-1)
				}
			}
			symPairs[x] = live
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
