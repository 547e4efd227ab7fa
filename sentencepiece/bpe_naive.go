package sentencepiece

// segmentBPENaive is the reference for segmentBPE: the same merges, found
// by scanning every adjacent pair for the highest score (the leftmost on
// ties) instead of keeping a heap, and looking the merged text up in the
// sorted vocabulary (Model.lookupText) instead of the double array. Split
// records of unused pieces are made at the moments the heap version
// pushes a pair: first for every initial pair, then for the two new
// neighbours of each merge. Used by the fuzz tests.
func (m *Model) segmentBPENaive(norm []byte) []segment {
	type sym struct {
		start, end int32
		frozen     bool
	}
	var syms []sym
	for at := 0; at < len(norm); {
		l, frozen := 0, false
		if m.norm.userDefined != nil {
			l = m.norm.userDefined.longestPrefix(norm[at:])
			frozen = l > 0
		}
		if l == 0 {
			l = min(oneCharLen(norm[at]), len(norm)-at)
		}
		syms = append(syms, sym{int32(at), int32(at + l), frozen})
		at += l
	}
	rev := map[string]int32{}
	// pieceOf returns the id of the merge of syms[i] and syms[i+1], or -1;
	// record notes the split of an unused piece, as addPair does.
	pieceOf := func(i int, record bool) int32 {
		if i < 0 || i+1 >= len(syms) || syms[i].frozen || syms[i+1].frozen {
			return -1
		}
		text := string(norm[syms[i].start:syms[i+1].end])
		id, ok := m.lookupText(text)
		if !ok {
			return -1
		}
		switch m.pieces[id].Type {
		case Normal, UserDefined:
		case Unused:
			if record {
				rev[text] = syms[i].end - syms[i].start
			}
		default:
			return -1
		}
		return id
	}
	for i := range syms {
		pieceOf(i, true)
	}
	for {
		best, bestID := -1, int32(-1)
		for i := 0; i+1 < len(syms); i++ {
			id := pieceOf(i, false)
			if id >= 0 && (best < 0 || m.pieces[id].Score > m.pieces[bestID].Score) {
				best, bestID = i, id
			}
		}
		if best < 0 {
			break
		}
		syms[best].end = syms[best+1].end
		syms = append(syms[:best+1], syms[best+2:]...)
		pieceOf(best-1, true)
		pieceOf(best, true)
	}
	var segs []segment
	for _, s := range syms {
		segs = m.resegment(norm, s.start, s.end, rev, segs)
	}
	return segs
}
