package tokenizerjson

// The WordPiece model of tokenizer.json, backed by package wordpiece
// (LinMaxMatch encoding, HF's greedy longest-match-first semantics).

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/toklabs/tok"
	"github.com/toklabs/tok/wordpiece"
)

func init() { RegisterModel("WordPiece", parseWordPiece) }

// wordPieceJSON is the "model" object of type WordPiece.
type wordPieceJSON struct {
	Type                    string            `json:"type"`
	UnkToken                *string           `json:"unk_token"`
	ContinuingSubwordPrefix *string           `json:"continuing_subword_prefix"`
	MaxInputCharsPerWord    *int              `json:"max_input_chars_per_word"`
	Vocab                   map[string]uint32 `json:"vocab"`
}

func parseWordPiece(raw json.RawMessage, ctx ModelContext) (Model, error) {
	var j wordPieceJSON
	if err := json.Unmarshal(raw, &j); err != nil {
		return nil, fmt.Errorf("%s: WordPiece: %w", ctx.Path, err)
	}
	cfg := wordpiece.DefaultModelConfig()
	if j.UnkToken != nil {
		cfg.UnkToken = *j.UnkToken
	}
	if j.ContinuingSubwordPrefix != nil {
		cfg.ContinuingSubwordPrefix = *j.ContinuingSubwordPrefix
	}
	if j.MaxInputCharsPerWord != nil {
		cfg.MaxInputCharsPerWord = *j.MaxInputCharsPerWord
	}
	if j.Vocab == nil {
		return nil, fmt.Errorf("%s.vocab: missing", ctx.Path)
	}
	v, err := wordpiece.NewVocabFromMap(j.Vocab)
	if err != nil {
		return nil, fmt.Errorf("%s.vocab: %w", ctx.Path, err)
	}
	m, err := wordpiece.NewModel(v, cfg)
	if err != nil {
		return nil, fmt.Errorf("%s.unk_token: %w", ctx.Path, err)
	}
	return &WordPieceModel{m}, nil
}

// WordPieceModel adapts a [wordpiece.Model] to [Model] and [SpanModel],
// and writes itself back as a "model" object.
type WordPieceModel struct {
	*wordpiece.Model
}

// AppendEncodePiece implements [Model].
func (w *WordPieceModel) AppendEncodePiece(dst []uint32, piece []byte) []uint32 {
	return w.AppendEncodeWord(dst, piece)
}

// AppendEncodePieceSpans implements [SpanModel].
func (w *WordPieceModel) AppendEncodePieceSpans(ids []uint32, spans []tok.Span, piece []byte) ([]uint32, []tok.Span) {
	n0 := len(ids)
	ids, ws := w.AppendEncodeWordSpans(ids, nil, piece)
	for _, s := range ws[:len(ids)-n0] {
		spans = append(spans, tok.Span{Start: s[0], End: s[1]})
	}
	return ids, spans
}

// TokenToID implements [Model].
func (w *WordPieceModel) TokenToID(t string) (uint32, bool) { return w.Vocab().TokenToID(t) }

// IDToToken implements [Model].
func (w *WordPieceModel) IDToToken(id uint32) (string, bool) { return w.Vocab().IDToToken(id) }

// VocabSize implements [Model].
func (w *WordPieceModel) VocabSize() int { return w.Vocab().Len() }

// MarshalJSON writes the model object with the vocabulary in id order, as
// HF does.
func (w *WordPieceModel) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	if err := wordpiece.WriteModelJSON(&b, w.Model); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
