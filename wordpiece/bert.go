package wordpiece

import (
	"unicode/utf8"

	"github.com/toklabs/tok"
	"github.com/toklabs/tok/normalize"
	"github.com/toklabs/tok/pretokenize"
)

// BERT is the whole BERT text pipeline over a WordPiece [Model]: special
// tokens matched in the raw text, the BERT normalizer, the BERT
// pre-tokenizer, WordPiece, and (in [BERT.Encode]) the BERT post-processor.
// It implements [tok.Tokenizer] and is safe for concurrent use.
//
// Text that is not valid UTF-8 is read as if each invalid byte were U+FFFD
// (as a UTF-8 decoder with replacement reads it); with CleanText on, the
// normalizer then removes it, so invalid bytes vanish from the output like
// control characters do, and the offsets of the other tokens are unchanged.
type BERT struct {
	model    *Model
	norm     normalize.Bert
	specials []tok.SpecialToken // matched in the raw text, longest first
	special1 [256]bool          // first bytes of special tokens

	// ASCII fast path tables.
	class  [128]byte   // one of the cls* constants
	lower  [128]byte   // byte after normalization (lowercased when Lowercase)
	single [128]uint32 // ids of a one-byte word (punctuation)

	post Post
}

const (
	clsWord  = iota // part of a word
	clsSpace        // separates words, removed
	clsPunct        // a word of its own
	clsDrop         // removed by CleanText, does not separate
)

// BERTConfig configures [NewBERT].
type BERTConfig struct {
	Model      ModelConfig
	Normalizer normalize.Bert
	// SpecialTokens are matched in the raw text before normalization and
	// become their own id, as HF does with added tokens. Default: those of
	// [PAD] [UNK] [CLS] [SEP] [MASK] that are in the vocabulary.
	SpecialTokens []string
	// Post is the post-processor [BERT.Encode] applies. Default: BERT's
	// [CLS] A [SEP] B [SEP] with the vocabulary's ids.
	Post *Post
}

// DefaultBERTConfig returns the configuration of bert-base-uncased; set
// Normalizer.Lowercase and Normalizer.StripAccents to false for the cased
// models (see [CasedBERTConfig]).
func DefaultBERTConfig() BERTConfig {
	return BERTConfig{Model: DefaultModelConfig(), Normalizer: normalize.DefaultBert(),
		SpecialTokens: []string{"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"}}
}

// CasedBERTConfig returns the configuration of the cased BERT models: no
// lowercasing and no accent stripping.
func CasedBERTConfig() BERTConfig {
	c := DefaultBERTConfig()
	c.Normalizer.Lowercase = false
	c.Normalizer.StripAccents = false
	return c
}

// NewBERT builds the BERT pipeline over vocab.
func NewBERT(vocab *Vocab, cfg BERTConfig) (*BERT, error) {
	m, err := NewModel(vocab, cfg.Model)
	if err != nil {
		return nil, err
	}
	b := &BERT{model: m, norm: cfg.Normalizer}
	for _, s := range cfg.SpecialTokens {
		if id, ok := vocab.TokenToID(s); ok && s != "" {
			b.specials = append(b.specials, tok.SpecialToken{Content: s, ID: id})
			b.special1[s[0]] = true
		}
	}
	if cfg.Post != nil {
		b.post = *cfg.Post
	} else {
		b.post = BertPost(vocab)
	}
	b.initTables()
	return b, nil
}

func (b *BERT) initTables() {
	for c := 0; c < 128; c++ {
		r := rune(c)
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			b.class[c] = clsSpace
		case b.norm.CleanText && (c < 0x20 || c == 0x7f):
			b.class[c] = clsDrop // \v and \f too: CleanText removes them before splitting
		case pretokenize.IsWhitespace(r):
			b.class[c] = clsSpace
		case pretokenize.IsBertPunctuation(r):
			b.class[c] = clsPunct
		default:
			b.class[c] = clsWord
		}
		if c == 0 && b.norm.CleanText {
			b.class[c] = clsDrop
		}
		l := byte(c)
		if b.norm.Lowercase && 'A' <= c && c <= 'Z' {
			l += 'a' - 'A'
		}
		b.lower[c] = l
		b.single[c] = b.model.unkID
		if ids := b.model.AppendEncodeWord(nil, []byte{l}); len(ids) == 1 {
			b.single[c] = ids[0]
		}
	}
}

// Model returns the WordPiece model.
func (b *BERT) Model() *Model { return b.model }

// Normalizer returns the normalizer settings.
func (b *BERT) Normalizer() normalize.Bert { return b.norm }

// VocabSize implements [tok.Tokenizer].
func (b *BERT) VocabSize() int { return b.model.vocab.Len() }

// TokenToID implements [tok.Tokenizer].
func (b *BERT) TokenToID(t string) (uint32, bool) { return b.model.vocab.TokenToID(t) }

// IDToToken implements [tok.Tokenizer].
func (b *BERT) IDToToken(id uint32) (string, bool) { return b.model.vocab.IDToToken(id) }

// SpecialTokens implements [tok.Tokenizer].
func (b *BERT) SpecialTokens() []tok.SpecialToken {
	out := append([]tok.SpecialToken(nil), b.specials...)
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].ID < out[j-1].ID; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// AppendEncode implements [tok.Tokenizer]: the ids of text without the
// post-processor's [CLS] and [SEP] (HF's add_special_tokens=false). Special
// token strings in the text become their ids.
func (b *BERT) AppendEncode(dst []uint32, text []byte) []uint32 {
	dst, _ = b.appendEncode(dst, nil, text, false)
	return dst
}

// AppendEncodeOffsets is AppendEncode that also appends the byte range of
// each token in text. A piece of a word covers the original bytes its
// characters came from; the unknown token covers its whole word.
func (b *BERT) AppendEncodeOffsets(dst []uint32, offsets []tok.Span, text []byte) ([]uint32, []tok.Span) {
	return b.appendEncode(dst, offsets, text, true)
}

func (b *BERT) appendEncode(dst []uint32, offs []tok.Span, text []byte, wantOffs bool) ([]uint32, []tok.Span) {
	var sc scratch
	start := 0
	if len(b.specials) > 0 {
		for i := 0; i < len(text); i++ {
			if !b.special1[text[i]] {
				continue
			}
			if sp, ok := b.matchSpecial(text[i:]); ok {
				dst, offs = b.encodeSegment(dst, offs, text, start, i, wantOffs, &sc)
				dst = append(dst, sp.ID)
				if wantOffs {
					offs = append(offs, tok.Span{Start: i, End: i + len(sp.Content)})
				}
				i += len(sp.Content) - 1
				start = i + 1
			}
		}
	}
	return b.encodeSegment(dst, offs, text, start, len(text), wantOffs, &sc)
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

// scratch holds the buffers of one encode call.
type scratch struct {
	word  []byte
	pos   []int32 // original offset of each byte of word (offsets only)
	norm  []byte
	align []tok.Span
	words []tok.Span
	wspan [][2]int
	fix   []byte
	fixAl []tok.Span
}

// encodeSegment encodes text[from:to], a stretch without special tokens.
//
// It is the fast path: ASCII is normalized and split with tables as it is
// read. A stretch between ASCII white space that holds a non-ASCII byte is
// redone by encodeSlow, which runs the general normalizer and
// pre-tokenizer. ASCII white space is a safe place to cut: no step of the
// BERT normalizer looks across it.
func (b *BERT) encodeSegment(dst []uint32, offs []tok.Span, text []byte, from, to int, wantOffs bool, sc *scratch) ([]uint32, []tok.Span) {
	word := sc.word[:0]
	pos := sc.pos[:0]
	chunkStart, chunkDst, chunkOffs := from, len(dst), len(offs)
	flush := func() {
		if len(word) == 0 {
			return
		}
		if !wantOffs {
			dst = b.model.AppendEncodeWord(dst, word)
		} else {
			n0 := len(dst)
			var spans [][2]int
			dst, spans = b.model.AppendEncodeWordSpans(dst, sc.wspan[:0], word)
			sc.wspan = spans
			for _, s := range spans[:len(dst)-n0] {
				offs = append(offs, tok.Span{Start: int(pos[s[0]]), End: int(pos[s[1]-1]) + 1})
			}
		}
		word, pos = word[:0], pos[:0]
	}
	for i := from; i < to; i++ {
		c := text[i]
		if c >= utf8.RuneSelf {
			// Redo the whole chunk on the slow path.
			dst, offs = dst[:chunkDst], offs[:chunkOffs]
			word, pos = word[:0], pos[:0]
			end := i
			for end < to && !isASCIISpace(text[end]) {
				end++
			}
			dst, offs = b.encodeSlow(dst, offs, text, chunkStart, end, wantOffs, sc)
			i = end - 1
			continue
		}
		switch b.class[c] {
		case clsWord:
			word = append(word, b.lower[c])
			if wantOffs {
				pos = append(pos, int32(i))
			}
		case clsSpace:
			flush()
			chunkStart, chunkDst, chunkOffs = i+1, len(dst), len(offs)
		case clsPunct:
			flush()
			dst = append(dst, b.single[c])
			if wantOffs {
				offs = append(offs, tok.Span{Start: i, End: i + 1})
			}
		case clsDrop:
		}
	}
	flush()
	sc.word, sc.pos = word, pos
	return dst, offs
}

func isASCIISpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// encodeSlow encodes text[from:to] with the general normalizer and
// pre-tokenizer.
func (b *BERT) encodeSlow(dst []uint32, offs []tok.Span, text []byte, from, to int, wantOffs bool, sc *scratch) ([]uint32, []tok.Span) {
	src := text[from:to]
	var pre []tok.Span // alignment of src after replacing invalid bytes
	if !utf8.Valid(src) {
		src, pre = replaceInvalid(sc.fix[:0], sc.fixAl[:0], src)
		sc.fix, sc.fixAl = src, pre
	}
	if !wantOffs {
		sc.norm = b.norm.Normalize(sc.norm[:0], src)
		sc.words = pretokenize.AppendBert(sc.words[:0], sc.norm, tok.Span{Start: 0, End: len(sc.norm)})
		for _, w := range sc.words {
			dst = b.model.AppendEncodeWord(dst, sc.norm[w.Start:w.End])
		}
		return dst, offs
	}
	sc.norm, sc.align = b.norm.NormalizeAligned(sc.norm[:0], sc.align[:0], src)
	sc.words = pretokenize.AppendBert(sc.words[:0], sc.norm, tok.Span{Start: 0, End: len(sc.norm)})
	for _, w := range sc.words {
		n0 := len(dst)
		var spans [][2]int
		dst, spans = b.model.AppendEncodeWordSpans(dst, sc.wspan[:0], sc.norm[w.Start:w.End])
		sc.wspan = spans
		for _, s := range spans[:len(dst)-n0] {
			sp := normalize.MapSpan(sc.align, tok.Span{Start: w.Start + s[0], End: w.Start + s[1]})
			if pre != nil {
				sp = normalize.MapSpan(pre, sp)
			}
			offs = append(offs, tok.Span{Start: from + sp.Start, End: from + sp.End})
		}
	}
	return dst, offs
}

// replaceInvalid copies src to dst with every invalid byte replaced by
// U+FFFD, and one span per output byte giving its source range.
func replaceInvalid(dst []byte, align []tok.Span, src []byte) ([]byte, []tok.Span) {
	for i := 0; i < len(src); {
		r, n := utf8.DecodeRune(src[i:])
		before := len(dst)
		if r == utf8.RuneError && n == 1 {
			dst = append(dst, "\uFFFD"...)
		} else {
			dst = append(dst, src[i:i+n]...)
		}
		for range len(dst) - before {
			align = append(align, tok.Span{Start: i, End: i + n})
		}
		i += n
	}
	return dst, align
}
