package tokenizerjson

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math"

	"github.com/toklabs/tok/sentencepiece"
)

// WriteUnigram writes a SentencePiece Unigram model as a tokenizer.json in
// the layout of HF's SentencePiece converters, with the normalizer
// written so that HF normalizes as SentencePiece does:
//
//   - normalizer: the model's precompiled_charsmap as a Precompiled
//     normalizer when it has one; removing spaces (U+0020) at both ends
//     and collapsing runs of them when the model removes extra whitespace
//     (two Replace normalizers: HF's Strip would also remove tabs and
//     other Unicode spaces, which SentencePiece keeps; like SentencePiece,
//     the trailing trim also removes ▁ (U+2581) written in the text);
//     Prepend("▁") when it adds a dummy prefix (a Metaspace pre-tokenizer
//     with prepend_scheme "always" would not prepend to text that already
//     starts with a space, SentencePiece does);
//   - pre-tokenizer: Metaspace with prepend_scheme "never", splitting
//     before each ▁ as SentencePiece splits words;
//   - decoder: ByteFallback when the model has byte pieces, then
//     Metaspace (dropping the dummy prefix's space when there is one);
//   - a Unigram model with the pieces, scores, unk_id and byte_fallback;
//     a user-defined piece gets the score SentencePiece gives it in its
//     Viterbi search (its length in bytes times the highest score of a
//     normal piece, minus 0.1), so that it is chosen whole where
//     SentencePiece chooses it;
//   - added_tokens: the unknown and control pieces (special). User-defined
//     pieces are not added tokens: HF matches added tokens before
//     normalizing and normalizes each part of the text between them on its
//     own, so every part would get a dummy prefix ("a-b" as "▁a", "-",
//     "▁b"), which SentencePiece does not add.
//
// HF then gives SentencePiece's ids except where the text holds a control
// piece's string (<s>, </s>, <unk>): HF matches added tokens in the text,
// SentencePiece encodes them as plain text; where two segmentations score
// the same (HF and SentencePiece break Viterbi ties differently); and, with
// a precompiled charsmap, on some text where HF's Precompiled normalizer
// and SentencePiece's normalizer disagree. SentencePiece also leaves a
// user-defined piece in the text unnormalized, HF normalizes it; the two
// differ where the charsmap changes such a piece. HF searches every piece
// of the vocabulary, SentencePiece not byte and unused pieces: HF takes
// the text "<0x41>" as the byte piece <0x41>, SentencePiece as text. (A low
// score for those pieces would not help where "<" or ">" is not a piece:
// HF scores an unknown character below the lowest piece.)
func WriteUnigram(w io.Writer, m *sentencepiece.Model) error {
	type obj = map[string]any
	if m.Algorithm() != sentencepiece.Unigram {
		return fmt.Errorf("%w: WriteUnigram needs a Unigram model, this one is %v", ErrUnsupportedModel, m.Algorithm())
	}
	norm := m.Normalizer()
	if err := checkSpaceOptions(norm); err != nil {
		return err
	}
	var normalizers []any
	if cm := norm.Map.Bytes(); len(cm) > 0 {
		normalizers = append(normalizers, obj{"type": "Precompiled", "precompiled_charsmap": base64.StdEncoding.EncodeToString(cm)})
	}
	if norm.RemoveExtraWhitespaces {
		normalizers = append(normalizers, obj{"type": "Replace", "pattern": obj{"Regex": trimSpacesRegex}, "content": ""},
			obj{"type": "Replace", "pattern": obj{"Regex": collapseSpacesRegex}, "content": " "})
	}
	if norm.AddDummyPrefix {
		normalizers = append(normalizers, obj{"type": "Prepend", "prepend": "▁"})
	}
	var normalizer any
	switch len(normalizers) {
	case 0:
	case 1:
		normalizer = normalizers[0]
	default:
		normalizer = obj{"type": "Sequence", "normalizers": normalizers}
	}
	// The normalizer adds the dummy prefix; the decoder removes it.
	preTok := obj{"type": "Metaspace", "replacement": "▁", "prepend_scheme": "never", "split": true}
	scheme := "never"
	if norm.AddDummyPrefix {
		scheme = "always"
	}
	meta := obj{"type": "Metaspace", "replacement": "▁", "prepend_scheme": scheme, "split": true}
	pieces := m.Pieces()
	// SentencePiece scores a user-defined piece in the Viterbi search as
	// its length in bytes times the highest score of a normal piece,
	// minus 0.1, so that it is always chosen whole.
	maxScore := math.Inf(-1)
	for _, p := range pieces {
		if p.Type == sentencepiece.Normal {
			maxScore = max(maxScore, float64(p.Score))
		}
	}
	if math.IsInf(maxScore, -1) {
		maxScore = 0
	}
	var added []any
	var vocab [][2]any
	unk := -1
	byteFallback := false
	for id, p := range pieces {
		score := float64(p.Score)
		switch p.Type {
		case sentencepiece.Unknown, sentencepiece.Control:
			added = append(added, obj{"id": id, "content": p.Text, "single_word": false, "lstrip": false,
				"rstrip": false, "normalized": false, "special": true})
			if p.Type == sentencepiece.Unknown {
				unk = id
			}
		case sentencepiece.UserDefined:
			score = float64(len(p.Text))*maxScore - 0.1
		case sentencepiece.Byte:
			byteFallback = true
		}
		vocab = append(vocab, [2]any{p.Text, score})
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
		{"normalizer", normalizer}, {"pre_tokenizer", preTok}, {"post_processor", nil},
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
