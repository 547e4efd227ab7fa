package bpe

import (
	"math"

	"github.com/toklabs/tok/wordcount"
)

// trainNaive is the readable reference for [Trainer.Train]: the same
// algorithm with plain maps and sets, a linear scan for the best
// candidate, one goroutine, and each word a slice that is rebuilt on
// merge. Tests and fuzzing compare the two.
func (t *Trainer) trainNaive(counts *wordcount.Counts) *TrainResult {
	cfg := &t.cfg
	v, byteID := t.start(counts.Words)
	var words [][]uint32
	var wcount []int64
	for _, e := range counts.Words {
		var w []uint32
		for i := 0; i < len(e.Word); i++ {
			if id := byteID[e.Word[i]]; id >= 0 {
				w = append(w, uint32(id))
			}
		}
		words = append(words, w)
		wcount = append(wcount, int64(e.Count))
	}
	maxLen := math.MaxInt
	if cfg.MaxTokenLength > 0 {
		maxLen = cfg.MaxTokenLength
	}
	type cand struct {
		count int64
		pair  [2]uint32
		seq   int
		pos   map[int]bool
	}
	counts2 := map[[2]uint32]int64{}
	where := map[[2]uint32]map[int]bool{}
	for i, w := range words {
		for j := 0; j+1 < len(w); j++ {
			p := [2]uint32{w[j], w[j+1]}
			counts2[p] += wcount[i]
			if where[p] == nil {
				where[p] = map[int]bool{}
			}
			where[p][i] = true
		}
	}
	var queue []cand
	seq := 0
	pushAll := func() {
		// Pairs in ascending order, so that seq numbers match the fast path.
		for len(where) > 0 {
			var best [2]uint32
			first := true
			for p := range where {
				if first || p[0] < best[0] || (p[0] == best[0] && p[1] < best[1]) {
					best, first = p, false
				}
			}
			if c := counts2[best]; c > 0 {
				queue = append(queue, cand{c, best, seq, where[best]})
				seq++
			}
			delete(where, best)
		}
	}
	pushAll()
	better := func(x, y cand) bool {
		if x.count != y.count {
			return x.count > y.count
		}
		if x.pair != y.pair {
			return x.pair[0] < y.pair[0] || (x.pair[0] == y.pair[0] && x.pair[1] < y.pair[1])
		}
		return x.seq < y.seq
	}
	for len(v.ids) < cfg.VocabSize && len(queue) > 0 {
		bi := 0
		for i := range queue {
			if better(queue[i], queue[bi]) {
				bi = i
			}
		}
		top := queue[bi]
		queue = append(queue[:bi], queue[bi+1:]...)
		if cur := counts2[top.pair]; top.count != cur {
			top.count, top.seq = cur, seq
			seq++
			queue = append(queue, top)
			continue
		}
		if top.count < 1 || cfg.MinFrequency > uint64(top.count) {
			break
		}
		a, b := top.pair[0], top.pair[1]
		raw := append(append([]byte{}, v.res.Tokens[a]...), v.res.Tokens[b]...)
		id, _ := v.add(v.res.TokenName(a)+v.res.TokenName(b), raw)
		v.res.Merges = append(v.res.Merges, TrainMerge{a, b, id})
		// Apply to the candidate's words in ascending order (the fast path's
		// order, which decides the order new pairs are queued in).
		var order []int
		for i := range top.pos {
			order = append(order, i)
		}
		sortInts(order)
		var fresh [][2]uint32
		for _, wi := range order {
			w := words[wi]
			var out []uint32
			for i := 0; i < len(w); i++ {
				if i+1 < len(w) && w[i] == a && w[i+1] == b {
					if len(out) > 0 {
						p := out[len(out)-1]
						counts2[[2]uint32{p, a}] -= wcount[wi]
						if v.tlen[p]+v.tlen[id] < maxLen {
							np := [2]uint32{p, id}
							counts2[np] += wcount[wi]
							if where[np] == nil {
								where[np] = map[int]bool{}
								fresh = append(fresh, np)
							}
							where[np][wi] = true
						}
					}
					out = append(out, id)
					if i+2 < len(w) {
						nx := w[i+2]
						counts2[[2]uint32{b, nx}] -= wcount[wi]
						if v.tlen[nx]+v.tlen[id] < maxLen {
							np := [2]uint32{id, nx}
							counts2[np] += wcount[wi]
							if where[np] == nil {
								where[np] = map[int]bool{}
								fresh = append(fresh, np)
							}
							where[np][wi] = true
						}
					}
					i++
					continue
				}
				out = append(out, w[i])
			}
			words[wi] = out
		}
		for _, np := range fresh {
			if c := counts2[np]; c > 0 {
				queue = append(queue, cand{c, np, seq, where[np]})
				seq++
			}
			delete(where, np)
		}
	}
	return v.res
}

func sortInts(s []int) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}
