package sentencepiece

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/toklabs/tok"
	"github.com/toklabs/tok/sentencepiece/internal/modelpb"
)

// Type is the kind of a piece, as stored in a .model file.
type Type int32

// Piece types; the numbers are those of the .model format.
const (
	Normal      Type = 1 // an ordinary piece the model segments into
	Unknown     Type = 2 // the unknown piece (<unk>)
	Control     Type = 3 // <s>, </s>: never produced from text
	UserDefined Type = 4 // always segmented whole, never normalized
	Unused      Type = 5 // kept in the vocabulary but not produced
	Byte        Type = 6 // <0xNN> byte-fallback pieces
)

var typeNames = map[Type]string{Normal: "normal", Unknown: "unknown", Control: "control",
	UserDefined: "user_defined", Unused: "unused", Byte: "byte"}

func (t Type) String() string {
	if s, ok := typeNames[t]; ok {
		return s
	}
	return fmt.Sprintf("Type(%d)", int32(t))
}

// ParseType is the inverse of Type.String.
func ParseType(s string) (Type, error) {
	for t, n := range typeNames {
		if n == s {
			return t, nil
		}
	}
	return 0, fmt.Errorf("sentencepiece: unknown piece type %q", s)
}

// Algorithm is the segmentation model of a .model file.
type Algorithm int32

// Algorithms; the numbers are those of TrainerSpec.model_type.
const (
	Unigram Algorithm = 1
	BPE     Algorithm = 2
	Word    Algorithm = 3
	Char    Algorithm = 4
)

var algoNames = map[Algorithm]string{Unigram: "unigram", BPE: "bpe", Word: "word", Char: "char"}

func (a Algorithm) String() string {
	if s, ok := algoNames[a]; ok {
		return s
	}
	return fmt.Sprintf("Algorithm(%d)", int32(a))
}

// ParseAlgorithm is the inverse of Algorithm.String.
func ParseAlgorithm(s string) (Algorithm, error) {
	for a, n := range algoNames {
		if n == s {
			return a, nil
		}
	}
	return 0, fmt.Errorf("sentencepiece: unknown model type %q (want unigram, bpe, word or char)", s)
}

// Piece is one vocabulary entry; its id is its index in the model.
type Piece struct {
	Text  string
	Score float32
	Type  Type
}

// Model is a SentencePiece tokenizer: normalizer, vocabulary and
// segmentation algorithm. It implements [tok.Tokenizer]. A Model is
// immutable after loading and safe for concurrent use.
type Model struct {
	pieces    []Piece
	algo      Algorithm
	norm      Normalizer
	proto     *modelpb.ModelProto // everything else the file held, for writing
	raw       string              // or, when proto is nil, the file itself (see Parse)
	byText    []int32             // every id, sorted by piece text: the piece index
	unkID     int32
	byteIDs   [256]int32 // id of <0xNN>, -1 if absent
	byteFall  bool
	minScore  float32
	maxScore  float32
	unkScore  float32
	specials  []tok.SpecialToken
	unkSurfac string
	maxLen    int       // longest piece in bytes
	cache     *bpeCache // BPE word cache, nil when words cannot be split
	// Per-id copies of the score and type, compact for the Viterbi loop.
	scoreOf []float32
	typeOf  []Type
	// da holds the pieces the segmenter looks up: for Viterbi the normal
	// and user-defined pieces, with vitScore their scores as
	// segmentUnigram adds them (see there); for BPE the normal,
	// user-defined and unused pieces.
	da       *doubleArray
	vitScore []float64
}

var _ tok.Tokenizer = (*Model)(nil)

// Pieces returns the vocabulary; the caller must not modify it.
func (m *Model) Pieces() []Piece { return m.pieces }

// Algorithm returns the segmentation model.
func (m *Model) Algorithm() Algorithm { return m.algo }

// Normalizer returns the model's normalizer.
func (m *Model) Normalizer() *Normalizer { return &m.norm }

// unkPenalty is how much lower than the worst piece an unknown character
// scores in Viterbi, as in SentencePiece.
const unkPenalty = 10.0

// newModel builds a Model from a parsed ModelProto, checking what the
// encoder relies on. file names the source for errors.
func newModel(p *modelpb.ModelProto, file string) (*Model, error) {
	pieces := make([]Piece, len(p.GetPieces()))
	for i, sp := range p.GetPieces() {
		pieces[i] = Piece{Text: sp.GetPiece(), Score: sp.GetScore(), Type: Type(sp.GetType())}
	}
	m, err := newModelPieces(pieces, p, file)
	if err != nil {
		return nil, err
	}
	m.proto = p
	return m, nil
}

// newModelPieces is newModel on pieces already taken out of the proto: p's
// own pieces are ignored (Parse's fast path leaves them out) and
// m.proto is left for the caller to set.
func newModelPieces(pieces []Piece, p *modelpb.ModelProto, file string) (*Model, error) {
	bad := func(format string, args ...any) error {
		return &tok.FormatError{File: file, Offset: -1, Msg: fmt.Sprintf(format, args...)}
	}
	m := &Model{algo: Unigram, unkID: -1}
	if ts := p.GetTrainerSpec(); ts != nil {
		m.algo = Algorithm(ts.GetModelType())
		m.byteFall = ts.GetByteFallback()
		m.unkSurfac = ts.GetUnkSurface()
	} else {
		m.unkSurfac = " \u2047 "
	}
	switch m.algo {
	case Unigram, BPE, Word, Char:
	default:
		return nil, bad("unknown model_type %d", int32(m.algo))
	}
	if len(pieces) == 0 {
		return nil, bad("no pieces")
	}
	if len(pieces) > math.MaxInt32 {
		return nil, bad("too many pieces")
	}
	for i := range m.byteIDs {
		m.byteIDs[i] = -1
	}
	m.pieces = pieces
	// Ids sorted by text (then id): the piece index, and the duplicates
	// are neighbours. firstDup is the lowest id whose text an earlier id
	// has, reported when the loop below gets there (so errors come in id
	// order, as a map filled in id order would find them).
	m.byText = make([]int32, len(pieces))
	for i := range m.byText {
		m.byText[i] = int32(i)
	}
	slices.SortFunc(m.byText, func(a, b int32) int {
		if c := strings.Compare(pieces[a].Text, pieces[b].Text); c != 0 {
			return c
		}
		return int(a - b)
	})
	firstDup := int32(-1)
	for k := 1; k < len(m.byText); k++ {
		if id := m.byText[k]; pieces[id].Text == pieces[m.byText[k-1]].Text && (firstDup < 0 || id < firstDup) {
			firstDup = id
		}
	}
	m.minScore, m.maxScore = float32(math.MaxFloat32), float32(-math.MaxFloat32)
	var trieKeys []string
	var trieVals []int32
	var userKeys []string
	var userVals []int32
	for i, sp := range pieces {
		id := int32(i)
		t := sp.Type
		text := sp.Text
		if text == "" {
			return nil, bad("piece %d is empty", i)
		}
		if id == firstDup {
			return nil, bad("piece %d %q is a duplicate", i, text)
		}
		switch t {
		case Normal, UserDefined, Unused:
			trieKeys = append(trieKeys, text)
			trieVals = append(trieVals, id)
			if len(text) > m.maxLen {
				m.maxLen = len(text)
			}
			if t == Normal {
				m.minScore = min(m.minScore, sp.Score)
				m.maxScore = max(m.maxScore, sp.Score)
			}
			if t == UserDefined {
				userKeys = append(userKeys, text)
				userVals = append(userVals, id)
			}
		case Unknown:
			if m.unkID >= 0 {
				return nil, bad("pieces %d and %d are both of type unknown", m.unkID, i)
			}
			m.unkID = id
		case Control:
			m.specials = append(m.specials, tok.SpecialToken{Content: text, ID: uint32(id)})
		case Byte:
			var b int
			if _, err := fmt.Sscanf(text, "<0x%02X>", &b); err != nil || len(text) != 6 || b > 255 {
				return nil, bad("byte piece %d is %q, want <0xNN>", i, text)
			}
			m.byteIDs[b] = id
		default:
			return nil, bad("piece %d %q has unknown type %d", i, text, int32(t))
		}
	}
	if m.unkID < 0 {
		return nil, bad("no piece of type unknown")
	}
	if m.byteFall {
		for b, id := range m.byteIDs {
			if id < 0 {
				return nil, bad("byte_fallback is set but piece <0x%02X> is missing", b)
			}
		}
	}
	if m.minScore > m.maxScore { // no normal pieces
		m.minScore, m.maxScore = 0, 0
	}
	m.unkScore = m.minScore - unkPenalty
	m.scoreOf = make([]float32, len(m.pieces))
	m.typeOf = make([]Type, len(m.pieces))
	for i, p := range m.pieces {
		m.scoreOf[i], m.typeOf[i] = p.Score, p.Type
	}
	m.vitScore = make([]float64, len(m.pieces))
	for i, p := range m.pieces {
		if p.Type == UserDefined {
			m.vitScore[i] = float64(len(p.Text))*float64(m.maxScore) - 0.1
		} else {
			m.vitScore[i] = float64(p.Score)
		}
	}
	if m.algo == BPE {
		m.da = newDoubleArray(trieKeys, trieVals)
	} else {
		// Viterbi never produces unused pieces: leave them out.
		var keys []string
		var vals []int32
		for i, id := range trieVals {
			if m.typeOf[id] != Unused {
				keys, vals = append(keys, trieKeys[i]), append(vals, id)
			}
		}
		m.da = newDoubleArray(keys, vals)
	}
	if m.algo == BPE && wordSplittable(m.pieces) {
		m.cache = newBPECache()
	}
	ns := p.GetNormalizerSpec()
	cm, err := ParseCharsMap(ns.GetPrecompiledCharsmap())
	if err != nil {
		return nil, &tok.FormatError{File: file, Offset: -1, Msg: "normalizer_spec", Err: err}
	}
	m.norm = Normalizer{
		Map:                     cm,
		AddDummyPrefix:          ns.GetAddDummyPrefix(),
		RemoveExtraWhitespaces:  ns.GetRemoveExtraWhitespaces(),
		EscapeWhitespaces:       ns.GetEscapeWhitespaces(),
		TreatWhitespaceAsSuffix: p.GetTrainerSpec().GetTreatWhitespaceAsSuffix(),
	}
	if len(userKeys) > 0 {
		m.norm.userDefined = newPieceTrie(userKeys, userVals)
	}
	m.norm.fast = newNormASCII(m.norm.Map, m.norm.userDefined)
	return m, nil
}

// VocabSize implements tok.Tokenizer.
func (m *Model) VocabSize() int { return len(m.pieces) }

// TokenToID implements tok.Tokenizer.
func (m *Model) TokenToID(token string) (uint32, bool) {
	id, ok := m.lookupText(token)
	return uint32(id), ok
}

// lookupText finds the id of a piece by its text (binary search in
// byText).
func (m *Model) lookupText(text string) (int32, bool) {
	k, ok := slices.BinarySearchFunc(m.byText, text, func(id int32, t string) int {
		return strings.Compare(m.pieces[id].Text, t)
	})
	if !ok {
		return 0, false
	}
	return m.byText[k], true
}

// IDToToken implements tok.Tokenizer.
func (m *Model) IDToToken(id uint32) (string, bool) {
	if int(id) >= len(m.pieces) {
		return "", false
	}
	return m.pieces[id].Text, true
}

// SpecialTokens implements tok.Tokenizer: the control pieces (<s>, </s>).
// As in SentencePiece, their strings in text are encoded as plain text.
func (m *Model) SpecialTokens() []tok.SpecialToken { return m.specials }

// pieceID is PieceToId: the id of a piece string, or the unknown id.
func (m *Model) pieceID(s []byte) int32 {
	if id, ok := m.lookupText(string(s)); ok {
		return id
	}
	return m.unkID
}
