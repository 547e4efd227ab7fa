package tokenizerjson

import (
	"unicode/utf8"

	"github.com/toklabs/tok"
	"github.com/toklabs/tok/normalize"
)

// EncodeOptions are the options of [Tokenizer.Encode].
type EncodeOptions struct {
	// AddSpecialTokens runs the post-processor's template (BOS/EOS,
	// [CLS]/[SEP], ...). HF's default is true; the golden files and
	// AppendEncode use false.
	AddSpecialTokens bool

	// Truncation and Padding override the file's "truncation" and
	// "padding" when not nil (a zero Truncation or a nil one with
	// NoFileLimits disables it).
	Truncation *Truncation
	Padding    *Padding

	// NoFileLimits ignores the file's truncation and padding.
	NoFileLimits bool
}

// Encode encodes text into an Encoding with tokens, byte offsets into
// text, type ids and the special-tokens mask. Its ids equal AppendEncode's
// when opts.AddSpecialTokens is false.
func (t *Tokenizer) Encode(text []byte, opts EncodeOptions) *Encoding {
	return t.post1(t.encodeSpans(text, 0), nil, opts)
}

// EncodePair encodes a pair of sequences (question and context, for
// example); the post-processor decides how they are joined.
func (t *Tokenizer) EncodePair(a, b []byte, opts EncodeOptions) *Encoding {
	return t.post1(t.encodeSpans(a, 0), t.encodeSpans(b, 1), opts)
}

func (t *Tokenizer) post1(a, b *Encoding, opts EncodeOptions) *Encoding {
	tr, pad := opts.Truncation, opts.Padding
	if !opts.NoFileLimits {
		if tr == nil {
			tr = t.truncation
		}
		if pad == nil {
			pad = t.padding
		}
	}
	if tr != nil && tr.MaxLength > 0 {
		added := 0
		if opts.AddSpecialTokens && t.post != nil {
			var pair *Encoding
			if b != nil {
				pair = &Encoding{}
			}
			added = t.post.process(&Encoding{}, pair, true).Len()
		}
		applyTruncation(tr, a, b, added)
	}
	overflow := a.Overflowing
	a.Overflowing = nil
	out := t.process(a, b, opts.AddSpecialTokens)
	target := applyPadding(pad, out, 0)
	if t.post == nil {
		// HF merges the encodings without a post-processor in a way that
		// drops the overflowing windows (observed with tokenizers 0.23.2).
		overflow = nil
	}
	for _, o := range overflow {
		po := t.process(o, nil, opts.AddSpecialTokens)
		applyPadding(pad, po, target) // to the main encoding's length, as HF
		out.Overflowing = append(out.Overflowing, po)
	}
	return out
}

func (t *Tokenizer) process(a, b *Encoding, addSpecial bool) *Encoding {
	if t.post == nil {
		return mergePair(a, b)
	}
	return t.post.process(a, b, addSpecial)
}

// encodeSpans is AppendEncode that keeps offsets: every step carries the
// alignment of its text back to the input.
func (t *Tokenizer) encodeSpans(text []byte, seq int8) *Encoding {
	e := &Encoding{}
	raw := t.added.raw.appendMatches(nil, text)
	prev := 0
	// HF's token string for an added token is the text it matched
	// (spaces taken by lstrip/rstrip included).
	addAdded := func(set *addedSet, m addedMatch, off tok.Span) {
		e.appendToken(set.tokens[m.token].ID, string(text[m.start:m.end]), off, 0, 0, seq)
	}
	for _, m := range raw {
		if m.start > prev {
			t.encodeSectionSpans(e, text[prev:m.start], prev, seq)
		}
		addAdded(t.added.raw, m, tok.Span{Start: m.start, End: m.end})
		prev = max(prev, m.end)
	}
	if prev < len(text) {
		t.encodeSectionSpans(e, text[prev:], prev, seq)
	}
	return e
}

// encodeSectionSpans encodes the section sec that starts at base in the
// input.
func (t *Tokenizer) encodeSectionSpans(e *Encoding, sec []byte, base int, seq int8) {
	norm := sec
	var align []tok.Span // normalized byte → section span; nil: identity
	if t.normalizer != nil {
		norm, align = t.normalizer.NormalizeAligned(nil, nil, sec)
	}
	toInput := func(sp tok.Span) tok.Span {
		if align != nil {
			sp = normalize.MapSpan(align, sp)
		}
		return tok.Span{Start: base + sp.Start, End: base + sp.End}
	}
	var matches []addedMatch
	if !t.added.normalized.empty {
		matches = t.added.normalized.appendMatches(nil, norm)
	}
	prev := 0
	for _, m := range matches {
		if m.start > prev {
			t.encodeNormalizedSpans(e, norm, tok.Span{Start: prev, End: m.start}, base == 0 && prev == 0, toInput, seq)
		}
		a := t.added.normalized.tokens[m.token]
		e.appendToken(a.ID, string(norm[m.start:m.end]), toInput(tok.Span{Start: m.start, End: m.end}), 0, 0, seq)
		prev = max(prev, m.end)
	}
	if prev < len(norm) {
		t.encodeNormalizedSpans(e, norm, tok.Span{Start: prev, End: len(norm)}, base == 0 && prev == 0, toInput, seq)
	}
}

// encodeNormalizedSpans pre-tokenizes norm[part] and encodes every piece;
// toInput maps spans of norm to the input.
func (t *Tokenizer) encodeNormalizedSpans(e *Encoding, norm []byte, part tok.Span, first bool, toInput func(tok.Span) tok.Span, seq int8) {
	text := norm[part.Start:part.End]
	var ids []uint32
	var spans []tok.Span
	// emit encodes one piece: text[base:base+len(pc)] when align is nil,
	// a rewritten piece whose bytes come from align otherwise.
	emit := func(pc []byte, base int, align []tok.Span) {
		ids, spans = t.pieceSpans(ids[:0], spans[:0], pc)
		for i, id := range ids {
			sp := spans[i]
			var inText tok.Span
			switch {
			case align == nil:
				inText = tok.Span{Start: base + sp.Start, End: base + sp.End}
			case sp.End > sp.Start:
				inText = tok.Span{Start: align[sp.Start].Start, End: align[sp.End-1].End}
			case sp.Start < len(align):
				inText = tok.Span{Start: align[sp.Start].Start, End: align[sp.Start].Start}
			}
			off := toInput(tok.Span{Start: part.Start + inText.Start, End: part.Start + inText.End})
			name, _ := t.model.IDToToken(id)
			e.appendToken(id, name, off, 0, 0, seq)
		}
	}
	switch p := t.pre; {
	case p == nil:
		// (Not cut into words as AppendEncode does: the offsets of a
		// BPE model's unknown tokens depend on the whole piece.)
		emit(text, 0, nil)
	case p.meta != nil && !t.general:
		for _, pc := range p.metaspacePieces(text, first) {
			emit(pc.text, 0, pc.align)
		}
	case p.pure != nil:
		for _, sp := range p.pure(nil, text, tok.Span{Start: 0, End: len(text)}) {
			if sp.End > sp.Start {
				emit(text[sp.Start:sp.End], sp.Start, nil)
			}
		}
	default:
		for _, pc := range p.applySlow(text, first) {
			emit(pc.text, 0, pc.align)
		}
	}
}

// pieceSpans runs the model on one piece and returns the ids with the
// byte range of piece each covers.
func (t *Tokenizer) pieceSpans(ids []uint32, spans []tok.Span, pc []byte) ([]uint32, []tok.Span) {
	in := pc
	var back []int // spelled byte → piece byte
	if t.spell {
		in = nil
		for i, b := range pc {
			n := len(in)
			in = utf8.AppendRune(in, normalize.ByteLevelRune(b))
			for range len(in) - n {
				back = append(back, i)
			}
		}
	}
	n := len(ids)
	if t.spanModel != nil {
		ids, spans = t.spanModel.AppendEncodePieceSpans(ids, spans, in)
	} else {
		ids = t.model.AppendEncodePiece(ids, in)
		pos := 0
		for i, id := range ids[n:] {
			name, _ := t.model.IDToToken(id)
			end := min(pos+max(len(name), 1), len(in))
			if i == len(ids[n:])-1 {
				end = len(in)
			}
			spans = append(spans, tok.Span{Start: pos, End: end})
			pos = end
		}
	}
	if back != nil {
		for i := range spans {
			s, e := spans[i].Start, spans[i].End
			if s < len(back) {
				spans[i].Start = back[s]
			} else {
				spans[i].Start = len(pc)
			}
			if e > 0 && e <= len(back) {
				spans[i].End = back[e-1] + 1
			} else {
				spans[i].End = spans[i].Start
			}
		}
	}
	return ids, spans
}
