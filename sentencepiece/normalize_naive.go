package sentencepiece

import "bytes"

// normalizeNaive is the reference for Normalize: every character goes
// through normalizePrefix (the user-defined trie, then the charsmap),
// with no ASCII fast path. The fuzz tests compare the two.
func (n *Normalizer) normalizeNaive(dst []byte, align []int, text []byte, wantAlign bool) ([]byte, []int) {
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
