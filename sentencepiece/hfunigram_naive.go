package sentencepiece

// appendEncodeNaive is the reference for HFUnigram.AppendEncode: the same
// dynamic program in float64, but every candidate is looked up by its
// text in a map (pieces maps text to the first id with it) and visited in
// the same order (by start, then by length); unknown runs are fused and
// spelled as bytes the same way. Used by the fuzz tests.
func (u *HFUnigram) appendEncodeNaive(dst []uint32, text []byte, pieces map[string]int32) []uint32 {
	n := len(text)
	if n == 0 {
		return dst
	}
	best := make([]hfBest, n+1)
	for i := range best {
		best[i] = hfBest{id: -1, start: -1}
	}
	best[0].start = 0
	for at := 0; at < n; {
		mblen := min(oneCharLen(text[at]), n-at)
		single := false
		for end := at + 1; end <= n; end++ {
			id, ok := pieces[string(text[at:end])]
			if !ok {
				continue
			}
			cand := u.scores[id] + best[at].score
			if best[end].start < 0 || cand > best[end].score {
				best[end] = hfBest{id, int32(at), cand}
			}
			if end-at == mblen {
				single = true
			}
		}
		if !single {
			cand := u.unkScore + best[at].score
			if best[at+mblen].start < 0 || cand > best[at+mblen].score {
				best[at+mblen] = hfBest{u.unkID, int32(at), cand}
			}
		}
		at += mblen
	}
	var segs []hfSeg // reversed
	for end := int32(n); end > 0; end = best[end].start {
		b := best[end]
		if b.id == u.unkID && len(segs) > 0 && segs[len(segs)-1].id == u.unkID {
			segs[len(segs)-1].start = b.start
		} else {
			segs = append(segs, hfSeg{b.id, b.start, end})
		}
	}
	for i := len(segs) - 1; i >= 0; i-- {
		s := segs[i]
		switch {
		case s.id != u.unkID:
			dst = append(dst, uint32(s.id))
		case u.byteFallback && u.allBytes(text[s.start:s.end]):
			for _, c := range text[s.start:s.end] {
				dst = append(dst, uint32(u.byteIDs[c]))
			}
		case u.unkID >= 0:
			dst = append(dst, uint32(u.unkID))
		}
	}
	return dst
}

func (u *HFUnigram) allBytes(b []byte) bool {
	for _, c := range b {
		if u.byteIDs[c] < 0 {
			return false
		}
	}
	return true
}
