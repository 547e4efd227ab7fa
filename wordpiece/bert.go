package wordpiece

import (
	"sync"
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

	shared *bertShared // built lazily, shared by copies (WithPost)
}

// bertShared holds what a BERT builds lazily and pools.
type bertShared struct {
	runesOnce sync.Once
	runes     []runeInfo // BMP characters, built on first use
	runePool  []byte     // normalized bytes of the runes entries
	encoders  sync.Pool  // *encoder
}

// WithPost returns a tokenizer that shares b's vocabulary and tables and
// applies p in [BERT.Encode].
func (b *BERT) WithPost(p Post) *BERT {
	c := *b
	c.post = p
	return &c
}

// Post returns the post-processor [BERT.Encode] applies.
func (b *BERT) Post() Post { return b.post }

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
	b := &BERT{model: m, norm: cfg.Normalizer, shared: &bertShared{}}
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
