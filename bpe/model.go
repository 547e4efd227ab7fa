package bpe

import (
	"errors"
	"fmt"
	"math"
	"unicode/utf8"
)

// Model is byte-pair encoding over byte strings: it turns one pre-token
// (a piece of text the pre-tokenizer cut out) into token ids and ids back
// into bytes. Build one with [NewRankModel] (tiktoken semantics) or
// [NewMergesModel] (HuggingFace semantics).
//
// A Model is immutable after construction and safe for concurrent use by
// multiple goroutines; encoding keeps its scratch space on the stack or in
// the caller's buffers.
type Model struct {
	kind modelKind

	// tokens[id] holds the bytes of token id, nil for an unused id. For a
	// byte-level model these are the raw bytes the token stands for; for a
	// character-level model the UTF-8 of its vocabulary string.
	tokens [][]byte
	// names maps the vocabulary-file form of each token to its id; only
	// for merges models (rank models name tokens by their bytes).
	names map[string]uint32
	// whole maps token bytes to ids, for whole-piece hits and initial
	// symbols.
	whole map[string]uint32
	// wholeOK marks the ids that a whole-piece hit may emit; nil means
	// every id (rank models, ignore_merges).
	wholeOK []uint64
	// short is the whole-piece table for pieces of at most 16 bytes.
	short *wholeTable
	// pairs maps an adjacent pair of ids (left<<32 | right) to the merge it
	// triggers: priority<<32 | merged id. Lower priority merges first.
	pairs *pairTable

	byteLevel bool
	// bytePath: the initial symbols are exactly one id per byte (byte-level,
	// every byte a token, no prefix or suffix).
	bytePath bool
	// bytePairs[a<<8|b] is pairValue(byteIDs[a], byteIDs[b]) (bytePath
	// models only).
	bytePairs []uint64
	// byteIDs[b] is the id of the one-byte token b in a byte-level model
	// without prefix or suffix, -1 if absent.
	byteIDs [256]int32

	prefix, suffix string // continuing_subword_prefix, end_of_word_suffix, in token-bytes form
	unkID          int32  // -1: no unk token
	fuseUnk        bool
	byteFallback   bool
	fallbackIDs    [256]int32 // id of <0xNN>, -1 if absent
	fallbackByte   []int16    // id → byte of a <0xNN> token, -1 otherwise (byteFallback only)
	ignoreMerges   bool
}

type modelKind uint8

const (
	rankKind   modelKind = iota // tiktoken: lowest rank of the concatenation first
	mergesKind                  // HuggingFace: lowest merge index first
)

const noMerge = math.MaxUint64

// Errors returned by the constructors.
var (
	ErrNoTokens       = errors.New("bpe: empty vocabulary")
	ErrDropout        = errors.New("bpe: BPE-dropout is not supported (tok encodes deterministically); dropout must be null or 0")
	ErrMissingByte    = errors.New("bpe: a byte-level rank table must hold all 256 one-byte tokens")
	ErrUnknownUnk     = errors.New("bpe: unk_token is not in the vocabulary")
	ErrDuplicateToken = errors.New("bpe: duplicate token")
	ErrDuplicateID    = errors.New("bpe: duplicate id")
)

// TokenError reports a problem with one entry of a vocabulary or merges
// list passed to a constructor. File loaders turn it into a
// *tok.FormatError with the line number.
type TokenError struct {
	// Index is the position of the offending entry: the id (rank) for a
	// vocabulary entry, the 0-based merge index for a merge.
	Index int
	Token string // the token concerned, as written in the vocabulary
	Err   error
}

func (e *TokenError) Error() string {
	return fmt.Sprintf("bpe: entry %d (%q): %v", e.Index, e.Token, e.Err)
}

func (e *TokenError) Unwrap() error { return e.Err }

// MergeError reports a merge of a merges list that cannot be used.
type MergeError struct {
	Index       int    // 0-based position in the merges list
	Left, Right string // the merge as written
	Msg         string
}

func (e *MergeError) Error() string {
	return fmt.Sprintf("bpe: merge %d (%q %q): %s", e.Index, e.Left, e.Right, e.Msg)
}

// NewRankModel builds a model with tiktoken semantics from a rank table:
// tokens[r] holds the bytes of the token of rank r (its id), nil for an
// unused rank. Encoding a piece first looks the whole piece up (a hit is
// emitted directly, as tiktoken's encode_ordinary does); otherwise the
// piece starts as single bytes and, repeatedly, the adjacent pair whose
// concatenation has the lowest rank is merged (leftmost first on ties)
// until no concatenation is a token.
//
// Every one of the 256 single bytes must be a token (otherwise some input
// could not be encoded and tiktoken itself panics), and no two ranks may
// hold the same bytes; the errors are *TokenError wrapping
// [ErrMissingByte] or [ErrDuplicateToken].
func NewRankModel(tokens [][]byte) (*Model, error) {
	if len(tokens) == 0 {
		return nil, ErrNoTokens
	}
	m := &Model{
		kind:      rankKind,
		tokens:    tokens,
		byteLevel: true,
		unkID:     -1,
	}
	m.clearByteTables()
	// The whole map is built beside the tables, which need it only for
	// the splits with a part of over 16 bytes (see load_rank.go).
	keysDone := make(chan error, 1)
	go func() {
		m.whole = make(map[string]uint32, len(tokens))
		keysDone <- m.rankKeys(tokens)
	}()
	m.short = newRankWholeTable(tokens)
	pairs := newRankPairInserter(len(tokens))
	m.eachShortRankMerge(tokens, pairs.add)
	if err := <-keysDone; err != nil {
		return nil, err
	}
	for b, id := range m.byteIDs {
		if id < 0 {
			return nil, &TokenError{Index: -1, Token: string([]byte{byte(b)}), Err: ErrMissingByte}
		}
	}
	m.eachLongRankMerge(tokens, pairs.add)
	m.pairs = pairs.finish()
	m.bytePath = true
	m.fillBytePairs()
	return m, nil
}

// rankID is m.whole[string(t)] while a rank model is being built: from the
// whole-token table for up to 16 bytes (it holds every such token then),
// which is several times faster than the map with its string hashing
// (deriving cl100k's 233k merges makes 1.1M lookups).
func (m *Model) rankID(t []byte) (uint32, bool) {
	if len(t) <= wholeTableMax {
		return m.short.lookup(t)
	}
	id, ok := m.whole[string(t)]
	return id, ok
}

// fillBytePairs builds the dense table of the merges of two single bytes.
func (m *Model) fillBytePairs() {
	m.bytePairs = make([]uint64, 1<<16)
	for a := range 256 {
		for b := range 256 {
			m.bytePairs[a<<8|b] = m.pairValue(uint32(m.byteIDs[a]), uint32(m.byteIDs[b]))
		}
	}
}

func (m *Model) clearByteTables() {
	for i := range m.byteIDs {
		m.byteIDs[i] = -1
		m.fallbackIDs[i] = -1
	}
}

// ModelOption configures [NewMergesModel]. The zero configuration is
// HuggingFace's BPE defaults: character-level, no unk token, no byte
// fallback, no prefix or suffix, merges not ignored.
type ModelOption func(*mergesOptions) error

type mergesOptions struct {
	byteLevel    bool
	unk          string
	hasUnk       bool
	fuseUnk      bool
	byteFallback bool
	ignoreMerges bool
	prefix       string
	suffix       string
}

// WithByteLevel says the vocabulary is written in the GPT-2 byte alphabet
// (a tokenizer.json with a ByteLevel pre-tokenizer, GPT-2 vocab.json).
// Tokens are converted to the raw bytes they stand for and encoding starts
// from single raw bytes, so callers pass raw text, not its byte-alphabet
// form. Default false: tokens are UTF-8 strings and encoding starts from
// UTF-8 characters (an invalid byte counts as a one-byte character).
func WithByteLevel(on bool) ModelOption {
	return func(o *mergesOptions) error { o.byteLevel = on; return nil }
}

// WithUnkToken names the token emitted for a character that is not in the
// vocabulary (and has no byte fallback). Default: none, and such
// characters are dropped, as HuggingFace does.
func WithUnkToken(token string) ModelOption {
	return func(o *mergesOptions) error { o.unk, o.hasUnk = token, true; return nil }
}

// WithFuseUnk makes consecutive unknown characters one unk token. Default
// false.
func WithFuseUnk(on bool) ModelOption {
	return func(o *mergesOptions) error { o.fuseUnk = on; return nil }
}

// WithByteFallback encodes a character missing from the vocabulary as the
// tokens <0xNN> of its UTF-8 bytes (SentencePiece style) when all of them
// exist; decoding turns those tokens back into the bytes. Default false.
func WithByteFallback(on bool) ModelOption {
	return func(o *mergesOptions) error { o.byteFallback = on; return nil }
}

// WithIgnoreMerges emits a piece that is itself in the vocabulary as that
// token without running BPE (Llama 3). Default false.
func WithIgnoreMerges(on bool) ModelOption {
	return func(o *mergesOptions) error { o.ignoreMerges = on; return nil }
}

// WithContinuingSubwordPrefix sets the prefix of every initial symbol but
// the first of a piece (e.g. "##"); the merged token of (a, b) is then a
// followed by b without the prefix. Default "" (none).
func WithContinuingSubwordPrefix(prefix string) ModelOption {
	return func(o *mergesOptions) error { o.prefix = prefix; return nil }
}

// WithEndOfWordSuffix sets the suffix of the last initial symbol of a
// piece (e.g. "</w>"). Default "" (none).
func WithEndOfWordSuffix(suffix string) ModelOption {
	return func(o *mergesOptions) error { o.suffix = suffix; return nil }
}

// WithDropout accepts a tokenizer.json dropout value. Only 0 (no dropout)
// is accepted; BPE-dropout is rejected with [ErrDropout] because tok's
// encoders are deterministic. Callers should pass nothing for a null
// dropout.
func WithDropout(p float64) ModelOption {
	return func(o *mergesOptions) error {
		if p != 0 {
			return fmt.Errorf("%w (got %v)", ErrDropout, p)
		}
		return nil
	}
}

// NewMergesModel builds a model with HuggingFace BPE semantics (the BPE
// model of tokenizer.json, and vocab.json + merges.txt). vocab maps tokens
// as written in the file to ids; merges lists token pairs by priority, the
// first merging first. Merge i of (a, b) turns the adjacent symbols a, b
// into the token a+b (with b's continuing-subword prefix removed); a piece
// starts as characters (or bytes, [WithByteLevel]) and the adjacent pair
// with the lowest merge index is merged, leftmost first on ties, until no
// pair has a merge. A piece that is a single token is emitted directly
// only when that is what BPE would produce anyway, or always with
// [WithIgnoreMerges].
//
// Errors: a merge naming a token missing from the vocabulary, or whose
// result is missing, is a *MergeError; two tokens with the same id a
// *TokenError wrapping [ErrDuplicateID]. When a pair is listed twice the
// later entry wins, as in HuggingFace. The model keeps vocab (for
// [Model.IDByName]); the caller must not modify it afterwards.
func NewMergesModel(vocab map[string]uint32, merges [][2]string, opts ...ModelOption) (*Model, error) {
	var o mergesOptions
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			return nil, err
		}
	}
	if len(vocab) == 0 {
		return nil, ErrNoTokens
	}
	maxID := uint32(0)
	for _, id := range vocab {
		maxID = max(maxID, id)
	}
	if int64(maxID) >= int64(math.MaxInt32) {
		return nil, &TokenError{Index: int(maxID), Err: errors.New("id too large")}
	}
	m := &Model{
		kind:         mergesKind,
		tokens:       make([][]byte, int(maxID)+1),
		names:        vocab,
		whole:        make(map[string]uint32, len(vocab)),
		byteLevel:    o.byteLevel,
		unkID:        -1,
		fuseUnk:      o.fuseUnk,
		byteFallback: o.byteFallback,
		ignoreMerges: o.ignoreMerges,
	}
	m.clearByteTables()
	inWhole, err := m.mergesTokens(vocab, o.byteLevel)
	if err != nil {
		return nil, err
	}
	toBytes := func(s string) ([]byte, bool) {
		if o.byteLevel {
			return ByteLevelDecode(s)
		}
		return []byte(s), true
	}
	if o.byteLevel {
		var ok bool
		pb, ok1 := toBytes(o.prefix)
		sb, ok2 := toBytes(o.suffix)
		ok = ok1 && ok2
		if !ok {
			return nil, errors.New("bpe: continuing_subword_prefix or end_of_word_suffix is not in the byte alphabet")
		}
		m.prefix, m.suffix = string(pb), string(sb)
	} else {
		m.prefix, m.suffix = o.prefix, o.suffix
	}
	if m.prefix == "" && m.suffix == "" {
		for b := 0; b < 256; b++ {
			if id, ok := m.whole[string([]byte{byte(b)})]; ok {
				m.byteIDs[b] = int32(id)
			}
		}
		m.bytePath = o.byteLevel && m.allBytes()
	}
	if o.hasUnk {
		id, ok := vocab[o.unk]
		if !ok {
			return nil, fmt.Errorf("%w: %q", ErrUnknownUnk, o.unk)
		}
		m.unkID = int32(id)
	}
	if o.byteFallback {
		m.fallbackByte = make([]int16, len(m.tokens))
		for i := range m.fallbackByte {
			m.fallbackByte[i] = -1
		}
		for b := 0; b < 256; b++ {
			if id, ok := vocab[fmt.Sprintf("<0x%02X>", b)]; ok {
				m.fallbackIDs[b] = int32(id)
				m.fallbackByte[id] = int16(b)
			}
		}
	}
	m.pairs = newPairTable(len(merges))
	var merged []byte
	for i, mg := range merges {
		a, okA := vocab[mg[0]]
		b, okB := vocab[mg[1]]
		if !okA || !okB {
			missing := mg[0]
			if okA {
				missing = mg[1]
			}
			return nil, &MergeError{Index: i, Left: mg[0], Right: mg[1], Msg: fmt.Sprintf("token %q is not in the vocabulary", missing)}
		}
		right := mg[1]
		if o.prefix != "" && len(right) >= len(o.prefix) && right[:len(o.prefix)] == o.prefix {
			right = right[len(o.prefix):]
		}
		merged = append(append(merged[:0], mg[0]...), right...)
		c, ok := vocab[string(merged)]
		if !ok {
			return nil, &MergeError{Index: i, Left: mg[0], Right: mg[1], Msg: fmt.Sprintf("merged token %q is not in the vocabulary", merged)}
		}
		m.pairs.set(uint64(a)<<32|uint64(b), uint64(i)<<32|uint64(c))
	}
	if m.bytePath {
		m.fillBytePairs()
	}
	if !o.ignoreMerges {
		if inWhole != nil {
			m.computeWholeOKFrom(inWhole)
		} else {
			m.computeWholeOK()
		}
	}
	if inWhole != nil {
		m.short = newMergesWholeTable(m, inWhole)
	} else {
		m.short = newWholeTable(m)
	}
	return m, nil
}

// computeWholeOK marks the tokens that BPE produces whole from their own
// bytes, so that a whole-piece hit on them can skip BPE without changing
// the result. HuggingFace vocabularies may hold tokens that merges never
// reach; a piece equal to one of those must still go through BPE.
func (m *Model) computeWholeOK() {
	m.wholeOK = make([]uint64, (len(m.tokens)+63)/64)
	var buf []uint32
	for s, id := range m.whole {
		buf = m.encodeSlow(buf[:0], []byte(s))
		if len(buf) == 1 && buf[0] == id {
			m.wholeOK[id/64] |= 1 << (id % 64)
		}
	}
}

// VocabSize is one more than the largest id of the model.
func (m *Model) VocabSize() int { return len(m.tokens) }

// ByteLevel reports whether the model's tokens are raw bytes (rank models,
// merges models built [WithByteLevel]).
func (m *Model) ByteLevel() bool { return m.byteLevel }

// Token returns the bytes of token id: raw bytes for a byte-level model,
// the UTF-8 of the vocabulary string otherwise. The slice must not be
// modified.
func (m *Model) Token(id uint32) ([]byte, bool) {
	if int(id) >= len(m.tokens) || m.tokens[id] == nil {
		return nil, false
	}
	return m.tokens[id], true
}

// TokenName returns token id as written in its vocabulary file: the GPT-2
// byte alphabet for a byte-level merges model, the vocabulary string for a
// character-level one, the raw bytes (possibly invalid UTF-8) for a rank
// model.
func (m *Model) TokenName(id uint32) (string, bool) {
	t, ok := m.Token(id)
	if !ok {
		return "", false
	}
	if m.kind == mergesKind && m.byteLevel {
		if _, known := m.whole[string(t)]; known {
			return ByteLevelEncode(t), true
		}
	}
	return string(t), true
}

// ID returns the id of the token with the given bytes (see [Model.Token]).
func (m *Model) ID(token []byte) (uint32, bool) {
	id, ok := m.whole[string(token)]
	return id, ok
}

// IDByName returns the id of a token written as in its vocabulary file
// (see [Model.TokenName]).
func (m *Model) IDByName(name string) (uint32, bool) {
	if m.names != nil {
		id, ok := m.names[name]
		return id, ok
	}
	id, ok := m.whole[name]
	return id, ok
}

// AppendDecode appends the bytes of ids to dst. Byte-fallback tokens
// <0xNN> decode to the byte NN. An id that is not in the model is an
// error; dst holds the bytes of the ids before it.
func (m *Model) AppendDecode(dst []byte, ids []uint32) ([]byte, error) {
	for i, id := range ids {
		if int(id) >= len(m.tokens) || m.tokens[id] == nil {
			return dst, fmt.Errorf("bpe: id %d at position %d is not in the vocabulary", id, i)
		}
		if m.fallbackByte != nil && m.fallbackByte[id] >= 0 {
			dst = append(dst, byte(m.fallbackByte[id]))
			continue
		}
		dst = append(dst, m.tokens[id]...)
	}
	return dst, nil
}

// validRuneLen is the length of the UTF-8 character at the start of p, 1
// for an invalid byte.
func validRuneLen(p []byte) int {
	if p[0] < utf8.RuneSelf {
		return 1
	}
	_, n := utf8.DecodeRune(p)
	return n
}
