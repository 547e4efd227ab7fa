package sentencepiece

import "github.com/toklabs/tok"

// AppendEncodeSpans is AppendEncode that also appends, for every id, the
// byte range of text it was made from, mapped back through normalization
// (SentencePiece's begin/end). Byte-fallback ids of one character share
// that character's span. A token made only of inserted text (the dummy
// prefix ▁) gets an empty span at the place of insertion. Spans are in
// order; two tokens made from one input character both cover it.
func (m *Model) AppendEncodeSpans(ids []uint32, spans []tok.Span, text []byte) ([]uint32, []tok.Span) {
	st := statePool.Get().(*encodeState)
	st.norm, st.align = m.norm.Normalize(st.norm[:0], st.align[:0], text, true)
	st.segs = m.segment(st, st.norm, st.segs[:0])
	align := st.align
	for _, s := range st.segs {
		if s.id == m.unkID && m.byteFall {
			for k := s.start; k < s.end; k++ {
				ids = append(ids, uint32(m.byteIDs[st.norm[k]]))
				// The span of the character holding byte k.
				a, b := k, k+1
				for a > s.start && align[a-1] == align[k] {
					a--
				}
				for b < s.end && align[b] == align[k] {
					b++
				}
				spans = append(spans, tok.Span{Start: align[a], End: max(align[a], align[b])})
			}
			continue
		}
		ids = append(ids, uint32(s.id))
		// A token that ends inside the output of one input character (a
		// ligature "ﬁ" split as "f" + "i") extends to that character's end,
		// so spans of neighbouring tokens may then share it.
		end := s.end
		for end < int32(len(st.norm)) && align[end] == align[end-1] {
			end++
		}
		spans = append(spans, tok.Span{Start: align[s.start], End: max(align[s.start], align[end])})
	}
	statePool.Put(st)
	return ids, spans
}
