package tokenizerjson

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/toklabs/tok/sentencepiece"
)

// SentencePieceMerges derives the BPE merges of a SentencePiece BPE
// vocabulary, which stores no merges (its scores give the merge order),
// the way HF's SentencePiece converter does for Llama-style models:
//
//   - every split of every piece at a character boundary whose two halves
//     are both pieces is a merge, scored with the whole piece's score;
//   - the merges of one piece are ordered by the left half's id, then the
//     right half's id;
//   - all merges are then ordered by score (highest first), then by the
//     length in characters of the left half (longest first), then of the
//     right half (longest first), keeping the order above among equals.
//
// Each merge is a pair of piece ids; the first merge has the highest
// priority.
func SentencePieceMerges(pieces []sentencepiece.Piece) [][2]uint32 {
	ids := make(map[string]uint32, len(pieces))
	for id, p := range pieces {
		if _, dup := ids[p.Text]; !dup {
			ids[p.Text] = uint32(id)
		}
	}
	type merge struct {
		left, right   uint32
		score         float32
		leftN, rightN int // lengths in characters
	}
	var merges []merge
	var local []merge
	for _, p := range pieces {
		text := p.Text
		local = local[:0]
		n := utf8.RuneCountInString(text)
		leftN := 0
		for i := 0; i < len(text); {
			_, size := utf8.DecodeRuneInString(text[i:])
			i += size
			leftN++
			if i >= len(text) {
				break
			}
			l, okL := ids[text[:i]]
			r, okR := ids[text[i:]]
			if okL && okR {
				local = append(local, merge{l, r, p.Score, leftN, n - leftN})
			}
		}
		slices.SortFunc(local, func(a, b merge) int {
			if a.left != b.left {
				return cmpUint32(a.left, b.left)
			}
			return cmpUint32(a.right, b.right)
		})
		merges = append(merges, local...)
	}
	slices.SortStableFunc(merges, func(a, b merge) int {
		switch {
		case a.score != b.score:
			if a.score > b.score {
				return -1
			}
			return 1
		case a.leftN != b.leftN:
			return b.leftN - a.leftN
		default:
			return b.rightN - a.rightN
		}
	})
	out := make([][2]uint32, len(merges))
	for i, m := range merges {
		out[i] = [2]uint32{m.left, m.right}
	}
	return out
}

func cmpUint32(a, b uint32) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// SentencePiece's remove_extra_whitespaces as two Replace normalizers,
// shared by WriteSentencePieceBPE and WriteUnigram: trimSpacesRegex
// (replaced by nothing) and collapseSpacesRegex (replaced by one space).
// SentencePiece trims and collapses U+0020 only (HF's Strip normalizer
// would also remove tabs and other Unicode spaces), and it trims the end
// after escaping spaces as ▁, so a ▁ written in the text goes too when
// nothing but spaces and ▁ follow it.
const (
	trimSpacesRegex     = `\A +|[ ▁]+\z`
	collapseSpacesRegex = ` {2,}`
)

// checkSpaceOptions returns an error for the space options of a
// SentencePiece normalizer that have no tokenizer.json equivalent here.
func checkSpaceOptions(norm *sentencepiece.Normalizer) error {
	if !norm.EscapeWhitespaces {
		return fmt.Errorf("%w: escape_whitespaces is off", ErrUnsupportedModel)
	}
	if norm.TreatWhitespaceAsSuffix {
		return fmt.Errorf("%w: treat_whitespace_as_suffix is on", ErrUnsupportedModel)
	}
	return nil
}

// ErrUnsupportedModel is returned for SentencePiece models that have no
// tokenizer.json equivalent here.
var ErrUnsupportedModel = errors.New("tokenizerjson: SentencePiece model cannot be converted")

// WriteSentencePieceBPE writes a SentencePiece BPE model as a
// tokenizer.json in the layout of HF's converter for Llama-style models:
//
//   - normalizer: the model's precompiled_charsmap as a Precompiled
//     normalizer when it has one; when the model removes extra
//     whitespace, removing spaces (U+0020) at the start and spaces and
//     ▁ (U+2581) at the end, as SentencePiece trims after escaping
//     spaces, and collapsing runs of spaces; Prepend("▁") when it adds
//     a dummy prefix; Replace(" ", "▁");
//   - no pre-tokenizer (SentencePiece BPE does not split on spaces);
//   - a BPE model with the pieces as vocabulary (ids as in the .model),
//     the merges of [SentencePieceMerges], unk_token, fuse_unk, and
//     byte_fallback when the model has all 256 <0xNN> pieces;
//   - added_tokens: the unknown and control pieces (special) and the
//     user-defined pieces (not special), matched before normalization;
//   - decoder: Replace("▁", " "), ByteFallback, Fuse, and Strip of one
//     leading space when the model adds a dummy prefix.
//
// HF then gives SentencePiece's ids except where the text holds a control
// piece's string (<s>, </s>, <unk>): HF matches added tokens in the text,
// SentencePiece encodes them as plain text. Where the text holds a
// user-defined piece, both keep it whole, but HF splits the text there
// before normalizing, so each part gets its own dummy prefix and (with
// remove_extra_whitespaces) loses the spaces next to the piece, while
// SentencePiece normalizes the whole text first. (Writing them as
// normalized added tokens does not help: HF then misplaces the matches
// after the Prepend normalizer.)
func WriteSentencePieceBPE(w io.Writer, m *sentencepiece.Model) error {
	if m.Algorithm() != sentencepiece.BPE {
		return fmt.Errorf("%w: WriteSentencePieceBPE needs a BPE model, this one is %v", ErrUnsupportedModel, m.Algorithm())
	}
	norm := m.Normalizer()
	if err := checkSpaceOptions(norm); err != nil {
		return err
	}
	// The components are written by hand to keep HF's key order.
	var normalizers []string
	if cm := norm.Map.Bytes(); len(cm) > 0 {
		normalizers = append(normalizers, `{"type":"Precompiled","precompiled_charsmap":"`+base64.StdEncoding.EncodeToString(cm)+`"}`)
	}
	if norm.RemoveExtraWhitespaces {
		normalizers = append(normalizers,
			`{"type":"Replace","pattern":{"Regex":`+string(jsonString(nil, trimSpacesRegex))+`},"content":""}`,
			`{"type":"Replace","pattern":{"Regex":`+string(jsonString(nil, collapseSpacesRegex))+`},"content":" "}`)
	}
	if norm.AddDummyPrefix {
		normalizers = append(normalizers, `{"type":"Prepend","prepend":"▁"}`)
	}
	normalizers = append(normalizers, `{"type":"Replace","pattern":{"String":" "},"content":"▁"}`)
	normJSON := `{"type":"Sequence","normalizers":[` + strings.Join(normalizers, ",") + `]}`

	decoders := []string{
		`{"type":"Replace","pattern":{"String":"▁"},"content":" "}`,
		`{"type":"ByteFallback"}`,
		`{"type":"Fuse"}`,
	}
	if norm.AddDummyPrefix {
		decoders = append(decoders, `{"type":"Strip","content":" ","start":1,"stop":0}`)
	}
	decJSON := `{"type":"Sequence","decoders":[` + strings.Join(decoders, ",") + `]}`

	pieces := m.Pieces()
	var mj bpeJSON
	mj.Type = "BPE"
	mj.FuseUnk = true
	mj.Vocab = make(map[string]uint32, len(pieces))
	var added []AddedToken
	bytePieces := 0
	for id, p := range pieces {
		if _, dup := mj.Vocab[p.Text]; dup {
			return fmt.Errorf("%w: piece %d %q is a duplicate", ErrUnsupportedModel, id, p.Text)
		}
		mj.Vocab[p.Text] = uint32(id)
		switch p.Type {
		case sentencepiece.Unknown:
			text := p.Text
			mj.UnkToken = &text
			fallthrough
		case sentencepiece.Control, sentencepiece.UserDefined:
			added = append(added, AddedToken{ID: uint32(id), Content: p.Text, Special: p.Type != sentencepiece.UserDefined})
		case sentencepiece.Byte:
			bytePieces++
		}
	}
	mj.ByteFallback = bytePieces == 256
	merges := SentencePieceMerges(pieces)
	mj.Merges.pairs = make([][2]string, len(merges))
	for i, mg := range merges {
		mj.Merges.pairs[i] = [2]string{pieces[mg[0]].Text, pieces[mg[1]].Text}
	}
	model, err := marshalBPE(mj)
	if err != nil {
		return err
	}
	if added == nil {
		added = []AddedToken{}
	}
	addedJSON, err := json.Marshal(added)
	if err != nil {
		return err
	}
	_, err = writeFile(w, []fileField{
		{"version", []byte(`"1.0"`)},
		{"truncation", nil},
		{"padding", nil},
		{"added_tokens", addedJSON},
		{"normalizer", []byte(normJSON)},
		{"pre_tokenizer", nil},
		{"post_processor", nil},
		{"decoder", []byte(decJSON)},
		{"model", model},
	})
	return err
}

// WriteSentencePiece writes a SentencePiece model as a tokenizer.json:
// Unigram models with [WriteUnigram], BPE models with
// [WriteSentencePieceBPE]. Word and Char models are not supported.
func WriteSentencePiece(w io.Writer, m *sentencepiece.Model) error {
	switch m.Algorithm() {
	case sentencepiece.Unigram:
		return WriteUnigram(w, m)
	case sentencepiece.BPE:
		return WriteSentencePieceBPE(w, m)
	}
	return fmt.Errorf("%w: model type %v", ErrUnsupportedModel, m.Algorithm())
}
