package sentencepiece

// bestNode is the best path found so far that ends at a byte position.
type bestNode struct {
	id    int32
	start int32 // -1 when no path ends here yet
	score float32
}

// segmentUnigram is Viterbi over the lattice of pieces that match the
// normalized text, without materializing the lattice: for each character
// position it walks the trie once and relaxes the best path ending at
// every match. A position where no piece of one character starts also
// gets the unknown piece, scored below every real piece. Scores are
// float32 sums and ties keep the first path found, as in SentencePiece, so
// that segmentations (and ids) are identical.
//
// Performance notes (ALBERT, English, one core; figures from a shared,
// loaded machine, so only large differences count):
//   - The piece trie with sorted edges (binary search per byte) ran at
//     about 5 MB/s; the double array (m.da) at 16 MB/s, with the ASCII
//     fast path of Normalize about 30 MB/s. The loop now waits mostly on
//     the load of units[t] (an 800 kB array).
//   - Putting each piece's float32 score into its double-array unit (16
//     bytes instead of 12, NaN marking user-defined pieces) to save the
//     vitScore load was not faster: a bigger array, more cache misses.
//   - Caching segmentations per ▁-word, as BPE does, is not exact here:
//     the path score is a float32 running sum, so the same word after a
//     different prefix score can round differently and break a near-tie
//     the other way.
func (m *Model) segmentUnigram(st *encodeState, norm []byte, segs []segment) []segment {
	n := len(norm)
	if cap(st.best) < n+1 {
		st.best = make([]bestNode, n+1)
	}
	best := st.best[:n+1]
	for i := range best {
		best[i] = bestNode{id: -1, start: -1}
	}
	best[0].start = 0
	units := m.da.units
	score := m.vitScore
	rootBase := units[0].base
	for at := 0; at < n; {
		here := float64(best[at].score)
		mblen := min(oneCharLen(norm[at]), n-at)
		single := false
		node, base := int32(0), rootBase
		for k := at; k < n; k++ {
			// base is units[node].base, carried from the previous step so
			// that each step waits for one load, not two.
			t := base + int32(norm[k])
			u := &units[t]
			if u.check != node {
				break
			}
			node, base = t, u.base
			id := u.value
			if id < 0 {
				continue
			}
			// vitScore holds the piece score, or for a user-defined piece
			// length*maxScore - 0.1, in float64; the sum and the
			// comparison are in float64 and the result is stored as
			// float32, as SentencePiece's C++ does (its score expression
			// has type double); this decides near-ties.
			cand := score[id] + here
			tgt := &best[k+1]
			if tgt.start < 0 || cand > float64(tgt.score) {
				*tgt = bestNode{id: id, start: int32(at), score: float32(cand)}
			}
			if k+1-at == mblen {
				single = true
			}
		}
		if !single {
			tgt := &best[at+mblen]
			cand := float64(m.unkScore) + here
			if tgt.start < 0 || cand > float64(tgt.score) {
				*tgt = bestNode{id: m.unkID, start: int32(at), score: float32(cand)}
			}
		}
		at += mblen
	}
	// Backtrack, then reverse in place.
	first := len(segs)
	for end := n; end > 0; {
		b := best[end]
		segs = append(segs, segment{id: b.id, start: b.start, end: int32(end)})
		end = int(b.start)
	}
	for i, j := first, len(segs)-1; i < j; i, j = i+1, j-1 {
		segs[i], segs[j] = segs[j], segs[i]
	}
	return segs
}
