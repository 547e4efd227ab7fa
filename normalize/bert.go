package normalize

import (
	"unicode"
	"unicode/utf8"

	"github.com/toklabs/tok"
)

// Bert is the BERT normalizer (HF BertNormalizer). Its steps run in this
// order, each over the output of the one before:
//
//  1. CleanText: drop U+0000, U+FFFD and control characters (general
//     category C: Cc, Cf, Co, Cs and unassigned, except tab, LF and CR),
//     then turn every whitespace character into a plain space.
//  2. HandleChineseChars: put a space on each side of every CJK ideograph
//     (the CJK Unified Ideographs blocks including Extension A–F and the
//     compatibility blocks, astral planes included, as HF's Rust core does).
//  3. StripAccents: decompose (NFD) and drop nonspacing marks (Mn).
//  4. Lowercase: full lowercase mapping of each character.
type Bert struct {
	CleanText          bool
	HandleChineseChars bool
	StripAccents       bool
	Lowercase          bool
}

// DefaultBert returns the normalizer of bert-base-uncased: every step on.
func DefaultBert() Bert {
	return Bert{CleanText: true, HandleChineseChars: true, StripAccents: true, Lowercase: true}
}

// NewBert builds a Bert normalizer the way HF reads one from
// tokenizer.json: stripAccents nil means "follow lowercase".
func NewBert(cleanText, handleChineseChars bool, stripAccents *bool, lowercase bool) Bert {
	strip := lowercase
	if stripAccents != nil {
		strip = *stripAccents
	}
	return Bert{CleanText: cleanText, HandleChineseChars: handleChineseChars, StripAccents: strip, Lowercase: lowercase}
}

// Normalize implements [Normalizer].
//
// Long runs of ASCII take a fast path: no ASCII character decomposes, is
// a CJK ideograph or is reordered by NFD (they are all starters), so such a
// run can be handled byte by byte, and the text between them
// (normalizeSlow) on its own.
func (b Bert) Normalize(dst, src []byte) []byte {
	for i := 0; i < len(src); {
		slowEnd, fastEnd := bertSegment(src, i)
		if slowEnd > i {
			dst = b.normalizeSlow(dst, src[i:slowEnd])
		}
		dst = b.appendASCII(dst, src[slowEnd:fastEnd])
		i = fastEnd
	}
	return dst
}

// minASCIIRun is the shortest ASCII run that leaves the slow path; shorter
// ones (the spaces and digits of non-Latin text) stay in it, so that the
// slow path runs on long stretches.
const minASCIIRun = 32

// bertSegment splits src from i into a stretch for the slow path,
// src[i:slowEnd], and a run of ASCII, src[slowEnd:fastEnd], that is long
// or ends the text.
func bertSegment(src []byte, i int) (slowEnd, fastEnd int) {
	for p := i; p < len(src); {
		if src[p] >= utf8.RuneSelf {
			p++
			continue
		}
		q := p
		for q < len(src) && src[q] < utf8.RuneSelf {
			q++
		}
		if q-p >= minASCIIRun || q == len(src) {
			return p, q
		}
		p = q
	}
	return len(src), len(src)
}

// appendASCII is Normalize for ASCII text.
func (b Bert) appendASCII(dst, src []byte) []byte {
	for _, c := range src {
		switch {
		case c == '\t' || c == '\n' || c == '\r':
			if b.CleanText {
				c = ' '
			}
		case c < 0x20 || c == 0x7f:
			if b.CleanText {
				continue
			}
		case 'A' <= c && c <= 'Z':
			if b.Lowercase {
				c += 'a' - 'A'
			}
		}
		dst = append(dst, c)
	}
	return dst
}

// normalizeSlow is Normalize for any text.
func (b Bert) normalizeSlow(dst, src []byte) []byte {
	if !b.StripAccents {
		// Every remaining step maps one character to characters, so one
		// pass does them all.
		return mapRunes(dst, src, b.appendChar)
	}
	mid := mapRunes(nil, src, b.appendCleanChinese)
	return mapRunes(dst, nfdBytes(mid), b.appendStripLower)
}

// NormalizeAligned implements [Normalizer]. It splits the text into the
// same ASCII and non-ASCII runs as Normalize.
func (b Bert) NormalizeAligned(dst []byte, align []tok.Span, src []byte) ([]byte, []tok.Span) {
	for i := 0; i < len(src); {
		slowEnd, fastEnd := bertSegment(src, i)
		if slowEnd > i {
			n := len(align)
			dst, align = b.alignedSlow(dst, align, src[i:slowEnd])
			for a := n; a < len(align); a++ {
				align[a].Start += i
				align[a].End += i
			}
		}
		for k := slowEnd; k < fastEnd; k++ {
			n := len(dst)
			dst = b.appendASCII(dst, src[k:k+1])
			if len(dst) > n {
				align = append(align, tok.Span{Start: k, End: k + 1})
			}
		}
		i = fastEnd
	}
	return dst, align
}

// alignedSlow is NormalizeAligned for any text.
func (b Bert) alignedSlow(dst []byte, align []tok.Span, src []byte) ([]byte, []tok.Span) {
	if !b.StripAccents {
		return mapRunesAligned(dst, align, src, b.appendChar)
	}
	mid, midAlign := mapRunesAligned(nil, nil, src, b.appendCleanChinese)
	dec, decAlign := NFD.NormalizeAligned(nil, nil, mid)
	out, outAlign := mapRunesAligned(nil, nil, dec, b.appendStripLower)
	return append(dst, out...), Compose(align, Compose(nil, midAlign, decAlign), outAlign)
}

// appendChar runs every enabled step except StripAccents on one character.
func (b Bert) appendChar(out []byte, r rune) []byte {
	if b.CleanText {
		if r == 0 || r == utf8.RuneError || isBertControl(r) {
			return out
		}
		if isBertWhitespace(r) {
			r = ' '
		}
	}
	if b.HandleChineseChars && IsCJKIdeograph(r) {
		out = append(out, ' ')
		out = utf8.AppendRune(out, r)
		return append(out, ' ')
	}
	if b.Lowercase {
		return appendLower(out, r)
	}
	return utf8.AppendRune(out, r)
}

func (b Bert) appendCleanChinese(out []byte, r rune) []byte {
	c := b
	c.Lowercase = false
	return c.appendChar(out, r)
}

func (b Bert) appendStripLower(out []byte, r rune) []byte {
	if unicode.Is(unicode.Mn, r) {
		return out
	}
	if b.Lowercase {
		return appendLower(out, r)
	}
	return utf8.AppendRune(out, r)
}

// isBertWhitespace is Unicode White_Space (Rust char::is_whitespace); tab,
// LF and CR included.
func isBertWhitespace(r rune) bool {
	return unicode.IsSpace(r)
}

// isBertControl reports general category Cc, Cf, Co or Cs, except tab, LF
// and CR. HF's table also names Cn, but it keeps noncharacters and
// characters newer than its tables (testdata/hf-normalizers.jsonl).
func isBertControl(r rune) bool {
	switch r {
	case '\t', '\n', '\r':
		return false
	}
	if r < 0x20 || r == 0x7f {
		return true
	}
	if r < 0x80 {
		return false
	}
	return unicode.In(r, unicode.Cc, unicode.Cf, unicode.Co, unicode.Cs)
}

// IsCJKIdeograph reports whether r is one of the characters the BERT
// normalizer isolates: CJK Unified Ideographs U+4E00–U+9FFF, Extension A
// U+3400–U+4DBF, Extensions B–F (U+20000–U+2A6DF, U+2A700–U+2B73F,
// U+2B740–U+2B81F, U+2B920–U+2CEAF), and the compatibility ideographs
// U+F900–U+FAFF and U+2F800–U+2FA1F.
func IsCJKIdeograph(r rune) bool {
	switch {
	case r < 0x3400:
		return false
	case r <= 0x4DBF:
		return true
	case r < 0x4E00:
		return false
	case r <= 0x9FFF:
		return true
	case r >= 0xF900 && r <= 0xFAFF:
		return true
	case r >= 0x20000 && r <= 0x2A6DF,
		r >= 0x2A700 && r <= 0x2B73F,
		r >= 0x2B740 && r <= 0x2B81F,
		r >= 0x2B920 && r <= 0x2CEAF,
		r >= 0x2F800 && r <= 0x2FA1F:
		return true
	}
	return false
}
