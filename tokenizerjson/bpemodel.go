package tokenizerjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/toklabs/tok"
	"github.com/toklabs/tok/bpe"
)

func init() {
	RegisterModel("BPE", parseBPE)
}

// bpeJSON is the "model" object of a BPE tokenizer.json.
type bpeJSON struct {
	Type                    string            `json:"type"`
	Dropout                 *float64          `json:"dropout"`
	UnkToken                *string           `json:"unk_token"`
	ContinuingSubwordPrefix *string           `json:"continuing_subword_prefix"`
	EndOfWordSuffix         *string           `json:"end_of_word_suffix"`
	FuseUnk                 bool              `json:"fuse_unk"`
	ByteFallback            bool              `json:"byte_fallback"`
	IgnoreMerges            bool              `json:"ignore_merges"`
	Vocab                   map[string]uint32 `json:"vocab"`
	Merges                  mergeList         `json:"merges"`
}

// mergeList reads both spellings of "merges": [["a","b"],...] and the
// legacy ["a b",...].
type mergeList struct {
	pairs  [][2]string
	legacy bool
	bad    int // 1-based index of a legacy entry without exactly one space
}

// UnmarshalJSON implements json.Unmarshaler.
func (m *mergeList) UnmarshalJSON(data []byte) error {
	s := bytes.TrimLeft(data, " \t\r\n")
	if len(s) == 0 || s[0] != '[' {
		if string(bytes.TrimSpace(data)) == "null" {
			return nil
		}
		return fmt.Errorf("%w: merges is not a list", ErrBadValue)
	}
	rest := bytes.TrimLeft(s[1:], " \t\r\n")
	if len(rest) > 0 && rest[0] == '"' {
		var lines []string
		if err := json.Unmarshal(data, &lines); err != nil {
			return err
		}
		m.legacy = true
		m.pairs = make([][2]string, len(lines))
		for i, l := range lines {
			a, b, ok := strings.Cut(l, " ")
			if !ok || strings.Contains(b, " ") {
				if m.bad == 0 {
					m.bad = i + 1
				}
				continue
			}
			m.pairs[i] = [2]string{a, b}
		}
		return nil
	}
	return json.Unmarshal(data, &m.pairs)
}

// bpeModel adapts *bpe.Model to Model.
type bpeModel struct {
	*bpe.Model
	spec bpeJSON // for writing back (vocab and merges included)
}

func parseBPE(raw json.RawMessage, ctx ModelContext) (Model, error) {
	v, ok := fastBPE(raw)
	if !ok {
		v = bpeJSON{}
		if err := json.Unmarshal(raw, &v); err != nil {
			return nil, err
		}
	}
	if v.Merges.bad > 0 {
		return nil, fmt.Errorf("%w: %s.merges[%d]: a merge must be two tokens separated by one space", ErrBadValue, ctx.Path, v.Merges.bad-1)
	}
	if v.Dropout != nil && (*v.Dropout < 0 || *v.Dropout > 1) {
		return nil, fmt.Errorf("%w: %s.dropout %v is not in [0, 1]", ErrBadValue, ctx.Path, *v.Dropout)
	}
	// Ids index dense tables: refuse a file whose ids are far sparser than
	// any real vocabulary instead of allocating gigabytes for it.
	maxID := uint32(0)
	for _, id := range v.Vocab {
		maxID = max(maxID, id)
	}
	if limit := uint64(4*len(v.Vocab) + 1<<16); uint64(maxID) >= limit {
		return nil, fmt.Errorf("%w: %s.vocab: id %d is far beyond its %d entries", ErrBadValue, ctx.Path, maxID, len(v.Vocab))
	}
	opts := []bpe.ModelOption{
		bpe.WithByteLevel(ctx.ByteLevel),
		bpe.WithFuseUnk(v.FuseUnk),
		bpe.WithByteFallback(v.ByteFallback),
		bpe.WithIgnoreMerges(v.IgnoreMerges),
	}
	if v.UnkToken != nil {
		if _, ok := v.Vocab[*v.UnkToken]; ok {
			opts = append(opts, bpe.WithUnkToken(*v.UnkToken))
		}
	}
	if v.ContinuingSubwordPrefix != nil {
		opts = append(opts, bpe.WithContinuingSubwordPrefix(*v.ContinuingSubwordPrefix))
	}
	if v.EndOfWordSuffix != nil {
		opts = append(opts, bpe.WithEndOfWordSuffix(*v.EndOfWordSuffix))
	}
	m, err := bpe.NewMergesModel(v.Vocab, v.Merges.pairs, opts...)
	if err != nil {
		var me *bpe.MergeError
		if errors.As(err, &me) {
			return nil, fmt.Errorf("%s.merges[%d]: %w", ctx.Path, me.Index, err)
		}
		var te *bpe.TokenError
		if errors.As(err, &te) {
			return nil, fmt.Errorf("%s.vocab: %w", ctx.Path, err)
		}
		return nil, fmt.Errorf("%s: %w", ctx.Path, err)
	}
	return &bpeModel{Model: m, spec: v}, nil
}

// VocabLen is the number of vocabulary entries (HF's get_vocab_size).
func (m *bpeModel) VocabLen() int { return len(m.spec.Vocab) }

func (m *bpeModel) TokenToID(token string) (uint32, bool) { return m.IDByName(token) }
func (m *bpeModel) IDToToken(id uint32) (string, bool)    { return m.TokenName(id) }

// AppendEncodePieceSpans implements SpanModel: token spans follow from
// the length of each token's bytes (exact for byte-level models; for
// character-level ones the continuing-subword prefix and end-of-word
// suffix are not counted, and an unknown or byte-fallback token takes what
// is left of its character).
func (m *bpeModel) AppendEncodePieceSpans(ids []uint32, spans []tok.Span, piece []byte) ([]uint32, []tok.Span) {
	n := len(ids)
	ids = m.AppendEncodePiece(ids, piece)
	pos := 0
	prefix, suffix := "", ""
	if m.spec.ContinuingSubwordPrefix != nil {
		prefix = *m.spec.ContinuingSubwordPrefix
	}
	if m.spec.EndOfWordSuffix != nil {
		suffix = *m.spec.EndOfWordSuffix
	}
	for i, id := range ids[n:] {
		b, _ := m.Token(id)
		l := len(b)
		if !m.ByteLevel() {
			s := string(b)
			if i > 0 {
				s = strings.TrimPrefix(s, prefix)
			}
			s = strings.TrimSuffix(s, suffix)
			l = len(s)
			if !bytes.HasPrefix(piece[pos:], []byte(s)) {
				l = 1 // unk or byte fallback: at least one byte
			}
		}
		end := min(pos+l, len(piece))
		if i == len(ids[n:])-1 {
			end = len(piece)
		}
		spans = append(spans, tok.Span{Start: pos, End: end})
		pos = end
	}
	return ids, spans
}

// MarshalJSON writes the model object back.
func (m *bpeModel) MarshalJSON() ([]byte, error) {
	return marshalBPE(m.spec)
}
