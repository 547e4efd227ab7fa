package sentencepiece

// bpeSymbol is one symbol of the working sequence: a span of the
// normalized text in a doubly linked list.
type bpeSymbol struct {
	start, end int32
	prev, next int32
	node       int32 // m.da node of the symbol's text, -1 if it starts no piece
	frozen     bool  // a user-defined piece, never merged
}

type bpePair struct {
	score       float32
	left, right int32
	size        int32
	node        int32 // m.da node of the merged text
}

// pairHeap is a max-heap by score; equal scores pop the leftmost pair first.
type pairHeap []bpePair

func (h pairHeap) less(i, j int) bool {
	return h[i].score > h[j].score || (h[i].score == h[j].score && h[i].left < h[j].left)
}

func (h *pairHeap) push(p bpePair) {
	*h = append(*h, p)
	s := *h
	i := len(s) - 1
	for i > 0 {
		parent := (i - 1) / 2
		if !s.less(i, parent) {
			break
		}
		s[i], s[parent] = s[parent], s[i]
		i = parent
	}
}

func (h *pairHeap) pop() bpePair {
	s := *h
	top := s[0]
	last := len(s) - 1
	s[0] = s[last]
	s = s[:last]
	i := 0
	for {
		l := 2*i + 1
		if l >= len(s) {
			break
		}
		c := l
		if r := l + 1; r < len(s) && s.less(r, l) {
			c = r
		}
		if !s.less(c, i) {
			break
		}
		s[i], s[c] = s[c], s[i]
		i = c
	}
	*h = s
	return top
}

// segmentBPE is SentencePiece's BPE encoder: start from characters (or
// whole user-defined pieces), and repeatedly merge the adjacent pair whose
// concatenation is the piece with the highest score; ties go to the
// leftmost pair. Unused pieces produced by a merge are split back into the
// pieces they were merged from.
func (m *Model) segmentBPE(st *encodeState, norm []byte, segs []segment) []segment {
	if m.cache != nil {
		return m.segmentBPEWords(st, norm, segs)
	}
	return m.segmentBPEDropout(st, norm, segs, 0, nil)
}

// segmentBPEDropout is segmentBPE where, when rng is not nil, each merge
// taken from the queue is skipped with probability dropout (BPE-dropout,
// Provilkov et al. 2020, as SentencePiece samples BPE models).
func (m *Model) segmentBPEDropout(st *encodeState, norm []byte, segs []segment, dropout float64, rng interface{ Float64() float64 }) []segment {
	if len(norm) == 0 {
		return segs
	}
	syms := st.syms[:0]
	for at := 0; at < len(norm); {
		l, frozen := 0, false
		if m.norm.userDefined != nil {
			l = m.norm.userDefined.longestPrefix(norm[at:])
			frozen = l > 0
		}
		if l == 0 {
			l = min(oneCharLen(norm[at]), len(norm)-at)
		}
		i := int32(len(syms))
		node := m.da.walk(0, norm[at:at+l])
		syms = append(syms, bpeSymbol{start: int32(at), end: int32(at + l), prev: i - 1, next: i + 1, node: node, frozen: frozen})
		at += l
	}
	syms[len(syms)-1].next = -1
	h := st.heap[:0]
	var rev map[string]int32 // unused piece → length of its left half, rarely needed
	addPair := func(left, right int32) {
		if left < 0 || right < 0 || syms[left].frozen || syms[right].frozen {
			return
		}
		// The pair's text is the left symbol's then the right one's: walk
		// on from the left symbol's node instead of from the root.
		a, b := syms[left].start, syms[right].end
		if syms[left].node < 0 {
			return
		}
		node := m.da.walk(syms[left].node, norm[syms[right].start:b])
		if node < 0 {
			return
		}
		id := m.da.units[node].value // normal, user-defined and unused pieces
		if id < 0 {
			return
		}
		if m.pieces[id].Type == Unused {
			if rev == nil {
				rev = map[string]int32{}
			}
			// Keyed by the piece text, not the position, as SentencePiece
			// does: the last split seen for a piece wins everywhere.
			rev[string(norm[a:b])] = syms[left].end - a
		}
		h.push(bpePair{score: m.pieces[id].Score, left: left, right: right, size: b - a, node: node})
	}
	for i := int32(1); i < int32(len(syms)); i++ {
		addPair(i-1, i)
	}
	for len(h) > 0 {
		top := h.pop()
		l, r := &syms[top.left], &syms[top.right]
		if l.start == l.end || r.start == r.end || (l.end-l.start)+(r.end-r.start) != top.size || l.next != top.right {
			continue
		}
		if rng != nil && rng.Float64() < dropout {
			continue
		}
		l.end = r.end
		l.node = top.node
		l.next = r.next
		if r.next >= 0 {
			syms[r.next].prev = top.left
		}
		r.start, r.end = 0, 0
		addPair(l.prev, top.left)
		addPair(top.left, l.next)
	}
	for i := int32(0); i >= 0 && len(syms) > 0; i = syms[i].next {
		segs = m.resegment(norm, syms[i].start, syms[i].end, rev, segs)
	}
	st.syms, st.heap = syms, h
	return segs
}

// resegment emits the span a:b, splitting unused pieces back into the
// pieces they were merged from.
func (m *Model) resegment(norm []byte, a, b int32, rev map[string]int32, segs []segment) []segment {
	id := m.da.lookup(norm[a:b]) // normal, user-defined and unused pieces
	if id < 0 {
		id = m.pieceID(norm[a:b]) // the others, as PieceToId finds them
	}
	if id == m.unkID || m.pieces[id].Type != Unused {
		return append(segs, segment{id: id, start: a, end: b})
	}
	left, ok := rev[string(norm[a:b])]
	if !ok || left <= 0 || left >= b-a {
		return append(segs, segment{id: id, start: a, end: b})
	}
	segs = m.resegment(norm, a, a+left, rev, segs)
	return m.resegment(norm, a+left, b, rev, segs)
}
