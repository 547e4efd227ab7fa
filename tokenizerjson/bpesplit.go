package tokenizerjson

import (
	"bytes"

	"github.com/toklabs/tok"
)

// SentencePiece-style BPE files (Llama 2, Mistral: a Prepend + Replace
// normalizer writing "▁" for spaces, no pre-tokenizer) hand the model a
// whole line as one piece, so every merge step scans the whole line. When
// no merge can join a symbol that ends in a character other than "▁" to
// one that starts with "▁", the line can be cut before every "▁" that
// follows another character without changing the result: a symbol never
// grows across such a cut, and the merges on either side do not depend on
// each other. The words are then short, and most are whole-word hits in
// the model. Encode (with offsets) keeps the whole-line path; the fuzz
// tests compare the two.

// metaspaceRune is SentencePiece's space marker.
const metaspaceRune = '▁'

// bpeWordSplit returns the marker to cut before when t's model allows
// the cut (see above), or nil. The cut is made where the model would get
// a whole line: without a pre-tokenizer, or after a Metaspace one that
// does not split (prepend_scheme "first", split false: the newer HF
// layout of Llama and Mistral files).
func bpeWordSplit(t *Tokenizer) []byte {
	bm, ok := t.model.(*bpeModel)
	if !ok || t.spell || bm.ByteLevel() {
		return nil
	}
	spec := &bm.spec
	switch {
	case spec.Dropout != nil && *spec.Dropout > 0,
		spec.ContinuingSubwordPrefix != nil && *spec.ContinuingSubwordPrefix != "",
		spec.EndOfWordSuffix != nil && *spec.EndOfWordSuffix != "",
		spec.IgnoreMerges: // the whole piece would be looked up first
		return nil
	}
	marker := string(metaspaceRune)
	// The marker must be a token, so that the first symbol of a word is
	// never unknown (an unknown one could fuse with the previous word's).
	if _, ok := spec.Vocab[marker]; !ok {
		return nil
	}
	for _, p := range spec.Merges.pairs {
		left, right := p[0], p[1]
		if len(right) >= len(marker) && right[:len(marker)] == marker && !onlyRune(left, metaspaceRune) {
			return nil
		}
	}
	return []byte(marker)
}

// onlyRune reports whether s is one or more r.
func onlyRune(s string, r rune) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c != r {
			return false
		}
	}
	return true
}

// encodeWords runs the model on text cut before every marker that
// follows another character.
func (t *Tokenizer) encodeWords(dst []uint32, text []byte, sc *scratch) []uint32 {
	sc.words = appendWords(sc.words[:0], text, t.wordSplit)
	for _, w := range sc.words {
		dst = t.appendEncodeCached(dst, text[w.Start:w.End], sc)
	}
	return dst
}

// appendWords appends the words of text: it is cut before every marker
// that follows another character.
func appendWords(dst []tok.Span, text, marker []byte) []tok.Span {
	start := 0
	for off := 0; off < len(text); {
		i := bytes.Index(text[off:], marker)
		if i < 0 {
			break
		}
		i += off
		if i > start && !bytes.HasSuffix(text[:i], marker) {
			dst = append(dst, tok.Span{Start: start, End: i})
			start = i
		}
		off = i + len(marker)
	}
	if start < len(text) {
		dst = append(dst, tok.Span{Start: start, End: len(text)})
	}
	return dst
}
