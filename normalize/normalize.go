package normalize

import (
	"sync"
	"unicode/utf8"

	"github.com/toklabs/tok"
)

// Normalizer rewrites text.
type Normalizer interface {
	// Normalize appends the normalized form of src to dst and returns the
	// extended slice. src and dst must not overlap.
	Normalize(dst, src []byte) []byte

	// NormalizeAligned is Normalize that also appends to align one span per
	// byte appended to dst: the range of src that byte was produced from.
	// Spans are offsets into src, and a span is never empty.
	NormalizeAligned(dst []byte, align []tok.Span, src []byte) ([]byte, []tok.Span)
}

// runeFunc appends the replacement of r to out. It is the building block of
// the character-by-character normalizers.
type runeFunc func(out []byte, r rune) []byte

// mapRunes applies f to every character of src, appending to dst. Bytes that
// are not valid UTF-8 are copied unchanged.
func mapRunes(dst, src []byte, f runeFunc) []byte {
	for i := 0; i < len(src); {
		c := src[i]
		if c < utf8.RuneSelf {
			dst = f(dst, rune(c))
			i++
			continue
		}
		r, n := utf8.DecodeRune(src[i:])
		if r == utf8.RuneError && n == 1 {
			dst = append(dst, c)
		} else {
			dst = f(dst, r)
		}
		i += n
	}
	return dst
}

// mapRunesAligned is mapRunes that aligns every output byte with the input
// character it came from.
func mapRunesAligned(dst []byte, align []tok.Span, src []byte, f runeFunc) ([]byte, []tok.Span) {
	for i := 0; i < len(src); {
		r, n := rune(src[i]), 1
		before := len(dst)
		if r >= utf8.RuneSelf {
			r, n = utf8.DecodeRune(src[i:])
			if r == utf8.RuneError && n == 1 {
				dst = append(dst, src[i])
			} else {
				dst = f(dst, r)
			}
		} else {
			dst = f(dst, r)
		}
		sp := tok.Span{Start: i, End: i + n}
		for range len(dst) - before {
			align = append(align, sp)
		}
		i += n
	}
	return dst, align
}

// identityAligned copies src to dst with each byte aligned to its
// character.
func identityAligned(dst []byte, align []tok.Span, src []byte) ([]byte, []tok.Span) {
	return mapRunesAligned(dst, align, src, appendRune)
}

func appendRune(out []byte, r rune) []byte { return utf8.AppendRune(out, r) }

// Sequence applies normalizers one after another.
type Sequence []Normalizer

// seqBuffers are the two intermediate texts of a Sequence, reused across
// calls (a Sequence is used from many goroutines at once).
type seqBuffers struct{ a, b []byte }

var seqPool = sync.Pool{New: func() any { return new(seqBuffers) }}

// maxPooledSeq bounds the buffers kept for reuse, so that one long text
// does not pin its memory.
const maxPooledSeq = 1 << 20

// Normalize implements [Normalizer]. The stages between the first and
// the last write into two pooled buffers in turn.
func (s Sequence) Normalize(dst, src []byte) []byte {
	switch len(s) {
	case 0:
		return append(dst, src...)
	case 1:
		return s[0].Normalize(dst, src)
	}
	bufs := seqPool.Get().(*seqBuffers)
	cur, spare := s[0].Normalize(bufs.a[:0], src), bufs.b
	for _, n := range s[1 : len(s)-1] {
		next := n.Normalize(spare[:0], cur)
		cur, spare = next, cur
	}
	dst = s[len(s)-1].Normalize(dst, cur)
	if cap(cur)+cap(spare) <= maxPooledSeq {
		bufs.a, bufs.b = cur, spare
		seqPool.Put(bufs)
	}
	return dst
}

// NormalizeAligned implements [Normalizer]. Each stage's spans are composed
// with the previous stage's, so the final spans refer to src. The
// intermediate texts and alignments live in pooled buffers.
func (s Sequence) NormalizeAligned(dst []byte, align []tok.Span, src []byte) ([]byte, []tok.Span) {
	if len(s) == 0 {
		return identityAligned(dst, align, src)
	}
	b := seqAlignedPool.Get().(*seqAlignedBuffers)
	cur, curAlign := s[0].NormalizeAligned(b.text[0][:0], b.align[0][:0], src)
	spareText, spareAlign, composed := b.text[1], b.align[1], b.align[2]
	for _, n := range s[1:] {
		next, nextAlign := n.NormalizeAligned(spareText[:0], spareAlign[:0], cur)
		composed = Compose(composed[:0], curAlign, nextAlign)
		spareText, cur = cur, next
		spareAlign, curAlign, composed = nextAlign, composed, curAlign
	}
	dst, align = append(dst, cur...), append(align, curAlign...)
	if cap(cur)+cap(spareText) <= maxPooledSeq && cap(curAlign)+cap(spareAlign)+cap(composed) <= maxPooledSeq {
		b.text = [2][]byte{cur, spareText}
		b.align = [3][]tok.Span{curAlign, spareAlign, composed}
		seqAlignedPool.Put(b)
	}
	return dst, align
}

// seqAlignedBuffers are the intermediate texts and alignments of
// Sequence.NormalizeAligned.
type seqAlignedBuffers struct {
	text  [2][]byte
	align [3][]tok.Span
}

var seqAlignedPool = sync.Pool{New: func() any { return new(seqAlignedBuffers) }}

// Compose maps spans expressed in an intermediate text back to the
// original: inner holds one original span per intermediate byte, outer
// holds spans into the intermediate text. The composed spans are appended
// to dst.
func Compose(dst, inner, outer []tok.Span) []tok.Span {
	for _, sp := range outer {
		dst = append(dst, MapSpan(inner, sp))
	}
	return dst
}

// MapSpan maps sp, a range of an intermediate text, to the original text
// through align (one original span per intermediate byte). An empty span
// maps to an empty span at the corresponding original position.
func MapSpan(align []tok.Span, sp tok.Span) tok.Span {
	if len(align) == 0 {
		return tok.Span{}
	}
	if sp.Start >= sp.End {
		if sp.Start >= len(align) {
			e := align[len(align)-1].End
			return tok.Span{Start: e, End: e}
		}
		s := align[max(sp.Start, 0)].Start
		return tok.Span{Start: s, End: s}
	}
	start := align[max(sp.Start, 0)].Start
	end := align[min(sp.End, len(align))-1].End
	if end < start {
		end = start
	}
	return tok.Span{Start: start, End: end}
}
