package metrics

import (
	"bytes"
	"unicode"
	"unicode/utf8"

	"github.com/toklabs/tok"
)

// maxWordCache bounds the per-word token-count cache of [Intrinsic], so
// memory stays flat however much text is added.
const maxWordCache = 1 << 20

// Words counts the whitespace-separated words of text (unicode.IsSpace),
// the word unit of fertility and word perplexity.
func Words(text []byte) int64 {
	var n int64
	inWord := false
	for len(text) > 0 {
		r, size := utf8.DecodeRune(text)
		text = text[size:]
		if unicode.IsSpace(r) {
			inWord = false
		} else if !inWord {
			inWord = true
			n++
		}
	}
	return n
}

// Intrinsic accumulates the intrinsic measures of one tokenizer over text.
// Add documents with Add; read the result with Report. An Intrinsic is not
// safe for concurrent use; merge several with Merge.
type Intrinsic struct {
	tk       tok.Tokenizer
	counts   []int64 // occurrences per id
	seen     []bool  // ids seen in training text, nil if not recorded
	words    int64
	contWord int64 // words that encode (in isolation) to two or more tokens
	tokens   int64
	bytes    int64
	chars    int64
	docs     int64
	lossyDoc int64
	lossyB   int64

	wordCache map[string]int
	ids       []uint32
	dec       []byte
}

// NewIntrinsic returns an accumulator for t.
func NewIntrinsic(t tok.Tokenizer) *Intrinsic {
	return &Intrinsic{tk: t, counts: make([]int64, t.VocabSize()), wordCache: make(map[string]int)}
}

// AddTraining records the ids of training text so that Report can count
// held-out tokens never seen in training.
func (m *Intrinsic) AddTraining(ids []uint32) {
	if m.seen == nil {
		m.seen = make([]bool, len(m.counts))
	}
	for _, id := range ids {
		if int(id) < len(m.seen) {
			m.seen[id] = true
		}
	}
}

// Add encodes one held-out document and accumulates its measures.
func (m *Intrinsic) Add(text []byte) {
	m.ids = m.tk.AppendEncode(m.ids[:0], text)
	m.AddEncoded(text, m.ids)
}

// AddEncoded accumulates a document whose ids are already known.
func (m *Intrinsic) AddEncoded(text []byte, ids []uint32) {
	m.docs++
	m.bytes += int64(len(text))
	m.chars += int64(utf8.RuneCount(text))
	m.tokens += int64(len(ids))
	for _, id := range ids {
		if int(id) < len(m.counts) {
			m.counts[id]++
		}
	}
	var err error
	m.dec, err = m.tk.AppendDecode(m.dec[:0], ids)
	if err != nil || !bytes.Equal(m.dec, text) {
		m.lossyDoc++
		m.lossyB += int64(len(text))
	}
	for _, w := range bytes.FieldsFunc(text, unicode.IsSpace) {
		m.words++
		if m.wordTokens(w) >= 2 {
			m.contWord++
		}
	}
}

// wordTokens is the number of tokens of w encoded on its own.
func (m *Intrinsic) wordTokens(w []byte) int {
	if n, ok := m.wordCache[string(w)]; ok {
		return n
	}
	m.ids = m.tk.AppendEncode(m.ids[:0], w)
	n := len(m.ids)
	if len(m.wordCache) < maxWordCache {
		m.wordCache[string(w)] = n
	}
	return n
}

// Merge adds the counts of o, which must measure the same tokenizer.
func (m *Intrinsic) Merge(o *Intrinsic) {
	for i, c := range o.counts {
		m.counts[i] += c
	}
	if o.seen != nil {
		if m.seen == nil {
			m.seen = make([]bool, len(m.counts))
		}
		for i, s := range o.seen {
			m.seen[i] = m.seen[i] || s
		}
	}
	m.words += o.words
	m.contWord += o.contWord
	m.tokens += o.tokens
	m.bytes += o.bytes
	m.chars += o.chars
	m.docs += o.docs
	m.lossyDoc += o.lossyDoc
	m.lossyB += o.lossyB
}

// IntrinsicReport is the summary of an [Intrinsic].
type IntrinsicReport struct {
	Documents int64 `json:"documents"`
	Bytes     int64 `json:"bytes"`
	Chars     int64 `json:"chars"`
	Words     int64 `json:"words"` // whitespace-separated words
	Tokens    int64 `json:"tokens"`
	VocabSize int   `json:"vocab_size"`

	BytesPerToken     float64 `json:"bytes_per_token"`
	Fertility         float64 `json:"fertility"`          // tokens per word
	ContinuedWords    float64 `json:"continued_words"`    // share of words encoded (alone) to ≥2 tokens
	RenyiEfficiency   float64 `json:"renyi_efficiency"`   // α = RenyiAlpha, true vocabulary size
	ShannonEfficiency float64 `json:"shannon_efficiency"` // α → 1
	VocabUtilisation  float64 `json:"vocab_utilisation"`  // share of the vocabulary used
	TypesUsed         int     `json:"types_used"`

	// LossyDocuments and LossyBytes count the documents (and their bytes)
	// that do not decode back to themselves: unknown tokens, lowercasing,
	// normalization. Their BPB is optimistic.
	LossyDocuments int64 `json:"lossy_documents"`
	LossyBytes     int64 `json:"lossy_bytes"`

	// UnseenTypes and UnseenTokens count the token types (and their
	// occurrences) in the held-out text that never occurred in the training
	// text; -1 when no training ids were recorded.
	UnseenTypes  int   `json:"unseen_types"`
	UnseenTokens int64 `json:"unseen_tokens"`
}

// Report summarises what has been added.
func (m *Intrinsic) Report() IntrinsicReport {
	r := IntrinsicReport{
		Documents: m.docs, Bytes: m.bytes, Chars: m.chars, Words: m.words, Tokens: m.tokens,
		VocabSize: len(m.counts), LossyDocuments: m.lossyDoc, LossyBytes: m.lossyB,
		UnseenTypes: -1, UnseenTokens: -1,
	}
	if m.tokens > 0 {
		r.BytesPerToken = float64(m.bytes) / float64(m.tokens)
	}
	if m.words > 0 {
		r.Fertility = float64(m.tokens) / float64(m.words)
		r.ContinuedWords = float64(m.contWord) / float64(m.words)
	}
	for _, c := range m.counts {
		if c > 0 {
			r.TypesUsed++
		}
	}
	if len(m.counts) > 0 {
		r.VocabUtilisation = float64(r.TypesUsed) / float64(len(m.counts))
	}
	r.RenyiEfficiency = RenyiEfficiency(m.counts, RenyiAlpha, len(m.counts))
	r.ShannonEfficiency = RenyiEfficiency(m.counts, 1, len(m.counts))
	if m.seen != nil {
		r.UnseenTypes, r.UnseenTokens = 0, 0
		for id, c := range m.counts {
			if c > 0 && !m.seen[id] {
				r.UnseenTypes++
				r.UnseenTokens += c
			}
		}
	}
	return r
}
