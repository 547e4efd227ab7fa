package sentencepiece

import (
	"sync"
)

// Segment is one piece of an encoding: its id and the byte span of the
// normalized text it covers.
type segment struct {
	id         int32
	start, end int32
}

// encodeState holds the scratch buffers of one encoding; they are pooled
// so that AppendEncode does not allocate in steady state.
type encodeState struct {
	norm  []byte
	align []int
	segs  []segment
	best  []bestNode
	syms  []bpeSymbol
	heap  pairHeap
}

var statePool = sync.Pool{New: func() any { return new(encodeState) }}

// AppendEncode implements tok.Tokenizer: it normalizes text, segments it
// with the model's algorithm and appends the ids to dst. Control-piece
// strings (<s>, </s>) in text are plain text, as in SentencePiece. Unknown
// characters become the unknown id, or their UTF-8 bytes as <0xNN> pieces
// when the model has byte_fallback.
func (m *Model) AppendEncode(dst []uint32, text []byte) []uint32 {
	st := statePool.Get().(*encodeState)
	st.norm, _ = m.norm.Normalize(st.norm[:0], nil, text, false)
	st.segs = m.segment(st, st.norm, st.segs[:0])
	dst = m.appendIDs(dst, st.norm, st.segs)
	statePool.Put(st)
	return dst
}

// segment runs the model's algorithm over normalized text.
func (m *Model) segment(st *encodeState, norm []byte, segs []segment) []segment {
	if len(norm) == 0 {
		return segs
	}
	first := len(segs)
	switch m.algo {
	case BPE:
		segs = m.segmentBPE(st, norm, segs)
	default:
		segs = m.segmentUnigram(st, norm, segs)
	}
	return m.mergeUnknown(segs, first)
}

// mergeUnknown joins runs of adjacent unknown segments into one, as
// SentencePiece does for every model type (with byte fallback the run is
// then spelled out byte by byte, so it makes no difference there).
func (m *Model) mergeUnknown(segs []segment, first int) []segment {
	out := first
	for i := first; i < len(segs); i++ {
		if segs[i].id == m.unkID && out > first && segs[out-1].id == m.unkID {
			segs[out-1].end = segs[i].end
			continue
		}
		segs[out] = segs[i]
		out++
	}
	return segs[:out]
}

// appendIDs turns segments into ids, expanding unknown segments into
// byte pieces when the model has byte fallback.
func (m *Model) appendIDs(dst []uint32, norm []byte, segs []segment) []uint32 {
	for _, s := range segs {
		if s.id == m.unkID && m.byteFall {
			for _, b := range norm[s.start:s.end] {
				dst = append(dst, uint32(m.byteIDs[b]))
			}
			continue
		}
		dst = append(dst, uint32(s.id))
	}
	return dst
}

// oneCharLen is the length of the UTF-8 sequence that starts with byte c,
// judged by its first byte only, as SentencePiece does.
func oneCharLen(c byte) int {
	switch c >> 4 {
	case 0xC, 0xD:
		return 2
	case 0xE:
		return 3
	case 0xF:
		return 4
	}
	return 1
}
