package sentencepiece

import (
	"container/heap"
	"fmt"
	"unicode/utf8"
)

// trainBPE learns merges SentencePiece-style: words (▁-prefixed, with
// counts) start as characters; the most frequent adjacent pair whose
// concatenation is a valid piece is merged everywhere, until the
// vocabulary is full. Piece i gets score -i, so the merge order is in the
// scores; the required characters follow the merged pieces.
func trainBPE(words []string, freqs []int64, required []rune, cfg *TrainConfig) ([]scoredPiece, error) {
	meta := metaCount(cfg)
	target := cfg.VocabSize - meta - len(required)
	if target < 0 {
		return nil, fmt.Errorf("sentencepiece: vocabulary size %d is too small: %d required characters plus %d meta pieces", cfg.VocabSize, len(required), meta)
	}
	// Symbols: id → text; characters first.
	var symText []string
	symID := map[string]int32{}
	intern := func(s string) int32 {
		if id, ok := symID[s]; ok {
			return id
		}
		id := int32(len(symText))
		symText = append(symText, s)
		symID[s] = id
		return id
	}
	for _, c := range required {
		intern(string(c))
	}
	// Words as symbol sequences; unknown characters (-1) never merge.
	seqs := make([][]int32, len(words))
	for i, w := range words {
		seq := make([]int32, 0, len(w))
		for _, c := range w {
			if id, ok := symID[string(c)]; ok && c != unkChar {
				seq = append(seq, id)
			} else {
				seq = append(seq, -1)
			}
		}
		seqs[i] = seq
	}
	type pair [2]int32
	counts := map[pair]int64{}
	where := map[pair][]int32{} // words that held the pair when it was counted (may be stale)
	valid := map[pair]bool{}
	isValid := func(p pair) bool {
		v, ok := valid[p]
		if !ok {
			s := symText[p[0]] + symText[p[1]]
			v = utf8.RuneCountInString(s) <= cfg.MaxPieceLength && cfg.validPiece([]rune(s))
			valid[p] = v
		}
		return v
	}
	h := &pairQueue{text: func(p [2]int32) string { return symText[p[0]] + symText[p[1]] }}
	for wi, seq := range seqs {
		for k := 0; k+1 < len(seq); k++ {
			p := pair{seq[k], seq[k+1]}
			if p[0] < 0 || p[1] < 0 || !isValid(p) {
				continue
			}
			if counts[p] == 0 || where[p][len(where[p])-1] != int32(wi) {
				where[p] = append(where[p], int32(wi))
			}
			counts[p] += freqs[wi]
		}
	}
	for p, c := range counts {
		heap.Push(h, pairItem{p, c})
	}
	var pieces []scoredPiece
	for len(pieces) < target && h.Len() > 0 {
		top := heap.Pop(h).(pairItem)
		if c := counts[top.p]; c != top.count {
			if c > 0 {
				heap.Push(h, pairItem{top.p, c}) // stale: requeue with the current count
			}
			continue
		}
		if top.count <= 0 {
			break
		}
		newText := symText[top.p[0]] + symText[top.p[1]]
		nid := intern(newText)
		pieces = append(pieces, scoredPiece{newText, -float64(len(pieces))})
		if len(pieces)%1000 == 0 {
			cfg.logf("bpe: %d of %d merges, last %q (count %d)", len(pieces), target, newText, top.count)
		}
		changed := map[pair]bool{}
		add := func(p pair, wi int32, delta int64) {
			if p[0] < 0 || p[1] < 0 || !isValid(p) {
				return
			}
			counts[p] += delta
			if delta > 0 {
				if ws := where[p]; len(ws) == 0 || ws[len(ws)-1] != wi {
					where[p] = append(where[p], wi)
				}
			}
			changed[p] = true
		}
		ws := where[top.p]
		delete(where, top.p)
		for _, wi := range ws {
			seq := seqs[wi]
			f := freqs[wi]
			out := seq[:0]
			lastMerged := false // out's last symbol is a merge made in this pass
			for k := 0; k < len(seq); k++ {
				if k+1 < len(seq) && seq[k] == top.p[0] && seq[k+1] == top.p[1] {
					if len(out) > 0 {
						if !lastMerged {
							// (the pair left of a merge made in this pass
							// was already taken away as its right pair)
							add(pair{out[len(out)-1], seq[k]}, wi, -f)
						}
						add(pair{out[len(out)-1], nid}, wi, f)
					}
					if k+2 < len(seq) {
						add(pair{seq[k+1], seq[k+2]}, wi, -f)
						// The right neighbour pairs with the new symbol,
						// unless it starts another occurrence of the pair.
						if !(k+3 < len(seq) && seq[k+2] == top.p[0] && seq[k+3] == top.p[1]) {
							add(pair{nid, seq[k+2]}, wi, f)
						}
					}
					out = append(out, nid)
					lastMerged = true
					k++
					continue
				}
				out = append(out, seq[k])
				lastMerged = false
			}
			seqs[wi] = out
		}
		delete(counts, top.p)
		for p := range changed {
			if p != top.p && counts[p] > 0 {
				heap.Push(h, pairItem{p, counts[p]})
			}
		}
	}
	for _, c := range required {
		pieces = append(pieces, scoredPiece{string(c), -float64(len(pieces))})
	}
	cfg.logf("bpe: %d merged pieces, %d characters", len(pieces)-len(required), len(required))
	return pieces, nil
}

type pairItem struct {
	p     [2]int32
	count int64
}

// pairQueue is a max-heap by count, ties by the merged text (smaller
// first), so training is deterministic.
type pairQueue struct {
	items []pairItem
	text  func([2]int32) string
}

func (q *pairQueue) Len() int { return len(q.items) }
func (q *pairQueue) Less(i, j int) bool {
	a, b := q.items[i], q.items[j]
	if a.count != b.count {
		return a.count > b.count
	}
	return q.text(a.p) < q.text(b.p)
}
func (q *pairQueue) Swap(i, j int) { q.items[i], q.items[j] = q.items[j], q.items[i] }
func (q *pairQueue) Push(x any)    { q.items = append(q.items, x.(pairItem)) }
func (q *pairQueue) Pop() any {
	x := q.items[len(q.items)-1]
	q.items = q.items[:len(q.items)-1]
	return x
}
