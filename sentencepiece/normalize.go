package sentencepiece

import (
	"bytes"
	"unicode/utf8"
)

// spaceSymbol is U+2581 LOWER ONE EIGHTH BLOCK, which SentencePiece writes
// for a space so that whitespace is an ordinary symbol.
const spaceSymbol = "\u2581"

// Normalizer turns raw text into the normalized character stream the
// models segment, as SentencePiece's normalizer does: the charsmap rules,
// then whitespace handling (dummy prefix, collapsing and trimming spaces,
// escaping spaces as ▁). User-defined symbols are copied unnormalized.
//
// A Normalizer is immutable after construction and safe for concurrent use.
type Normalizer struct {
	// Map holds the normalization rules; nil is the identity.
	Map *CharsMap
	// AddDummyPrefix puts one space before the text (after it when
	// TreatWhitespaceAsSuffix), so a word is the same at the start of a
	// line and elsewhere.
	AddDummyPrefix bool
	// RemoveExtraWhitespaces drops leading and trailing spaces and
	// collapses runs of spaces into one.
	RemoveExtraWhitespaces bool
	// EscapeWhitespaces writes ▁ for each space.
	EscapeWhitespaces bool
	// TreatWhitespaceAsSuffix attaches the dummy space at the end.
	TreatWhitespaceAsSuffix bool

	userDefined *pieceTrie // matched before the rules, never normalized
	// fast is the ASCII table of Map and userDefined, made when the model
	// is loaded; it is used only while both are still the ones it was
	// made from (see asciiTable).
	fast *normASCII
}

// normASCII says, for each ASCII byte, whether Normalize may copy it
// unchanged without a trie lookup: the rules (and user-defined symbols)
// give that byte itself, consuming one byte.
type normASCII struct {
	m     *CharsMap
	ud    *pieceTrie
	flags [128]uint8 // asciiSelf* bits
}

const (
	// asciiSelfNext: the byte normalizes to itself when it is the last
	// byte or the next byte is ASCII too (a rule may extend it with a
	// combining mark, as nmt_nfkc composes "e"+U+0301).
	asciiSelfNext = 1 << iota
	// asciiSelfAny: it normalizes to itself whatever follows.
	asciiSelfAny
)

// newNormASCII combines the charsmap's ASCII flags with the user-defined
// symbols, which are matched first: a byte that starts a longer symbol
// needs the slow path; one that is a whole symbol and starts no longer one
// is copied as is.
func newNormASCII(m *CharsMap, ud *pieceTrie) *normASCII {
	t := &normASCII{m: m, ud: ud, flags: *m.asciiFlags()}
	if ud != nil {
		for c := range t.flags {
			node := ud.root[c]
			switch {
			case node == 0:
			case ud.nodes[node].value >= 0 && ud.nodes[node].count == 0:
				t.flags[c] = asciiSelfNext | asciiSelfAny
			default:
				t.flags[c] = 0
			}
		}
	}
	return t
}

// asciiTable returns the ASCII flags for the current Map and
// user-defined symbols.
func (n *Normalizer) asciiTable() *[128]uint8 {
	if f := n.fast; f != nil && f.m == n.Map && f.ud == n.userDefined {
		return &f.flags
	}
	if n.userDefined == nil {
		return n.Map.asciiFlags()
	}
	return &newNormASCII(n.Map, n.userDefined).flags
}

// normalizePrefix is the rule step: the replacement of the start of s and
// the number of bytes it consumes.
func (n *Normalizer) normalizePrefix(s []byte) ([]byte, int) {
	if n.userDefined != nil {
		if l := n.userDefined.longestPrefix(s); l > 0 {
			return s[:l], l
		}
	}
	return n.Map.Lookup(s)
}

// Normalize appends the normalized form of text to dst and, for every byte
// appended, the byte offset in text it came from to align; align gets one
// more entry, the offset just past the consumed input, so that
// align[i]:align[j] is the input span of normalized bytes i:j. Either
// slice may be nil; align may be nil only if the caller passes
// wantAlign false.
//
// Runs of ASCII bytes that normalize to themselves (see normASCII) are
// copied whole, and spaces are handled inline; every other character goes
// through normalizePrefix, as in normalizeNaive.
func (n *Normalizer) Normalize(dst []byte, align []int, text []byte, wantAlign bool) ([]byte, []int) {
	if len(text) == 0 {
		return dst, align
	}
	tbl := n.asciiTable()
	start, alignStart := len(dst), len(align)
	off := 0 // bytes of text dropped at the start
	if n.RemoveExtraWhitespaces {
		for len(text) > 0 {
			r, l := n.normalizePrefix(text)
			if len(r) != 1 || r[0] != ' ' {
				break
			}
			text = text[l:]
			off += l
		}
		if len(text) == 0 {
			return dst, align
		}
	}
	space := " "
	if n.EscapeWhitespaces {
		space = spaceSymbol
	}
	if n.AddDummyPrefix && !n.TreatWhitespaceAsSuffix {
		dst = append(dst, space...)
		if wantAlign {
			for range len(space) {
				align = append(align, off)
			}
		}
	}
	prevSpace := n.RemoveExtraWhitespaces
	ud := n.userDefined
	for i := 0; i < len(text); {
		// A run of characters other than space that normalize to
		// themselves: ASCII by the table, 2- and 3-byte characters by
		// the map's BMP bitset, unless they may start a user-defined
		// symbol.
		j := i
		for j < len(text) {
			c := text[j]
			if c < utf8.RuneSelf {
				if c == ' ' {
					break
				}
				f := tbl[c]
				if f&asciiSelfAny == 0 && (f&asciiSelfNext == 0 || j+1 < len(text) && text[j+1] >= utf8.RuneSelf) {
					break
				}
				j++
				continue
			}
			r, size := decodeBMP(text[j:])
			if size == 0 || !n.Map.keepsRune(r) || ud != nil && ud.root[c] != 0 {
				break
			}
			j += size
		}
		if j > i {
			dst = append(dst, text[i:j]...)
			if wantAlign {
				// Every byte of a character maps to the character's start.
				for k := i; k < j; {
					l := 1
					if text[k] >= utf8.RuneSelf {
						l = oneCharLen(text[k])
					}
					for range l {
						align = append(align, off+k)
					}
					k += l
				}
			}
			prevSpace = false
			i = j
			continue
		}
		if c := text[i]; c == ' ' && (tbl[c]&asciiSelfAny != 0 || tbl[c]&asciiSelfNext != 0 && (i+1 == len(text) || text[i+1] < utf8.RuneSelf)) {
			if !prevSpace {
				dst = append(dst, space...)
				if wantAlign {
					for range len(space) {
						align = append(align, off+i)
					}
				}
				prevSpace = n.RemoveExtraWhitespaces
			}
			i++
			continue
		}
		i += n.normalizeSlow(&dst, &align, text[i:], off+i, &prevSpace, wantAlign)
	}
	consumed := off + len(text)
	if n.RemoveExtraWhitespaces {
		for bytes.HasSuffix(dst[start:], []byte(space)) {
			k := len(dst) - len(space)
			if wantAlign {
				a := alignStart + k - start
				consumed = align[a]
				align = align[:a]
			}
			dst = dst[:k]
		}
	}
	if n.AddDummyPrefix && n.TreatWhitespaceAsSuffix {
		dst = append(dst, space...)
		if wantAlign {
			for range len(space) {
				align = append(align, consumed)
			}
		}
	}
	if wantAlign {
		align = append(align, consumed)
	}
	return dst, align
}

// normalizeSlow normalizes the character (or user-defined symbol, or
// rule match) at the start of text, which sits at offset pos of the input,
// and returns the number of bytes it consumed. It is the loop body of
// normalizeNaive.
func (n *Normalizer) normalizeSlow(dstp *[]byte, alignp *[]int, text []byte, pos int, prevSpace *bool, wantAlign bool) int {
	r, l := n.normalizePrefix(text)
	if !*prevSpace && len(r) > 0 && bytes.IndexByte(r, ' ') < 0 {
		// The common case (a character without a rule, or one whose
		// replacement has no space): copied as is.
		*dstp = append(*dstp, r...)
		if wantAlign {
			for range r {
				*alignp = append(*alignp, pos)
			}
		}
		return l
	}
	if *prevSpace {
		for len(r) > 0 && r[0] == ' ' {
			r = r[1:]
		}
	}
	if len(r) > 0 {
		dst, align := *dstp, *alignp
		for _, c := range r {
			if c == ' ' && n.EscapeWhitespaces {
				dst = append(dst, spaceSymbol...)
				if wantAlign {
					align = append(align, pos, pos, pos)
				}
			} else {
				dst = append(dst, c)
				if wantAlign {
					align = append(align, pos)
				}
			}
		}
		*dstp, *alignp = dst, align
		*prevSpace = r[len(r)-1] == ' '
	}
	if !n.RemoveExtraWhitespaces {
		*prevSpace = false
	}
	return l
}

// decodeBMP decodes the valid 2- or 3-byte UTF-8 character (U+0080 to
// U+FFFF, no surrogate) at the start of s, or returns size 0 for anything
// else (4-byte or invalid sequences take the slow path).
func decodeBMP(s []byte) (rune, int) {
	if len(s) >= 2 && s[0] >= 0xC2 && s[0] < 0xE0 {
		if s[1]&0xC0 != 0x80 {
			return 0, 0
		}
		return rune(s[0]&0x1F)<<6 | rune(s[1]&0x3F), 2
	}
	if len(s) >= 3 && s[0]&0xF0 == 0xE0 {
		if s[1]&0xC0 != 0x80 || s[2]&0xC0 != 0x80 {
			return 0, 0
		}
		r := rune(s[0]&0x0F)<<12 | rune(s[1]&0x3F)<<6 | rune(s[2]&0x3F)
		if r < 0x800 || r >= 0xD800 && r < 0xE000 {
			return 0, 0 // overlong or surrogate
		}
		return r, 3
	}
	return 0, 0
}
