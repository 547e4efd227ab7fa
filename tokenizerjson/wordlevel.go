package tokenizerjson

import (
	"encoding/json"
	"fmt"
)

func init() {
	RegisterModel("WordLevel", parseWordLevel)
}

// wordLevel is HF's WordLevel model: each pre-token is looked up whole;
// a missing one becomes unk_token (or nothing if it is not in the vocab).
type wordLevel struct {
	vocab map[string]uint32
	names []string // by id
	unk   int64    // -1: none
	spec  json.RawMessage
}

func parseWordLevel(raw json.RawMessage, ctx ModelContext) (Model, error) {
	var v struct {
		Vocab    map[string]uint32 `json:"vocab"`
		UnkToken string            `json:"unk_token"`
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, err
	}
	m := &wordLevel{vocab: v.Vocab, unk: -1, spec: append(json.RawMessage(nil), raw...)}
	maxID := int64(-1)
	for _, id := range v.Vocab {
		maxID = max(maxID, int64(id))
	}
	if maxID >= int64(4*len(v.Vocab)+1<<16) {
		return nil, fmt.Errorf("%w: %s.vocab: id %d is far beyond its %d entries", ErrBadValue, ctx.Path, maxID, len(v.Vocab))
	}
	m.names = make([]string, maxID+1)
	seen := make([]bool, maxID+1)
	for tok, id := range v.Vocab {
		if seen[id] {
			return nil, fmt.Errorf("%w: %s.vocab: id %d is used twice (%q, %q)", ErrBadValue, ctx.Path, id, m.names[id], tok)
		}
		seen[id] = true
		m.names[id] = tok
	}
	if id, ok := v.Vocab[v.UnkToken]; ok {
		m.unk = int64(id)
	}
	return m, nil
}

func (m *wordLevel) AppendEncodePiece(dst []uint32, piece []byte) []uint32 {
	if id, ok := m.vocab[string(piece)]; ok {
		return append(dst, id)
	}
	if m.unk >= 0 {
		return append(dst, uint32(m.unk))
	}
	return dst
}

func (m *wordLevel) TokenToID(token string) (uint32, bool) {
	id, ok := m.vocab[token]
	return id, ok
}

func (m *wordLevel) IDToToken(id uint32) (string, bool) {
	if int64(id) >= int64(len(m.names)) {
		return "", false
	}
	if _, ok := m.vocab[m.names[id]]; !ok || m.vocab[m.names[id]] != id {
		return "", false
	}
	return m.names[id], true
}

func (m *wordLevel) VocabSize() int { return len(m.names) }

// VocabLen is the number of vocabulary entries (HF's get_vocab_size).
func (m *wordLevel) VocabLen() int { return len(m.vocab) }

// MarshalJSON writes the model object back as it was read.
func (m *wordLevel) MarshalJSON() ([]byte, error) { return m.spec, nil }
