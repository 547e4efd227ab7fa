package tokenizerjson

// The Unigram model of tokenizer.json, backed by package sentencepiece
// (Viterbi as HF tokenizers runs it: float64 scores, fused unknown runs,
// optional byte fallback).

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"

	"github.com/toklabs/tok/sentencepiece"
)

func init() { RegisterModel("Unigram", parseUnigram) }

// unigramJSON is the "model" object of type Unigram.
type unigramJSON struct {
	Type         string               `json:"type"`
	UnkID        *int                 `json:"unk_id"`
	Vocab        [][2]json.RawMessage `json:"vocab"`
	ByteFallback bool                 `json:"byte_fallback"`
}

func parseUnigram(raw json.RawMessage, ctx ModelContext) (Model, error) {
	var j unigramJSON
	if err := json.Unmarshal(raw, &j); err != nil {
		return nil, fmt.Errorf("%s: Unigram: %w", ctx.Path, err)
	}
	pieces := make([]string, len(j.Vocab))
	scores := make([]float64, len(j.Vocab))
	for i, e := range j.Vocab {
		if err := json.Unmarshal(e[0], &pieces[i]); err != nil {
			return nil, fmt.Errorf("%s.vocab[%d][0]: %w", ctx.Path, i, err)
		}
		if err := json.Unmarshal(e[1], &scores[i]); err != nil {
			return nil, fmt.Errorf("%s.vocab[%d][1]: %w", ctx.Path, i, err)
		}
	}
	unk := -1
	if j.UnkID != nil {
		unk = *j.UnkID
	}
	u, err := sentencepiece.NewHFUnigram(pieces, scores, unk, j.ByteFallback)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", ctx.Path, err)
	}
	index := make(map[string]uint32, len(pieces))
	for i, p := range pieces {
		if _, dup := index[p]; !dup {
			index[p] = uint32(i)
		}
	}
	return &UnigramModel{HFUnigram: u, index: index}, nil
}

// UnigramModel adapts a [sentencepiece.HFUnigram] to [Model] and writes
// itself back as a "model" object.
type UnigramModel struct {
	*sentencepiece.HFUnigram
	index map[string]uint32
}

// AppendEncodePiece implements [Model].
func (u *UnigramModel) AppendEncodePiece(dst []uint32, piece []byte) []uint32 {
	return u.AppendEncode(dst, piece)
}

// TokenToID implements [Model].
func (u *UnigramModel) TokenToID(t string) (uint32, bool) {
	id, ok := u.index[t]
	return id, ok
}

// IDToToken implements [Model].
func (u *UnigramModel) IDToToken(id uint32) (string, bool) {
	p, _, ok := u.Piece(id)
	return p, ok
}

// MarshalJSON writes the "model" object HF reads.
func (u *UnigramModel) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(`{"type":"Unigram","unk_id":`)
	if u.UnkID() >= 0 {
		b.WriteString(strconv.Itoa(u.UnkID()))
	} else {
		b.WriteString("null")
	}
	b.WriteString(`,"vocab":[`)
	for i := 0; i < u.VocabSize(); i++ {
		p, s, _ := u.Piece(uint32(i))
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('[')
		q, err := json.Marshal(p)
		if err != nil {
			return nil, err
		}
		b.Write(q)
		b.WriteByte(',')
		if math.IsInf(s, 0) || math.IsNaN(s) {
			return nil, fmt.Errorf("tokenizerjson: Unigram score of %q is %v", p, s)
		}
		b.WriteString(strconv.FormatFloat(s, 'g', -1, 64))
		b.WriteByte(']')
	}
	b.WriteString(`],"byte_fallback":`)
	b.WriteString(strconv.FormatBool(u.ByteFallback()))
	b.WriteByte('}')
	return b.Bytes(), nil
}
