package tokenizerjson

import "github.com/toklabs/tok"

// Encoding is the full result of [Tokenizer.Encode]: per token, its id,
// its text as in the vocabulary, the byte range of the input it comes
// from, its type id (0 for the first sequence, 1 for the second, as the
// post-processor sets them), whether a post-processor added it as a
// special token, and which input sequence it belongs to.
type Encoding struct {
	IDs               []uint32
	Tokens            []string
	Offsets           []tok.Span // byte offsets into the input; {0,0} for added specials
	TypeIDs           []uint32
	SpecialTokensMask []uint8 // 1 for tokens a post-processor added
	AttentionMask     []uint8 // 1 for real tokens, 0 for padding
	Sequence          []int8  // 0 or 1: input sequence; -1 for added specials

	// Overflowing holds the windows truncation cut off (with the
	// truncation's stride of overlap), each post-processed and padded
	// like the encoding itself. Only single sequences overflow.
	Overflowing []*Encoding
}

// slice returns tokens [lo, hi) of e as a new encoding.
func (e *Encoding) slice(lo, hi int) *Encoding {
	return &Encoding{
		IDs:               append([]uint32(nil), e.IDs[lo:hi]...),
		Tokens:            append([]string(nil), e.Tokens[lo:hi]...),
		Offsets:           append([]tok.Span(nil), e.Offsets[lo:hi]...),
		TypeIDs:           append([]uint32(nil), e.TypeIDs[lo:hi]...),
		SpecialTokensMask: append([]uint8(nil), e.SpecialTokensMask[lo:hi]...),
		AttentionMask:     append([]uint8(nil), e.AttentionMask[lo:hi]...),
		Sequence:          append([]int8(nil), e.Sequence[lo:hi]...),
	}
}

// Len is the number of tokens.
func (e *Encoding) Len() int { return len(e.IDs) }

func (e *Encoding) appendToken(id uint32, token string, off tok.Span, typeID uint32, special uint8, seq int8) {
	e.IDs = append(e.IDs, id)
	e.Tokens = append(e.Tokens, token)
	e.Offsets = append(e.Offsets, off)
	e.TypeIDs = append(e.TypeIDs, typeID)
	e.SpecialTokensMask = append(e.SpecialTokensMask, special)
	e.AttentionMask = append(e.AttentionMask, 1)
	e.Sequence = append(e.Sequence, seq)
}

func (e *Encoding) appendSpecial(id uint32, token string, typeID uint32) {
	e.appendToken(id, token, tok.Span{}, typeID, 1, -1)
}

// appendSeq appends every token of s with the given type id.
func (e *Encoding) appendSeq(s *Encoding, typeID uint32) {
	for i := range s.IDs {
		e.appendToken(s.IDs[i], s.Tokens[i], s.Offsets[i], typeID, s.SpecialTokensMask[i], s.Sequence[i])
	}
}
