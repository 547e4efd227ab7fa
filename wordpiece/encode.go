package wordpiece

import (
	"unicode/utf8"

	"github.com/toklabs/tok"
	"github.com/toklabs/tok/normalize"
	"github.com/toklabs/tok/pretokenize"
	"golang.org/x/text/unicode/norm"
)

// This file is the encoding loop of [BERT]: one pass over the text that
// normalizes, pre-tokenizes and runs the model.
//
// The BERT normalizer works character by character except for one step:
// StripAccents decomposes (NFD), which reorders combining marks, then
// drops nonspacing marks. Dropping commutes with the (stable) reordering,
// so the result is the concatenation of each character's own normalized
// form unless what is left still holds a mark with a nonzero combining
// class. So every character's normalized form is looked up in a table
// (ASCII in b.class/b.lower, the BMP in b.runes, built on first use; other
// planes computed on the spot) that also says how the pre-tokenizer treats
// it. A stretch between ASCII white space that holds a character of kind
// runeComplex is redone by encodeSlow with the general normalizer and
// pre-tokenizer; ASCII white space is a safe place to cut, as no step of
// the normalizer looks across it.
//
// Performance notes: scripts/bench-wordpiece.sh, one core, two runs on a
// 2-core machine shared with other jobs (load 15 to 21), tok vocab.txt vs
// HF tokenizers 0.23.2 through its Node binding (encode loops only):
// English 20 MB 13.5 vs 0.14 MB/s and 42.3 vs 0.58 MB/s (96.6x, 72.9x);
// multilingual 20 MB 6.6 vs 0.05 and 17.6 vs 0.51 MB/s (131x, 34.4x). The
// first version ran the general normalizer (NFD over every stretch with a
// non-ASCII byte) and reached 2.8 MB/s on golden multi.txt where the
// character table gave 10.5 MB/s in the same conditions.

// Kinds of characters after normalization, for the pre-tokenizer.
const (
	runeWord     = iota // only word characters: continue the current word
	runeDrop            // removed (control characters, lone nonspacing marks)
	runeSpace           // only white space: ends the current word
	runePunct           // one punctuation character: a word of its own
	runeIsolated        // word characters between spaces (CJK ideographs): a word of its own
	runeComplex         // anything else: handled by encodeSlow
)

type runeInfo struct {
	kind uint8
	n    uint8  // normalized length in bytes
	off  uint32 // normalized bytes: runePool[off:off+n] (for runeIsolated, without the spaces)
}

// encoder holds the state and buffers of one encode call; they are pooled.
type encoder struct {
	b        *BERT
	dst      []uint32
	offs     []tok.Span
	wantOffs bool

	word   []byte
	ps, pe []int32 // original range of each byte of word
	wspan  [][2]int
	rbuf   []byte

	// encodeSlow's buffers
	norm  []byte
	align []tok.Span
	words []tok.Span
	fix   []byte
	fixAl []tok.Span
}

func (b *BERT) getEncoder() *encoder {
	if e, ok := b.shared.encoders.Get().(*encoder); ok {
		e.b = b
		return e
	}
	return &encoder{b: b}
}

func (b *BERT) putEncoder(e *encoder) {
	e.dst, e.offs = nil, nil
	if cap(e.word) > 1<<16 || cap(e.norm) > 1<<20 {
		return // do not keep huge buffers alive
	}
	e.b = nil
	b.shared.encoders.Put(e)
}

func (b *BERT) appendEncode(dst []uint32, offs []tok.Span, text []byte, wantOffs bool) ([]uint32, []tok.Span) {
	e := b.getEncoder()
	e.dst, e.offs, e.wantOffs = dst, offs, wantOffs
	start := 0
	if len(b.specials) > 0 {
		for i := 0; i < len(text); i++ {
			if !b.special1[text[i]] {
				continue
			}
			if sp, ok := b.matchSpecial(text[i:]); ok {
				e.segment(text, start, i)
				e.dst = append(e.dst, sp.ID)
				if wantOffs {
					e.offs = append(e.offs, tok.Span{Start: i, End: i + len(sp.Content)})
				}
				i += len(sp.Content) - 1
				start = i + 1
			}
		}
	}
	e.segment(text, start, len(text))
	dst, offs = e.dst, e.offs
	b.putEncoder(e)
	return dst, offs
}

// flush encodes the current word.
func (e *encoder) flush() {
	if len(e.word) == 0 {
		return
	}
	m := e.b.model
	if !e.wantOffs {
		e.dst = m.AppendEncodeWord(e.dst, e.word)
	} else {
		n0 := len(e.dst)
		e.dst, e.wspan = m.AppendEncodeWordSpans(e.dst, e.wspan[:0], e.word)
		for _, s := range e.wspan[:len(e.dst)-n0] {
			e.offs = append(e.offs, tok.Span{Start: int(e.ps[s[0]]), End: int(e.pe[s[1]-1])})
		}
	}
	e.word, e.ps, e.pe = e.word[:0], e.ps[:0], e.pe[:0]
}

// emitWord encodes w, whose bytes all come from text[start:end], as a
// word of its own.
func (e *encoder) emitWord(w []byte, start, end int) {
	e.flush()
	e.word = append(e.word, w...)
	if e.wantOffs {
		for range w {
			e.ps = append(e.ps, int32(start))
			e.pe = append(e.pe, int32(end))
		}
	}
	e.flush()
}

// segment encodes text[from:to], a stretch without special tokens.
func (e *encoder) segment(text []byte, from, to int) {
	b := e.b
	chunkStart, chunkDst, chunkOffs := from, len(e.dst), len(e.offs)
	for i := from; i < to; {
		c := text[i]
		if c < utf8.RuneSelf {
			switch b.class[c] {
			case clsWord:
				e.word = append(e.word, b.lower[c])
				if e.wantOffs {
					e.ps = append(e.ps, int32(i))
					e.pe = append(e.pe, int32(i+1))
				}
			case clsSpace:
				e.flush()
				chunkStart, chunkDst, chunkOffs = i+1, len(e.dst), len(e.offs)
			case clsPunct:
				e.flush()
				e.dst = append(e.dst, b.single[c])
				if e.wantOffs {
					e.offs = append(e.offs, tok.Span{Start: i, End: i + 1})
				}
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(text[i:to])
		info, normed := b.runeInfo(r, &e.rbuf)
		switch info.kind {
		case runeWord:
			e.word = append(e.word, normed...)
			if e.wantOffs {
				for range normed {
					e.ps = append(e.ps, int32(i))
					e.pe = append(e.pe, int32(i+size))
				}
			}
		case runeDrop:
		case runeSpace:
			e.flush()
		case runePunct, runeIsolated:
			e.emitWord(normed, i, i+size)
		default:
			// Redo the whole chunk on the slow path.
			e.dst, e.offs = e.dst[:chunkDst], e.offs[:chunkOffs]
			e.word, e.ps, e.pe = e.word[:0], e.ps[:0], e.pe[:0]
			end := i
			for end < to && !isASCIISpace(text[end]) {
				end++
			}
			e.slow(text, chunkStart, end)
			i = end
			continue
		}
		i += size
	}
	e.flush()
}

func isASCIISpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// runeInfo returns how r normalizes; r is not ASCII. An invalid byte
// (utf8.RuneError) is read as U+FFFD, which it is.
func (b *BERT) runeInfo(r rune, buf *[]byte) (runeInfo, []byte) {
	if r < 0x10000 {
		sh := b.shared
		sh.runesOnce.Do(b.buildRunes)
		ri := sh.runes[r]
		return ri, sh.runePool[ri.off : ri.off+uint32(ri.n)]
	}
	ri, out := b.classifyRune(r, (*buf)[:0])
	*buf = out
	return ri, out[ri.off : ri.off+uint32(ri.n)]
}

func (b *BERT) buildRunes() {
	sh := b.shared
	sh.runes = make([]runeInfo, 0x10000)
	var out []byte
	for r := rune(0x80); r < 0x10000; r++ {
		var ri runeInfo
		ri, out = b.classifyRune(r, out[:0])
		normed := out[ri.off : ri.off+uint32(ri.n)]
		ri.off = uint32(len(sh.runePool))
		sh.runePool = append(sh.runePool, normed...)
		sh.runes[r] = ri
	}
}

// classifyRune normalizes r alone into out and says how the pre-tokenizer
// treats the result; info.off/n select the bytes of the word it
// contributes (within out).
func (b *BERT) classifyRune(r rune, out []byte) (runeInfo, []byte) {
	var in [utf8.UTFMax]byte
	out = b.norm.Normalize(out, in[:utf8.EncodeRune(in[:], r)])
	if len(out) == 0 {
		return runeInfo{kind: runeDrop}, out
	}
	if len(out) > 255 {
		return runeInfo{kind: runeComplex}, out
	}
	// Classify the characters of out.
	var spaces, puncts, words, firstWord, lastWord int
	firstWord = -1
	for i := 0; i < len(out); {
		c, n := utf8.DecodeRune(out[i:])
		switch {
		case pretokenize.IsWhitespace(c):
			spaces++
		case pretokenize.IsBertPunctuation(c):
			puncts++
		default:
			if b.norm.StripAccents && norm.NFD.PropertiesString(string(c)).CCC() != 0 {
				return runeInfo{kind: runeComplex}, out
			}
			words++
			if firstWord < 0 {
				firstWord = i
			}
			lastWord = i + n
		}
		i += n
	}
	switch {
	case words == 0 && puncts == 0:
		return runeInfo{kind: runeSpace}, out
	case words == 0 && puncts == 1 && spaces == 0:
		return runeInfo{kind: runePunct, n: uint8(len(out))}, out
	case puncts == 0 && spaces == 0:
		return runeInfo{kind: runeWord, n: uint8(len(out))}, out
	case puncts == 0 && isSpaces(out[:firstWord]) && isSpaces(out[lastWord:]) && !hasSpace(out[firstWord:lastWord]):
		return runeInfo{kind: runeIsolated, off: uint32(firstWord), n: uint8(lastWord - firstWord)}, out
	}
	return runeInfo{kind: runeComplex}, out
}

func isSpaces(s []byte) bool {
	for len(s) > 0 {
		c, n := utf8.DecodeRune(s)
		if !pretokenize.IsWhitespace(c) {
			return false
		}
		s = s[n:]
	}
	return true
}

func hasSpace(s []byte) bool {
	for len(s) > 0 {
		c, n := utf8.DecodeRune(s)
		if pretokenize.IsWhitespace(c) {
			return true
		}
		s = s[n:]
	}
	return false
}

// slow encodes text[from:to] with the general normalizer and
// pre-tokenizer.
func (e *encoder) slow(text []byte, from, to int) {
	b := e.b
	src := text[from:to]
	var pre []tok.Span // alignment of src after replacing invalid bytes
	if !utf8.Valid(src) {
		src, pre = replaceInvalid(e.fix[:0], e.fixAl[:0], src)
		e.fix, e.fixAl = src, pre
	}
	if !e.wantOffs {
		e.norm = b.norm.Normalize(e.norm[:0], src)
		e.words = pretokenize.AppendBert(e.words[:0], e.norm, tok.Span{Start: 0, End: len(e.norm)})
		for _, w := range e.words {
			e.dst = b.model.AppendEncodeWord(e.dst, e.norm[w.Start:w.End])
		}
		return
	}
	e.norm, e.align = b.norm.NormalizeAligned(e.norm[:0], e.align[:0], src)
	e.words = pretokenize.AppendBert(e.words[:0], e.norm, tok.Span{Start: 0, End: len(e.norm)})
	for _, w := range e.words {
		n0 := len(e.dst)
		e.dst, e.wspan = b.model.AppendEncodeWordSpans(e.dst, e.wspan[:0], e.norm[w.Start:w.End])
		for _, s := range e.wspan[:len(e.dst)-n0] {
			sp := normalize.MapSpan(e.align, tok.Span{Start: w.Start + s[0], End: w.Start + s[1]})
			if pre != nil {
				sp = normalize.MapSpan(pre, sp)
			}
			e.offs = append(e.offs, tok.Span{Start: from + sp.Start, End: from + sp.End})
		}
	}
}

// matchSpecial returns the longest special token that text starts with.
func (b *BERT) matchSpecial(text []byte) (tok.SpecialToken, bool) {
	best, ok := tok.SpecialToken{}, false
	for _, s := range b.specials {
		if len(s.Content) <= len(text) && string(text[:len(s.Content)]) == s.Content && len(s.Content) > len(best.Content) {
			best, ok = s, true
		}
	}
	return best, ok
}
