package wordpiece

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/toklabs/tok"
	"github.com/toklabs/tok/normalize"
	"github.com/toklabs/tok/pretokenize"
)

// WordCount is one distinct word and how often it occurs (package
// wordcount's Entry has the same fields; cmd/tok converts).
type WordCount struct {
	Word  string
	Count uint64
}

// Algorithm selects how [Trainer] picks the next pair of symbols to merge.
type Algorithm uint8

const (
	// HF is the default: HuggingFace tokenizers' WordPieceTrainer, a BPE
	// trainer whose symbols after the first character of a word carry the
	// "##" prefix; it merges the most frequent pair. It is the default
	// because it gives the vocabularies people already use with HF
	// tokenizers and can be checked against HF itself.
	HF Algorithm = iota
	// Likelihood merges the pair whose merge most increases the likelihood
	// of the training data under a unigram model of the symbols, as the
	// WordPiece paper (Schuster & Nakajima 2012) describes: the pair with
	// the highest count(ab) / (count(a)·count(b)). HF does not have it
	// (huggingface/tokenizers#1777). It prefers pairs of rare symbols, so it
	// builds whole rare words early; use MinFrequency to damp that.
	Likelihood
)

var algorithmNames = []string{"hf", "likelihood"}

func (a Algorithm) String() string {
	if int(a) < len(algorithmNames) {
		return algorithmNames[a]
	}
	return fmt.Sprintf("Algorithm(%d)", a)
}

// ParseAlgorithm parses "hf" or "likelihood".
func ParseAlgorithm(s string) (Algorithm, error) {
	for i, n := range algorithmNames {
		if strings.EqualFold(s, n) {
			return Algorithm(i), nil
		}
	}
	return 0, fmt.Errorf("wordpiece: unknown trainer %q (want %s)", s, strings.Join(algorithmNames, " or "))
}

// TrainerConfig configures a [Trainer]. Get the defaults from
// [DefaultTrainerConfig].
type TrainerConfig struct {
	// Algorithm: HF (default) or Likelihood.
	Algorithm Algorithm
	// VocabSize is the size of the vocabulary, special tokens included.
	// Default 30000.
	VocabSize int
	// MinFrequency stops training when the best pair occurs fewer times.
	// Default 0.
	MinFrequency uint64
	// SpecialTokens take the first ids. Default [PAD] [UNK] [CLS] [SEP]
	// [MASK].
	SpecialTokens []string
	// LimitAlphabet, when positive, keeps only the most frequent characters
	// (HF's limit_alphabet). Default 0: all.
	LimitAlphabet int
	// ContinuingSubwordPrefix marks continuation pieces. Default "##".
	ContinuingSubwordPrefix string
	// Progress, if not nil, is called now and then with the vocabulary
	// size reached.
	Progress func(size, target int)
}

// DefaultTrainerConfig returns the defaults of HF's WordPieceTrainer as
// BERT uses it.
func DefaultTrainerConfig() TrainerConfig {
	return TrainerConfig{VocabSize: 30000, SpecialTokens: []string{"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"}, ContinuingSubwordPrefix: "##"}
}

// ErrVocabSize is returned for a vocabulary size that cannot hold the
// special tokens.
var ErrVocabSize = errors.New("wordpiece: vocabulary size too small")

// Trainer builds a WordPiece vocabulary from word counts. It is
// deterministic: the same counts and settings give the same vocabulary.
type Trainer struct {
	cfg TrainerConfig
}

// NewTrainer checks cfg and returns a trainer.
func NewTrainer(cfg TrainerConfig) (*Trainer, error) {
	if cfg.VocabSize <= len(cfg.SpecialTokens) {
		return nil, fmt.Errorf("%w: %d for %d special tokens", ErrVocabSize, cfg.VocabSize, len(cfg.SpecialTokens))
	}
	if cfg.Algorithm > Likelihood {
		return nil, fmt.Errorf("wordpiece: unknown algorithm %d", cfg.Algorithm)
	}
	return &Trainer{cfg: cfg}, nil
}

// Train returns the vocabulary, tokens by id: the special tokens, the
// characters, their "##" continuations, then merged pieces in the order
// they were made. words are normalized, pre-tokenized words with their
// counts (see [NormalizeCounts]); their order does not matter.
func (t *Trainer) Train(words []WordCount) ([]string, error) {
	s := newSymbols(t.cfg, words)
	if t.cfg.Algorithm == Likelihood {
		s.trainLikelihood()
	} else {
		s.trainHF()
	}
	return s.tokens, nil
}

// symbols is the state both algorithms share: the vocabulary so far and
// every distinct word as a sequence of symbol ids.
type symbols struct {
	cfg    TrainerConfig
	tokens []string
	ids    map[string]uint32
	words  [][]uint32
	counts []uint64
}

func (s *symbols) add(t string) uint32 {
	if id, ok := s.ids[t]; ok {
		return id
	}
	id := uint32(len(s.tokens))
	s.tokens = append(s.tokens, t)
	s.ids[t] = id
	return id
}

// newSymbols runs HF's first steps: special tokens, the alphabet (sorted by
// code point, optionally limited to the most frequent characters), then
// every word as characters, those after the first with the prefix. Words
// are taken by count descending, then bytes ascending, which fixes the ids
// of the prefixed characters (HF takes them in hash-map order).
func newSymbols(cfg TrainerConfig, words []WordCount) *symbols {
	s := &symbols{cfg: cfg, ids: make(map[string]uint32)}
	for _, t := range cfg.SpecialTokens {
		s.add(t)
	}
	ws := slices.Clone(words)
	slices.SortFunc(ws, func(a, b WordCount) int {
		if a.Count != b.Count {
			if a.Count > b.Count {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Word, b.Word)
	})
	alpha := map[rune]uint64{}
	for _, w := range ws {
		for _, r := range w.Word {
			alpha[r] += w.Count
		}
	}
	chars := make([]rune, 0, len(alpha))
	for r := range alpha {
		chars = append(chars, r)
	}
	if cfg.LimitAlphabet > 0 && len(chars) > cfg.LimitAlphabet {
		slices.SortFunc(chars, func(a, b rune) int {
			if alpha[a] != alpha[b] {
				if alpha[a] > alpha[b] {
					return -1
				}
				return 1
			}
			return int(a - b)
		})
		chars = chars[:cfg.LimitAlphabet]
	}
	slices.Sort(chars)
	kept := make(map[rune]bool, len(chars))
	for _, r := range chars {
		s.add(string(r))
		kept[r] = true
	}
	for _, w := range ws {
		var sym []uint32
		first := true
		for _, r := range w.Word {
			if !kept[r] {
				continue
			}
			t := string(r)
			if !first {
				t = cfg.ContinuingSubwordPrefix + t
			}
			first = false
			sym = append(sym, s.add(t))
		}
		s.words = append(s.words, sym)
		s.counts = append(s.counts, w.Count)
	}
	return s
}

// mergedToken is the token of merging a and b: b loses its prefix.
func (s *symbols) mergedToken(a, b uint32) string {
	return s.tokens[a] + strings.TrimPrefix(s.tokens[b], s.cfg.ContinuingSubwordPrefix)
}

func (s *symbols) progress() {
	if s.cfg.Progress != nil && len(s.tokens)%256 == 0 {
		s.cfg.Progress(len(s.tokens), s.cfg.VocabSize)
	}
}

// NormalizeCounts turns counts of raw BERT pre-tokens (words split at white
// space and punctuation, as pretokenize.AppendBert splits raw text) into
// counts of the words HF trains on: each distinct word is normalized with
// n and split again (the normalizer can add spaces, around CJK ideographs).
// Normalizing distinct words instead of every occurrence gives the same
// counts, much faster. Invalid UTF-8 is read as U+FFFD. The result is
// sorted by bytes.
//
// It takes []WordCount or any slice of a struct with the same fields, such
// as package wordcount's []Entry.
func NormalizeCounts[E ~struct {
	Word  string
	Count uint64
}](words []E, n normalize.Bert) []WordCount {
	m := make(map[string]uint64, len(words))
	var buf, fix []byte
	var spans []tok.Span
	for _, e := range words {
		w := WordCount(e)
		src := []byte(w.Word)
		if !utf8.Valid(src) {
			fix, _ = replaceInvalid(fix[:0], nil, src)
			src = fix
		}
		buf = n.Normalize(buf[:0], src)
		spans = pretokenize.AppendBert(spans[:0], buf, tok.Span{Start: 0, End: len(buf)})
		for _, sp := range spans {
			m[string(buf[sp.Start:sp.End])] += w.Count
		}
	}
	out := make([]WordCount, 0, len(m))
	for w, c := range m {
		out = append(out, WordCount{w, c})
	}
	slices.SortFunc(out, func(a, b WordCount) int { return strings.Compare(a.Word, b.Word) })
	return out
}
