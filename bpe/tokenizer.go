package bpe

import (
	"errors"
	"fmt"
	"sort"
	"sync"

	"github.com/toklabs/tok"
)

// PreTokenizer cuts a text into the pieces the model encodes one at a
// time: it appends the byte spans of successive non-overlapping matches.
// pretokenize.Matcher satisfies it.
//
// A PreTokenizer that also implements [TilingPreTokenizer] (the built-in
// patterns of pretokenize do) is read a bounded batch of pieces at a time,
// so that encoding a long document never holds a span per piece.
type PreTokenizer interface {
	AppendMatches(dst []tok.Span, text []byte) []tok.Span
}

// TilingPreTokenizer is a [PreTokenizer] whose matches tile the text (no
// empty match, no gap). pretokenize.Tiler satisfies it.
type TilingPreTokenizer interface {
	PreTokenizer
	// AppendTiles appends the spans of at most max successive matches,
	// the first starting at from (0 or the end of an earlier match), and
	// returns the extended slice and the end of the last match appended.
	AppendTiles(dst []tok.Span, text []byte, from, max int) ([]tok.Span, int)
}

// TokenizerConfig is what a [Tokenizer] adds to a [Model].
type TokenizerConfig struct {
	// PreTokenizer splits text into pieces. Nil: the whole text (between
	// special tokens) is one piece. Bytes a PreTokenizer leaves out
	// between two matches are encoded as a piece of their own, so no
	// input byte is ever lost.
	PreTokenizer PreTokenizer

	// Special lists the special tokens: strings matched whole in the text
	// before pre-tokenization (when allowed) and decoded to their content.
	// Their ids may be inside or outside the model's id range.
	Special []tok.SpecialToken

	// MatchSpecial makes AppendEncode recognise every special token in the
	// text (HuggingFace's behaviour for added tokens). False: AppendEncode
	// is tiktoken's encode_ordinary and special-token strings are plain
	// text.
	MatchSpecial bool

	// Name is a label for messages, e.g. "cl100k_base".
	Name string
}

// Tokenizer is a [Model] with a pre-tokenizer and special tokens; it
// implements [tok.Tokenizer]. It is safe for concurrent use by multiple
// goroutines.
type Tokenizer struct {
	model        *Model
	pre          PreTokenizer
	tiler        TilingPreTokenizer // pre, when it tiles; else nil
	special      []tok.SpecialToken // by id
	specialByStr map[string]uint32
	specialByID  map[uint32]string
	isSpecial    []uint64 // bitset over ids
	// specialStart[b] lists the special tokens starting with byte b,
	// longest first.
	specialStart [256][]tok.SpecialToken
	matchSpecial bool
	vocabSize    int
	name         string
}

var _ tok.Tokenizer = (*Tokenizer)(nil)

// NewTokenizer combines a model with a pre-tokenizer and special tokens.
// A special token with empty content or an id or content used twice is an
// error.
func NewTokenizer(m *Model, c TokenizerConfig) (*Tokenizer, error) {
	t := &Tokenizer{
		model:        m,
		pre:          c.PreTokenizer,
		special:      append([]tok.SpecialToken(nil), c.Special...),
		specialByStr: make(map[string]uint32, len(c.Special)),
		specialByID:  make(map[uint32]string, len(c.Special)),
		matchSpecial: c.MatchSpecial,
		vocabSize:    m.VocabSize(),
		name:         c.Name,
	}
	t.tiler, _ = c.PreTokenizer.(TilingPreTokenizer)
	sort.Slice(t.special, func(i, j int) bool { return t.special[i].ID < t.special[j].ID })
	for _, s := range t.special {
		if s.Content == "" {
			return nil, fmt.Errorf("bpe: special token %d has empty content", s.ID)
		}
		if _, dup := t.specialByStr[s.Content]; dup {
			return nil, fmt.Errorf("bpe: special token %q listed twice", s.Content)
		}
		if other, dup := t.specialByID[s.ID]; dup {
			return nil, fmt.Errorf("bpe: special tokens %q and %q share id %d", other, s.Content, s.ID)
		}
		t.specialByStr[s.Content] = s.ID
		t.specialByID[s.ID] = s.Content
		t.specialStart[s.Content[0]] = append(t.specialStart[s.Content[0]], s)
		t.vocabSize = max(t.vocabSize, int(s.ID)+1)
	}
	t.isSpecial = make([]uint64, (t.vocabSize+63)/64)
	for _, s := range t.special {
		t.isSpecial[s.ID/64] |= 1 << (s.ID % 64)
	}
	for i := range t.specialStart {
		l := t.specialStart[i]
		sort.SliceStable(l, func(a, b int) bool { return len(l[a].Content) > len(l[b].Content) })
	}
	return t, nil
}

// Model returns the tokenizer's model.
func (t *Tokenizer) Model() *Model { return t.model }

// Name returns the label given in the config.
func (t *Tokenizer) Name() string { return t.name }

// SpecialSet selects special tokens by content; the zero value is the
// empty set.
type SpecialSet struct {
	all   bool
	names map[string]bool
}

// AllSpecial is the set of every special token of the tokenizer.
var AllSpecial = SpecialSet{all: true}

// NoSpecial is the empty set.
var NoSpecial = SpecialSet{}

// SpecialNames is the set of the named special tokens.
func SpecialNames(names ...string) SpecialSet {
	s := SpecialSet{names: make(map[string]bool, len(names))}
	for _, n := range names {
		s.names[n] = true
	}
	return s
}

// Contains reports whether the set holds the special token content.
func (s SpecialSet) Contains(content string) bool { return s.all || s.names[content] }

func (s SpecialSet) empty() bool { return !s.all && len(s.names) == 0 }

// DisallowedSpecialError is returned by [Tokenizer.AppendEncodeChecked]
// when the text holds a special-token string that is disallowed, as
// tiktoken's encode raises ValueError.
type DisallowedSpecialError struct {
	Token  string
	Offset int // byte offset in the text
}

func (e *DisallowedSpecialError) Error() string {
	return fmt.Sprintf("bpe: text holds the disallowed special token %q at byte %d (allow it, or encode it as ordinary text)", e.Token, e.Offset)
}

// ErrUnknownSpecial is returned when a SpecialSet names a token the
// tokenizer does not have.
var ErrUnknownSpecial = errors.New("bpe: unknown special token")

// AppendEncode appends the ids of text to dst. For a tokenizer built with
// MatchSpecial (GPT-2 vocab.json files, like HuggingFace) every special
// token string in text becomes its id; otherwise (.tiktoken files) it is
// [Tokenizer.AppendEncodeOrdinary], tiktoken's encode_ordinary.
func (t *Tokenizer) AppendEncode(dst []uint32, text []byte) []uint32 {
	if t.matchSpecial {
		return t.AppendEncodeSpecial(dst, text, AllSpecial)
	}
	return t.AppendEncodeOrdinary(dst, text)
}

var spanPool = sync.Pool{New: func() any { s := make([]tok.Span, 0, 256); return &s }}

// AppendEncodeOrdinary appends the ids of text, treating special-token
// strings as plain text (tiktoken's encode_ordinary).
func (t *Tokenizer) AppendEncodeOrdinary(dst []uint32, text []byte) []uint32 {
	if len(text) == 0 {
		return dst
	}
	if t.pre == nil {
		return t.model.AppendEncodePiece(dst, text)
	}
	if t.tiler != nil {
		return t.appendEncodeTiles(dst, text)
	}
	sp := spanPool.Get().(*[]tok.Span)
	spans := t.pre.AppendMatches((*sp)[:0], text)
	pos := 0
	for _, s := range spans {
		if s.Start > pos { // a gap the pattern did not cover
			dst = t.model.AppendEncodePiece(dst, text[pos:s.Start])
		}
		if s.End > s.Start {
			dst = t.model.AppendEncodePiece(dst, text[s.Start:s.End])
		}
		pos = max(pos, s.End)
	}
	if pos < len(text) {
		dst = t.model.AppendEncodePiece(dst, text[pos:])
	}
	if cap(spans) <= 1<<16 {
		*sp = spans[:0]
		spanPool.Put(sp)
	}
	return dst
}

// tileBatch is how many pieces appendEncodeTiles takes from the
// pre-tokenizer at a time.
const tileBatch = 256

// appendEncodeTiles is AppendEncodeOrdinary with a tiling pre-tokenizer: it
// encodes the pieces tileBatch at a time from one pooled buffer.
// Performance notes: asking for all the spans of a document at once
// re-grew the span slice on every book-sized document (the pool keeps
// only small ones); growslice was 22% of the CPU of the pipeline on
// en-large with cl100k (one profile, shared machine).
func (t *Tokenizer) appendEncodeTiles(dst []uint32, text []byte) []uint32 {
	sp := spanPool.Get().(*[]tok.Span)
	spans := (*sp)[:0]
	for p := 0; p < len(text); {
		spans, p = t.tiler.AppendTiles(spans[:0], text, p, tileBatch)
		for _, s := range spans {
			dst = t.model.AppendEncodePiece(dst, text[s.Start:s.End])
		}
	}
	*sp = spans[:0]
	spanPool.Put(sp)
	return dst
}

// AppendEncodeSpecial appends the ids of text, turning the special tokens
// in allowed into their ids and encoding every other string as ordinary
// text. Where several allowed specials start at the same byte, the longest
// wins.
func (t *Tokenizer) AppendEncodeSpecial(dst []uint32, text []byte, allowed SpecialSet) []uint32 {
	if allowed.empty() || len(t.special) == 0 {
		return t.AppendEncodeOrdinary(dst, text)
	}
	start := 0
	for i := 0; i < len(text); i++ {
		cands := t.specialStart[text[i]]
		if cands == nil {
			continue
		}
		for _, s := range cands {
			if len(text)-i >= len(s.Content) && string(text[i:i+len(s.Content)]) == s.Content && allowed.Contains(s.Content) {
				dst = t.AppendEncodeOrdinary(dst, text[start:i])
				dst = append(dst, s.ID)
				i += len(s.Content) - 1
				start = i + 1
				break
			}
		}
	}
	return t.AppendEncodeOrdinary(dst, text[start:])
}

// AppendEncodeChecked is tiktoken's encode(text, allowed_special,
// disallowed_special): special tokens in allowed become their ids; if the
// text holds a special-token string from disallowed it returns a
// *DisallowedSpecialError and dst unchanged. AllSpecial as disallowed
// means every special token not in allowed (tiktoken's default "all").
// Strings in neither set are ordinary text.
func (t *Tokenizer) AppendEncodeChecked(dst []uint32, text []byte, allowed, disallowed SpecialSet) ([]uint32, error) {
	for _, set := range []SpecialSet{allowed, disallowed} {
		for n := range set.names {
			if _, ok := t.specialByStr[n]; !ok {
				return dst, fmt.Errorf("%w %q", ErrUnknownSpecial, n)
			}
		}
	}
	if !disallowed.empty() {
		for i := 0; i < len(text); i++ {
			for _, s := range t.specialStart[text[i]] {
				if len(text)-i >= len(s.Content) && string(text[i:i+len(s.Content)]) == s.Content {
					bad := disallowed.names[s.Content] || (disallowed.all && !allowed.Contains(s.Content))
					if bad {
						return dst, &DisallowedSpecialError{Token: s.Content, Offset: i}
					}
				}
			}
		}
	}
	return t.AppendEncodeSpecial(dst, text, allowed), nil
}

// AppendDecode appends the bytes of ids to dst: special tokens decode to
// their content, other ids to their token bytes. An unknown id is an
// error; dst then holds the bytes of the ids before it.
func (t *Tokenizer) AppendDecode(dst []byte, ids []uint32) ([]byte, error) {
	if len(t.special) == 0 {
		return t.model.AppendDecode(dst, ids)
	}
	start := 0 // ids[start:i] are model ids, decoded in one call
	for i, id := range ids {
		if int(id/64) < len(t.isSpecial) && t.isSpecial[id/64]&(1<<(id%64)) != 0 {
			var err error
			if dst, err = t.decodeModel(dst, ids, start, i); err != nil {
				return dst, err
			}
			dst = append(dst, t.specialByID[id]...)
			start = i + 1
		}
	}
	return t.decodeModel(dst, ids, start, len(ids))
}

// decodeModel decodes ids[start:end] with the model, reporting a bad id
// at its position in ids.
func (t *Tokenizer) decodeModel(dst []byte, ids []uint32, start, end int) ([]byte, error) {
	for i, id := range ids[start:end] {
		if _, ok := t.model.Token(id); !ok {
			dst, _ = t.model.AppendDecode(dst, ids[start:start+i]) // all valid
			return dst, fmt.Errorf("bpe: id %d at position %d is not in the vocabulary", id, start+i)
		}
	}
	return t.model.AppendDecode(dst, ids[start:end])
}

// VocabSize is one more than the largest id of the model and the special
// tokens.
func (t *Tokenizer) VocabSize() int { return t.vocabSize }

// TokenToID returns the id of a special token or of a model token written
// as in its vocabulary file ([Model.IDByName]).
func (t *Tokenizer) TokenToID(token string) (uint32, bool) {
	if id, ok := t.specialByStr[token]; ok {
		return id, true
	}
	return t.model.IDByName(token)
}

// IDToToken returns a special token's content or the model token's name
// ([Model.TokenName]).
func (t *Tokenizer) IDToToken(id uint32) (string, bool) {
	if s, ok := t.specialByID[id]; ok {
		return s, true
	}
	return t.model.TokenName(id)
}

// SpecialTokens lists the special tokens in id order.
func (t *Tokenizer) SpecialTokens() []tok.SpecialToken {
	return append([]tok.SpecialToken(nil), t.special...)
}
