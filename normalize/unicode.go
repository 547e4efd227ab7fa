package normalize

import (
	"bytes"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/toklabs/tok"
)

// Form is a Unicode normalization form used as a [Normalizer].
type Form norm.Form

// The four Unicode normalization forms.
var (
	NFC  = Form(norm.NFC)
	NFD  = Form(norm.NFD)
	NFKC = Form(norm.NFKC)
	NFKD = Form(norm.NFKD)
)

// String returns the form's name.
func (f Form) String() string {
	switch norm.Form(f) {
	case norm.NFC:
		return "NFC"
	case norm.NFD:
		return "NFD"
	case norm.NFKC:
		return "NFKC"
	case norm.NFKD:
		return "NFKD"
	}
	return "Form(?)"
}

// Normalize implements [Normalizer]. Bytes that are not valid UTF-8 are
// copied unchanged and split the text: the valid runs between them are
// normalized on their own.
func (f Form) Normalize(dst, src []byte) []byte {
	for len(src) > 0 {
		valid, bad := validPrefix(src)
		dst = f.appendValid(dst, src[:valid])
		dst = append(dst, src[valid:valid+bad]...)
		src = src[valid+bad:]
	}
	return dst
}

func (f Form) appendValid(dst, src []byte) []byte {
	nf := norm.Form(f)
	// Fast path: most text is already normalized.
	n := nf.QuickSpan(src)
	dst = append(dst, src[:n]...)
	if n == len(src) {
		return dst
	}
	return nf.Append(dst, src[n:]...)
}

// validPrefix returns the length of the valid UTF-8 prefix of s and the
// number of invalid bytes that follow it.
func validPrefix(s []byte) (valid, bad int) {
	for valid < len(s) {
		if s[valid] < utf8.RuneSelf {
			valid++
			continue
		}
		r, n := utf8.DecodeRune(s[valid:])
		if r == utf8.RuneError && n == 1 {
			break
		}
		valid += n
	}
	for valid+bad < len(s) {
		r, n := utf8.DecodeRune(s[valid+bad:])
		if r != utf8.RuneError || n != 1 {
			break
		}
		bad++
	}
	return valid, bad
}

func nfdBytes(src []byte) []byte {
	return NFD.Normalize(nil, src)
}

// NormalizeAligned implements [Normalizer]. The text is processed one
// normalization segment (a starter and its combining marks) at a time: a
// segment that comes out unchanged is aligned character by character, a
// changed one aligns every output byte with the whole input segment.
func (f Form) NormalizeAligned(dst []byte, align []tok.Span, src []byte) ([]byte, []tok.Span) {
	for off := 0; off < len(src); {
		valid, bad := validPrefix(src[off:])
		dst, align = f.alignedValid(dst, align, src[off:off+valid], off)
		for i := range bad {
			dst = append(dst, src[off+valid+i])
			align = append(align, tok.Span{Start: off + valid + i, End: off + valid + i + 1})
		}
		off += valid + bad
	}
	return dst, align
}

// alignedValid is NormalizeAligned for valid UTF-8 src that starts at base
// in the caller's text.
func (f Form) alignedValid(dst []byte, align []tok.Span, src []byte, base int) ([]byte, []tok.Span) {
	if len(src) == 0 {
		return dst, align
	}
	var it norm.Iter
	it.Init(norm.Form(f), src)
	segStart, outStart := 0, len(dst)
	for !it.Done() {
		dst = append(dst, it.Next()...)
		end := it.Pos()
		if end == segStart && !it.Done() {
			// The iterator returned part of a segment without moving on
			// in the input: keep collecting.
			continue
		}
		out := dst[outStart:]
		if bytes.Equal(out, src[segStart:end]) {
			n := len(align)
			_, align = identityAligned(nil, align, out)
			for i := n; i < len(align); i++ {
				align[i].Start += base + segStart
				align[i].End += base + segStart
			}
		} else {
			sp := tok.Span{Start: base + segStart, End: base + max(end, segStart+1)}
			for range len(out) {
				align = append(align, sp)
			}
		}
		segStart, outStart = end, len(dst)
	}
	return dst, align
}
