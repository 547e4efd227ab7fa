package wordpiece

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// DefaultMaxInputCharsPerWord is BERT's and HF's limit: a longer word is
// encoded as the unknown token without being looked at.
const DefaultMaxInputCharsPerWord = 100

// ModelConfig holds the WordPiece model settings of a tokenizer.json
// "model" object. Get the defaults from [DefaultModelConfig].
type ModelConfig struct {
	// UnkToken is the token of a word without segmentation. Default "[UNK]".
	UnkToken string
	// ContinuingSubwordPrefix marks a piece that continues a word.
	// Default "##".
	ContinuingSubwordPrefix string
	// MaxInputCharsPerWord: a word of more characters (Unicode scalar
	// values; an invalid UTF-8 byte counts as one) is the unknown token.
	// Zero or negative means no limit. Default 100.
	MaxInputCharsPerWord int
}

// DefaultModelConfig returns BERT's settings.
func DefaultModelConfig() ModelConfig {
	return ModelConfig{UnkToken: "[UNK]", ContinuingSubwordPrefix: "##", MaxInputCharsPerWord: DefaultMaxInputCharsPerWord}
}

// Model is the WordPiece model: it splits one pre-tokenized word into
// vocabulary pieces. It is safe for concurrent use.
type Model struct {
	vocab    *Vocab
	unkID    uint32
	prefix   string
	maxChars int
	trie     *trie
}

// NewModel builds the model over vocab. It fails with [ErrMissingUnk] when
// the unknown token is not in the vocabulary.
func NewModel(vocab *Vocab, cfg ModelConfig) (*Model, error) {
	unk, ok := vocab.TokenToID(cfg.UnkToken)
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrMissingUnk, cfg.UnkToken)
	}
	m := &Model{vocab: vocab, unkID: unk, prefix: cfg.ContinuingSubwordPrefix, maxChars: cfg.MaxInputCharsPerWord}
	m.trie = buildTrie(vocab, m.prefix)
	return m, nil
}

// Vocab returns the model's vocabulary.
func (m *Model) Vocab() *Vocab { return m.vocab }

// UnkID is the id of the unknown token.
func (m *Model) UnkID() uint32 { return m.unkID }

// Config returns the settings the model was built with.
func (m *Model) Config() ModelConfig {
	t, _ := m.vocab.IDToToken(m.unkID)
	return ModelConfig{UnkToken: t, ContinuingSubwordPrefix: m.prefix, MaxInputCharsPerWord: m.maxChars}
}

// tooLong reports whether word has more than maxChars characters, counting
// only as far as needed.
func (m *Model) tooLong(word []byte) bool {
	if m.maxChars <= 0 || len(word) <= m.maxChars {
		return false
	}
	if len(word) > 4*m.maxChars {
		return true
	}
	return utf8.RuneCount(word) > m.maxChars
}

// AppendEncodeWord appends the ids of the pieces of one word to dst: the
// longest vocabulary token that is a prefix of the word, then the longest
// prefix-marked token that is a prefix of the rest, and so on; the unknown
// token alone when some rest has no such token or the word is too long.
// An empty word gives nothing.
//
// It runs LinMaxMatch in O(len(word)). Words that begin with the
// continuing-subword prefix itself are handed to the greedy reference,
// because in the trie the prefix node means "a continuation starts here",
// not the literal characters at the start of a word.
func (m *Model) AppendEncodeWord(dst []uint32, word []byte) []uint32 {
	if len(word) == 0 {
		return dst
	}
	if m.tooLong(word) {
		return append(dst, m.unkID)
	}
	if m.prefix != "" && len(word) >= len(m.prefix) && string(word[:len(m.prefix)]) == m.prefix {
		return m.appendEncodeWordGreedy(dst, word)
	}
	n0 := len(dst)
	dst, ok := m.trie.match(dst, word)
	if !ok {
		return append(dst[:n0], m.unkID)
	}
	return dst
}

// AppendEncodeWordGreedy is the reference algorithm, as HF tokenizers and
// the original BERT code run it: for each start, try the longest remaining
// substring and drop one character at a time until a vocabulary token
// (prefixed by "##" after the first piece) matches. It is O(n²) lookups per
// word and exists to check [Model.AppendEncodeWord].
func (m *Model) AppendEncodeWordGreedy(dst []uint32, word []byte) []uint32 {
	if len(word) == 0 {
		return dst
	}
	if m.tooLong(word) {
		return append(dst, m.unkID)
	}
	return m.appendEncodeWordGreedy(dst, word)
}

func (m *Model) appendEncodeWordGreedy(dst []uint32, word []byte) []uint32 {
	n0 := len(dst)
	var sb strings.Builder
	start := 0
	for start < len(word) {
		end := len(word)
		found := false
		for start < end {
			sb.Reset()
			if start > 0 {
				sb.WriteString(m.prefix)
			}
			sb.Write(word[start:end])
			if id, ok := m.vocab.ids[sb.String()]; ok {
				dst = append(dst, id)
				found = true
				break
			}
			_, size := utf8.DecodeLastRune(word[start:end])
			end -= size
		}
		if !found {
			return append(dst[:n0], m.unkID)
		}
		start = end
	}
	return dst
}

// AppendEncodeWordSpans is AppendEncodeWord that also appends the byte
// range of each piece within word to spans.
func (m *Model) AppendEncodeWordSpans(dst []uint32, spans [][2]int, word []byte) ([]uint32, [][2]int) {
	n0 := len(dst)
	dst = m.AppendEncodeWord(dst, word)
	if len(dst) == n0+1 && dst[n0] == m.unkID {
		return dst, append(spans, [2]int{0, len(word)})
	}
	pos := 0
	for i := n0; i < len(dst); i++ {
		l := len(m.vocab.tokens[dst[i]])
		if pos > 0 {
			l -= len(m.prefix)
		}
		spans = append(spans, [2]int{pos, pos + l})
		pos += l
	}
	return dst, spans
}
