package sentencepiece

// segmentUnigramNaive is the reference for segmentUnigram: the same
// dynamic program, but it looks every candidate piece up by its text in
// the sorted vocabulary (Model.lookupText) instead of walking a trie, and
// visits candidates in the same order (by start, then by length). Used by
// the fuzz tests.
func (m *Model) segmentUnigramNaive(norm []byte) []segment {
	n := len(norm)
	best := make([]bestNode, n+1)
	for i := range best {
		best[i] = bestNode{id: -1, start: -1}
	}
	best[0].start = 0
	for at := 0; at < n; {
		mblen := min(oneCharLen(norm[at]), n-at)
		single := false
		for end := at + 1; end <= n; end++ {
			id, ok := m.lookupText(string(norm[at:end]))
			if !ok {
				continue
			}
			p := m.pieces[id]
			if p.Type != Normal && p.Type != UserDefined {
				continue
			}
			var cand float64
			if p.Type == UserDefined {
				cand = float64(end-at)*float64(m.maxScore) - 0.1 + float64(best[at].score)
			} else {
				cand = float64(p.Score) + float64(best[at].score)
			}
			if best[end].start < 0 || cand > float64(best[end].score) {
				best[end] = bestNode{id: id, start: int32(at), score: float32(cand)}
			}
			if end-at == mblen {
				single = true
			}
		}
		if !single {
			cand := float64(m.unkScore) + float64(best[at].score)
			if best[at+mblen].start < 0 || cand > float64(best[at+mblen].score) {
				best[at+mblen] = bestNode{id: m.unkID, start: int32(at), score: float32(cand)}
			}
		}
		at += mblen
	}
	var rev []segment
	for end := n; end > 0; end = int(best[end].start) {
		rev = append(rev, segment{id: best[end].id, start: best[end].start, end: int32(end)})
	}
	out := make([]segment, 0, len(rev))
	for i := len(rev) - 1; i >= 0; i-- {
		out = append(out, rev[i])
	}
	return out
}
