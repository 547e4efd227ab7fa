package tokenizerjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"sync"

	"github.com/toklabs/tok"
	"github.com/toklabs/tok/normalize"
)

// ErrUnknownID is returned by AppendDecode for an id that is neither in
// the model nor an added token.
var ErrUnknownID = errors.New("tokenizerjson: unknown token id")

// Tokenizer is a tokenizer.json pipeline. It implements [tok.Tokenizer]
// and is safe for concurrent use by multiple goroutines.
type Tokenizer struct {
	name       string
	normalizer normalize.Normalizer
	pre        *preTokenizer
	model      Model
	spanModel  SpanModel // model as a SpanModel, or nil
	spell      bool      // spell pieces in GPT-2's alphabet before the model
	wordSplit  []byte    // cut pieces before this marker (see bpeWordSplit)
	general    bool      // tests: Encode takes the general path only (the fast paths' reference)
	post       postProcessor
	truncation *Truncation
	padding    *Padding
	decoder    decoder
	added      *addedVocab
	vocabSize  int

	raw fileJSON // the components as read, for WriteTo

	scratch sync.Pool
}

var _ tok.Tokenizer = (*Tokenizer)(nil)

// build assembles the pipeline of a decoded file.
func build(f *fileJSON, data []byte, file string) (*Tokenizer, error) {
	if f.Version != "" && f.Version != "1.0" {
		return nil, pathError(file, "version", fmt.Errorf("%w: %q (want \"1.0\")", ErrVersion, f.Version))
	}
	t := &Tokenizer{name: filepath.Base(file), raw: *f}
	var ninfo normalizerInfo
	var err error
	if t.normalizer, err = parseNormalizer(f.Normalizer, "normalizer", &ninfo); err != nil {
		return nil, componentError(file, "normalizer", err)
	}
	if t.pre, err = parsePreTokenizer(f.PreTokenizer, "pre_tokenizer"); err != nil {
		return nil, componentError(file, "pre_tokenizer", err)
	}
	if t.post, err = parsePostProcessor(f.PostProcessor, "post_processor"); err != nil {
		return nil, componentError(file, "post_processor", err)
	}
	if t.decoder, err = parseDecoder(f.Decoder, "decoder"); err != nil {
		return nil, componentError(file, "decoder", err)
	}
	if t.truncation, err = parseTruncation(f.Truncation); err != nil {
		return nil, componentError(file, "truncation", err)
	}
	if t.padding, err = parsePadding(f.Padding); err != nil {
		return nil, componentError(file, "padding", err)
	}
	model := json.RawMessage(f.Model)
	if isNull(model) {
		return nil, pathError(file, "model", ErrNoModel)
	}
	typ, err := typeOf(model)
	if err != nil {
		return nil, componentError(file, "model", err)
	}
	if typ == "" {
		// Old files omit the model type; HF then guesses from the fields.
		typ = guessModelType(model)
	}
	parse, ok := lookupModel(typ)
	if !ok {
		return nil, pathError(file, "model", unknownType("model", typ, ModelTypes()))
	}
	byteLevel := t.pre != nil && t.pre.byteLevel && !ninfo.byteLevel
	t.model, err = parse(model, ModelContext{File: file, Path: "model", ByteLevel: byteLevel, AddedTokens: f.AddedTokens})
	if err != nil {
		return nil, componentError(file, "model", err)
	}
	if byteLevel {
		bl, ok := t.model.(ByteLevelModel)
		t.spell = !ok || !bl.ByteLevel()
	}
	t.added = newAddedVocab(f.AddedTokens, t.normalizer, t.model)
	t.spanModel, _ = t.model.(SpanModel)
	t.wordSplit = bpeWordSplit(t)
	t.raw.Model = nil // it points into the caller's data
	t.vocabSize = max(t.model.VocabSize(), int(t.added.maxID+1))
	return t, nil
}

// guessModelType names the model of an object without "type" as HF's
// untagged deserializer would find it.
func guessModelType(raw json.RawMessage) string {
	var v map[string]json.RawMessage
	if json.Unmarshal(raw, &v) != nil {
		return ""
	}
	switch {
	case v["merges"] != nil:
		return "BPE"
	case v["max_input_chars_per_word"] != nil:
		return "WordPiece"
	case v["unk_id"] != nil:
		return "Unigram"
	}
	return "WordLevel"
}

// Name is the base name of the file the tokenizer was read from.
func (t *Tokenizer) Name() string { return t.name }

// Model returns the model stage.
func (t *Tokenizer) Model() Model { return t.model }

// AddedTokens returns the added tokens in id order.
func (t *Tokenizer) AddedTokens() []AddedToken { return t.added.sortedByID() }

// VocabSize implements tok.Tokenizer: one more than the largest id of the
// model or of an added token.
func (t *Tokenizer) VocabSize() int { return t.vocabSize }

// TokenToID implements tok.Tokenizer; added tokens come first, as in HF.
func (t *Tokenizer) TokenToID(token string) (uint32, bool) {
	if id, ok := t.added.byContent[token]; ok {
		return id, true
	}
	return t.model.TokenToID(token)
}

// IDToToken implements tok.Tokenizer; added tokens come first, as in HF.
func (t *Tokenizer) IDToToken(id uint32) (string, bool) {
	if a, ok := t.added.byID[id]; ok {
		return a.Content, true
	}
	return t.model.IDToToken(id)
}

// SpecialTokens implements tok.Tokenizer: every added token (all of them
// are matched whole in the text), in id order.
func (t *Tokenizer) SpecialTokens() []tok.SpecialToken {
	var out []tok.SpecialToken
	for _, a := range t.added.sortedByID() {
		out = append(out, tok.SpecialToken{Content: a.Content, ID: a.ID})
	}
	return out
}

// scratch holds per-call buffers.
type scratch struct {
	raw, norm []addedMatch
	normText  []byte
	spans     []tok.Span
	spell     []byte
	meta      []byte     // encodeMetaspace's rewritten text
	words     []tok.Span // encodeWords' cuts
	cache     pieceCache
}

func (t *Tokenizer) getScratch() *scratch {
	if s, ok := t.scratch.Get().(*scratch); ok {
		return s
	}
	return &scratch{}
}

// AppendEncode implements tok.Tokenizer: it appends the ids of text
// without post-processor special tokens (HF's add_special_tokens=false).
// Added tokens in the text are matched, as HF always does.
func (t *Tokenizer) AppendEncode(dst []uint32, text []byte) []uint32 {
	sc := t.getScratch()
	defer t.scratch.Put(sc)
	sc.raw = t.added.raw.appendMatches(sc.raw[:0], text)
	prev := 0
	for _, m := range sc.raw {
		if m.start > prev {
			dst = t.encodeSection(dst, text[prev:m.start], prev == 0, sc)
		}
		dst = append(dst, t.added.raw.tokens[m.token].ID)
		prev = max(prev, m.end)
	}
	if prev < len(text) {
		dst = t.encodeSection(dst, text[prev:], prev == 0, sc)
	}
	return dst
}

// encodeSection encodes text between two raw added tokens: normalize,
// match normalized added tokens, pre-tokenize, model.
func (t *Tokenizer) encodeSection(dst []uint32, sec []byte, first bool, sc *scratch) []uint32 {
	text := sec
	if t.normalizer != nil {
		sc.normText = t.normalizer.Normalize(sc.normText[:0], sec)
		text = sc.normText
	}
	if t.added.normalized.empty {
		return t.encodeNormalized(dst, text, first, sc)
	}
	sc.norm = t.added.normalized.appendMatches(sc.norm[:0], text)
	if len(sc.norm) == 0 {
		return t.encodeNormalized(dst, text, first, sc)
	}
	// The matches live in sc.norm, which encodeNormalized does not touch.
	matches := append([]addedMatch(nil), sc.norm...)
	prev := 0
	for _, m := range matches {
		if m.start > prev {
			dst = t.encodeNormalized(dst, text[prev:m.start], first && prev == 0, sc)
		}
		dst = append(dst, t.added.normalized.tokens[m.token].ID)
		prev = max(prev, m.end)
	}
	if prev < len(text) {
		dst = t.encodeNormalized(dst, text[prev:], first && prev == 0, sc)
	}
	return dst
}

// encodeNormalized pre-tokenizes normalized text and runs the model on
// every piece.
func (t *Tokenizer) encodeNormalized(dst []uint32, text []byte, first bool, sc *scratch) []uint32 {
	if len(text) == 0 {
		return dst
	}
	p := t.pre
	switch {
	case p == nil && t.wordSplit != nil:
		return t.encodeWords(dst, text, sc)
	case p == nil:
		return t.encodePiece(dst, text, sc)
	case p.matcher != nil:
		// Fast path: one regex Split (the GPT-2/cl100k/o200k files).
		spans := p.matcher.AppendMatches(sc.spans[:0], text)
		prev := 0
		for _, sp := range spans {
			if p.keepGaps && sp.Start > prev {
				dst = t.encodePiece(dst, text[prev:sp.Start], sc)
			}
			if sp.End > sp.Start {
				dst = t.encodePiece(dst, text[sp.Start:sp.End], sc)
			}
			prev = sp.End
		}
		if p.keepGaps && prev < len(text) {
			dst = t.encodePiece(dst, text[prev:], sc)
		}
		sc.spans = spans
		return dst
	case p.meta != nil:
		return t.encodeMetaspace(dst, text, first, sc)
	case p.pure != nil:
		spans := p.pure(sc.spans[:0], text, tok.Span{Start: 0, End: len(text)})
		for _, sp := range spans {
			if sp.End > sp.Start {
				dst = t.encodePiece(dst, text[sp.Start:sp.End], sc)
			}
		}
		sc.spans = spans
		return dst
	}
	return t.encodeSlow(dst, text, first, sc)
}

// encodeSlow is the general path for pre-tokenizers that rewrite text
// (Metaspace, ByteLevel with add_prefix_space, ByteLevel before other
// steps): pieces are copies with their own alignment.
func (t *Tokenizer) encodeSlow(dst []uint32, text []byte, first bool, sc *scratch) []uint32 {
	for _, pc := range t.pre.applySlow(text, first) {
		dst = t.encodePiece(dst, pc.text, sc)
	}
	return dst
}

// encodeMetaspace is the fast path of a Metaspace pre-tokenizer after
// split-only steps (what applySlow does for it, without alignment): the
// split steps give subslices of text, and for each one pass writes the
// text with spaces replaced; the pieces are subslices of that, each
// starting at a replacement character.
func (t *Tokenizer) encodeMetaspace(dst []uint32, text []byte, first bool, sc *scratch) []uint32 {
	m := t.pre.meta
	if m.pre == nil {
		return t.encodeMetaspaceWord(dst, text, first, sc)
	}
	spans := m.pre(sc.spans[:0], text, tok.Span{Start: 0, End: len(text)})
	for _, sp := range spans {
		if sp.End > sp.Start {
			dst = t.encodeMetaspaceWord(dst, text[sp.Start:sp.End], first && sp.Start == 0, sc)
		}
	}
	sc.spans = spans
	return dst
}

// encodeMetaspaceWord is encodeMetaspace on one piece of the split steps.
func (t *Tokenizer) encodeMetaspaceWord(dst []uint32, text []byte, first bool, sc *scratch) []uint32 {
	m := t.pre.meta
	prepend := m.always || (m.first && first)
	buf := appendMetaspace(sc.meta[:0], text, m.rep, prepend)
	sc.meta = buf
	if !m.split {
		if t.wordSplit != nil && bytes.Equal(t.wordSplit, m.rep) {
			return t.encodeWords(dst, buf, sc)
		}
		return t.model.AppendEncodePiece(dst, buf)
	}
	start := 0
	for off := 0; off < len(buf); {
		i := bytes.Index(buf[off:], m.rep)
		if i < 0 {
			break
		}
		if i += off; i > start {
			dst = t.appendEncodeCached(dst, buf[start:i], sc)
			start = i
		}
		off = i + len(m.rep)
	}
	if start < len(buf) {
		dst = t.appendEncodeCached(dst, buf[start:], sc)
	}
	return dst
}

// appendMetaspace appends text with every space replaced by rep, after
// one rep when prepend is set and text is not empty and does not start
// with rep or a space (HF's Metaspace).
func appendMetaspace(dst, text, rep []byte, prepend bool) []byte {
	if prepend && len(text) > 0 && text[0] != ' ' && !bytes.HasPrefix(text, rep) {
		dst = append(dst, rep...)
	}
	for {
		i := bytes.IndexByte(text, ' ')
		if i < 0 {
			return append(dst, text...)
		}
		dst = append(append(dst, text[:i]...), rep...)
		text = text[i+1:]
	}
}

func (t *Tokenizer) encodePiece(dst []uint32, piece []byte, sc *scratch) []uint32 {
	if t.spell {
		sc.spell = normalize.AppendByteLevel(sc.spell[:0], piece)
		piece = sc.spell
	}
	return t.model.AppendEncodePiece(dst, piece)
}

// AppendDecode implements tok.Tokenizer: the tokens of ids (added tokens
// as their content) go through the decoder, and the result is appended to
// dst. With a byte-level vocabulary the bytes are exact: invalid UTF-8
// round-trips. Without a decoder, tokens are joined with spaces, as HF
// does. An unknown id is an error wrapping ErrUnknownID.
func (t *Tokenizer) AppendDecode(dst []byte, ids []uint32) ([]byte, error) {
	return t.AppendDecodeWith(dst, ids, DecodeOptions{})
}

// DecodeOptions are the options of [Tokenizer.AppendDecodeWith].
type DecodeOptions struct {
	// SkipSpecialTokens leaves out every token whose text is the content
	// of an added token marked special (HF's skip_special_tokens).
	SkipSpecialTokens bool

	// IgnoreUnknownIDs drops ids that are neither in the model nor added
	// tokens, as HF's decode does, instead of failing.
	IgnoreUnknownIDs bool
}

// AppendDecodeWith is AppendDecode with options.
func (t *Tokenizer) AppendDecodeWith(dst []byte, ids []uint32, opts DecodeOptions) ([]byte, error) {
	if opts.SkipSpecialTokens || opts.IgnoreUnknownIDs {
		kept := make([]uint32, 0, len(ids))
		for _, id := range ids {
			s, ok := t.IDToToken(id)
			if !ok && opts.IgnoreUnknownIDs {
				continue
			}
			if ok && opts.SkipSpecialTokens && t.added.special[s] {
				continue
			}
			kept = append(kept, id)
		}
		ids = kept
	}
	if _, ok := t.decoder.(byteLevelDecoder); ok && !t.spell {
		if bm, ok := t.model.(*bpeModel); ok && bm.ByteLevel() {
			// Fast path: raw token bytes.
			for _, id := range ids {
				if a, ok := t.added.byID[id]; ok {
					dst = append(dst, a.Content...)
					continue
				}
				b, ok := bm.Token(id)
				if !ok {
					return dst, fmt.Errorf("%w: %d", ErrUnknownID, id)
				}
				dst = append(dst, b...)
			}
			return dst, nil
		}
	}
	toks := make([]decToken, 0, len(ids))
	for _, id := range ids {
		if a, ok := t.added.byID[id]; ok {
			toks = append(toks, decToken{text: []byte(a.Content), added: true})
			continue
		}
		s, ok := t.model.IDToToken(id)
		if !ok {
			return dst, fmt.Errorf("%w: %d", ErrUnknownID, id)
		}
		toks = append(toks, decToken{text: []byte(s)})
	}
	if t.decoder == nil {
		for i, tk := range toks {
			if i > 0 {
				dst = append(dst, ' ')
			}
			dst = append(dst, tk.text...)
		}
		return dst, nil
	}
	for _, tk := range t.decoder.decodeChain(toks) {
		dst = append(dst, tk.text...)
	}
	return dst, nil
}

// sortAdded orders added tokens by id.
func sortAdded(a []AddedToken) {
	sort.Slice(a, func(i, j int) bool { return a[i].ID < a[j].ID })
}
