package tokenizerjson

import (
	"encoding/base64"
	"encoding/json"
	"io"

	"github.com/toklabs/tok/sentencepiece"
)

// WriteUnigram writes a SentencePiece Unigram model as a tokenizer.json in
// the layout of HF's SentencePiece converters: the model's
// precompiled_charsmap as a Precompiled normalizer (followed by collapsing
// runs of spaces and stripping both ends when the model removes extra
// whitespace), a Metaspace
// pre-tokenizer and decoder (prepending ▁ when the model adds a dummy
// prefix), ByteFallback decoding for byte pieces, and a Unigram model with
// the pieces, scores, unk_id and byte_fallback. Unknown, control and
// user-defined pieces are also added_tokens.
//
// HF then gives SentencePiece's ids except where the text holds a control
// piece's string (<s>, </s>, <unk>): HF matches added tokens in the text,
// SentencePiece encodes them as plain text.
func WriteUnigram(w io.Writer, m *sentencepiece.Model) error {
	type obj = map[string]any
	norm := m.Normalizer()
	var normalizers []any
	if cm := norm.Map.Bytes(); len(cm) > 0 {
		normalizers = append(normalizers, obj{"type": "Precompiled", "precompiled_charsmap": base64.StdEncoding.EncodeToString(cm)})
	}
	if norm.RemoveExtraWhitespaces {
		normalizers = append(normalizers, obj{"type": "Replace", "pattern": obj{"Regex": " {2,}"}, "content": " "},
			obj{"type": "Strip", "strip_left": true, "strip_right": true})
	}
	var normalizer any
	switch len(normalizers) {
	case 0:
	case 1:
		normalizer = normalizers[0]
	default:
		normalizer = obj{"type": "Sequence", "normalizers": normalizers}
	}
	scheme := "never"
	if norm.AddDummyPrefix {
		scheme = "always"
	}
	meta := obj{"type": "Metaspace", "replacement": "▁", "prepend_scheme": scheme, "split": true}
	var added []any
	var vocab [][2]any
	unk := -1
	byteFallback := false
	for id, p := range m.Pieces() {
		vocab = append(vocab, [2]any{p.Text, float64(p.Score)})
		switch p.Type {
		case sentencepiece.Unknown, sentencepiece.Control, sentencepiece.UserDefined:
			added = append(added, obj{"id": id, "content": p.Text, "single_word": false, "lstrip": false,
				"rstrip": false, "normalized": false, "special": p.Type != sentencepiece.UserDefined})
			if p.Type == sentencepiece.Unknown {
				unk = id
			}
		case sentencepiece.Byte:
			byteFallback = true
		}
	}
	var decoder any = meta
	if byteFallback {
		decoder = obj{"type": "Sequence", "decoders": []any{obj{"type": "ByteFallback"}, meta}}
	}
	var unkID any
	if unk >= 0 {
		unkID = unk
	}
	model := obj{"type": "Unigram", "unk_id": unkID, "vocab": vocab, "byte_fallback": byteFallback}
	// Key order as HF writes it.
	file := []struct {
		k string
		v any
	}{{"version", "1.0"}, {"truncation", nil}, {"padding", nil}, {"added_tokens", added},
		{"normalizer", normalizer}, {"pre_tokenizer", meta}, {"post_processor", nil},
		{"decoder", decoder}, {"model", model}}
	if _, err := io.WriteString(w, "{"); err != nil {
		return err
	}
	for i, f := range file {
		v, err := json.Marshal(f.v)
		if err != nil {
			return err
		}
		sep := ","
		if i == 0 {
			sep = ""
		}
		if _, err := io.WriteString(w, sep+"\n  \""+f.k+"\": "+string(v)); err != nil {
			return err
		}
	}
	_, err := io.WriteString(w, "\n}\n")
	return err
}
