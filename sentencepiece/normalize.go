package sentencepiece

import "bytes"

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
func (n *Normalizer) Normalize(dst []byte, align []int, text []byte, wantAlign bool) ([]byte, []int) {
	if len(text) == 0 {
		return dst, align
	}
	start, alignStart := len(dst), len(align)
	consumed := 0
	if n.RemoveExtraWhitespaces {
		for len(text) > 0 {
			r, l := n.normalizePrefix(text)
			if len(r) != 1 || r[0] != ' ' {
				break
			}
			text = text[l:]
			consumed += l
		}
		if len(text) == 0 {
			return dst, align
		}
	}
	space := " "
	if n.EscapeWhitespaces {
		space = spaceSymbol
	}
	addSpace := func() {
		dst = append(dst, space...)
		if wantAlign {
			for range len(space) {
				align = append(align, consumed)
			}
		}
	}
	if n.AddDummyPrefix && !n.TreatWhitespaceAsSuffix {
		addSpace()
	}
	prevSpace := n.RemoveExtraWhitespaces
	for len(text) > 0 {
		r, l := n.normalizePrefix(text)
		if prevSpace {
			for len(r) > 0 && r[0] == ' ' {
				r = r[1:]
			}
		}
		if len(r) > 0 {
			for _, c := range r {
				if c == ' ' && n.EscapeWhitespaces {
					dst = append(dst, spaceSymbol...)
					if wantAlign {
						align = append(align, consumed, consumed, consumed)
					}
				} else {
					dst = append(dst, c)
					if wantAlign {
						align = append(align, consumed)
					}
				}
			}
			prevSpace = r[len(r)-1] == ' '
		}
		consumed += l
		text = text[l:]
		if !n.RemoveExtraWhitespaces {
			prevSpace = false
		}
	}
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
		addSpace()
	}
	if wantAlign {
		align = append(align, consumed)
	}
	return dst, align
}
