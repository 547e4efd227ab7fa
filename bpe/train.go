package bpe

// The byte-level BPE trainer. It follows HuggingFace tokenizers'
// BpeTrainer (models/bpe/trainer.rs) step for step, so that given the same
// word counts and settings it learns the same merges in the same order:
//
//  1. Special tokens take the first ids.
//  2. The alphabet: every byte that occurs (and, by default, all 256 bytes),
//     optionally cut to LimitAlphabet by frequency, sorted by the GPT-2
//     character it is written as (printable bytes first, see
//     [ByteLevelEncode]); ids follow the special tokens.
//  3. Each word becomes a sequence of byte ids; pairs of adjacent ids are
//     counted, weighted by the word's count, and each pair remembers the
//     words it occurs in.
//  4. A priority queue of candidates (count desc, then pair of ids asc,
//     then age) is popped; a candidate whose count is stale is re-pushed
//     with the current count (lazy re-validation). The winner's new token
//     gets the next id (or the existing id if that string is already a
//     token, in which case the merge is recorded but the vocabulary does
//     not grow), and the merge is applied to the words the candidate
//     remembers; the pair deltas update the counts and the pairs that
//     gained occurrences are pushed as new candidates with those words.
//  5. Stop when the vocabulary reaches VocabSize, the queue is empty, or the
//     best count is below MinFrequency.
//
// HuggingFace's behaviour is kept where it is observable, including its
// quirks: a candidate only merges the words it was pushed with (so a pair
// whose token string was reached by two different merges can be merged
// twice, and merges.txt then lists it twice); the merged pair's own count
// is not decremented; MaxTokenLength only blocks a new pair when the two
// parts' lengths sum to MaxTokenLength or more.
//
// Differences, all where HuggingFace is nondeterministic or overflows:
// counts are 64-bit everywhere (HF's pair counts are i32 and wrap,
// huggingface/tokenizers#2058); when two queued candidates for the same
// pair have the same count, the older one is popped first (HF's order
// depends on HashMap iteration); LimitAlphabet drops the rarest bytes,
// ties broken by dropping the later character first (HF: unstable sort).
//
// Parallelism: the initial pair count is split over contiguous ranges of
// words, and a merge that touches many words is applied by several
// goroutines on disjoint ranges of its word list; both are concatenated in
// word order, so the result does not depend on Workers.

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/toklabs/tok/wordcount"
)

// TrainAlphabet says which bytes start the vocabulary.
type TrainAlphabet int

const (
	// AlphabetFull puts all 256 bytes in the vocabulary, so any input can
	// be encoded (GPT-2 style). It is HF's BpeTrainer with
	// initial_alphabet = ByteLevel.alphabet().
	AlphabetFull TrainAlphabet = iota
	// AlphabetSeen puts only the bytes that occur in the corpus, as HF's
	// default BpeTrainer does with a ByteLevel pre-tokenizer (its
	// initial_alphabet is empty); bytes never seen cannot be encoded.
	AlphabetSeen
)

var trainAlphabetNames = [...]string{"full", "seen"}

func (a TrainAlphabet) String() string {
	if a >= 0 && int(a) < len(trainAlphabetNames) {
		return trainAlphabetNames[a]
	}
	return fmt.Sprintf("TrainAlphabet(%d)", int(a))
}

// ParseTrainAlphabet parses "full" or "seen".
func ParseTrainAlphabet(s string) (TrainAlphabet, error) {
	for i, n := range trainAlphabetNames {
		if strings.EqualFold(s, n) {
			return TrainAlphabet(i), nil
		}
	}
	return 0, fmt.Errorf("bpe: unknown alphabet %q (want full or seen)", s)
}

// TrainConfig configures a [Trainer]. Start from [DefaultTrainConfig].
type TrainConfig struct {
	// VocabSize is the target number of tokens, special tokens included.
	// Default 30000.
	VocabSize int
	// MinFrequency stops training when the best pair occurs fewer times.
	// Default 0.
	MinFrequency uint64
	// SpecialTokens get ids 0..k-1, in this order (duplicates once).
	SpecialTokens []string
	// MaxTokenLength, when positive, limits the byte length of merged
	// tokens with HF's rule: a pair is not counted after a merge when its
	// two parts' lengths sum to MaxTokenLength or more. Default 0 (none).
	MaxTokenLength int
	// Alphabet chooses the initial bytes; default AlphabetFull.
	Alphabet TrainAlphabet
	// InitialAlphabet bytes are always in the alphabet (like HF's
	// initial_alphabet).
	InitialAlphabet []byte
	// LimitAlphabet, when positive, keeps only that many of the most
	// frequent alphabet bytes (InitialAlphabet and, with AlphabetFull,
	// every byte count as most frequent). Default 0 (no limit).
	LimitAlphabet int
	// Workers bounds parallelism; default GOMAXPROCS. Results do not
	// depend on it.
	Workers int
	// Progress, if not nil, is called now and then from the training
	// goroutine.
	Progress func(TrainProgress)
}

// TrainProgress is a snapshot of a running [Trainer.Train].
type TrainProgress struct {
	Stage   string // "pairs" or "merges"
	Merges  int    // merges done
	Vocab   int    // vocabulary size now
	Target  int    // TrainConfig.VocabSize
	Elapsed time.Duration
}

// DefaultTrainConfig returns the documented defaults.
func DefaultTrainConfig() TrainConfig {
	return TrainConfig{VocabSize: 30000, Workers: runtime.GOMAXPROCS(0)}
}

// ErrTrainConfig is returned for an invalid TrainConfig.
var ErrTrainConfig = errors.New("bpe: invalid train config")

// Trainer learns a byte-level BPE vocabulary from word counts. A Trainer
// is safe for concurrent use; each Train call is independent.
type Trainer struct {
	cfg TrainConfig
}

// NewTrainer validates cfg and returns a Trainer.
func NewTrainer(cfg TrainConfig) (*Trainer, error) {
	if cfg.VocabSize <= 0 {
		return nil, fmt.Errorf("%w: VocabSize %d", ErrTrainConfig, cfg.VocabSize)
	}
	if cfg.MaxTokenLength < 0 || cfg.LimitAlphabet < 0 {
		return nil, fmt.Errorf("%w: negative MaxTokenLength or LimitAlphabet", ErrTrainConfig)
	}
	if cfg.Alphabet != AlphabetFull && cfg.Alphabet != AlphabetSeen {
		return nil, fmt.Errorf("%w: alphabet %v", ErrTrainConfig, cfg.Alphabet)
	}
	for _, s := range cfg.SpecialTokens {
		if s == "" {
			return nil, fmt.Errorf("%w: empty special token", ErrTrainConfig)
		}
	}
	if cfg.Workers <= 0 {
		cfg.Workers = runtime.GOMAXPROCS(0)
	}
	return &Trainer{cfg: cfg}, nil
}

// TrainMerge is one learned merge: tokens A and B (ids) make New.
type TrainMerge struct {
	A, B, New uint32
}

// TrainResult is a trained vocabulary.
type TrainResult struct {
	// Tokens holds the bytes of every token by id. The first NumSpecial are
	// the special tokens (their content as given).
	Tokens     [][]byte
	NumSpecial int
	// Merges in the order learned (rank = index). New may repeat an earlier
	// id (see the package notes on duplicate merges).
	Merges []TrainMerge
}

// TokenName is a token as vocab.json and merges.txt write it: special
// tokens as they are, the others in the GPT-2 byte alphabet.
func (r *TrainResult) TokenName(id uint32) string {
	if int(id) < r.NumSpecial {
		return string(r.Tokens[id])
	}
	return ByteLevelEncode(r.Tokens[id])
}

// byteRankOrder lists the bytes in the order of the characters they are
// written as (printable bytes first), the order HF sorts its alphabet in.
func byteRankOrder() []byte {
	order := make([]byte, 0, 256)
	for b := 0; b < 256; b++ {
		order = append(order, byte(b))
	}
	slices.SortFunc(order, func(x, y byte) int { return cmp.Compare(byteToRune[x], byteToRune[y]) })
	return order
}

// trainVocab is the growing vocabulary, keyed the way HF keys it (special
// tokens by content, the others by their byte-level string).
type trainVocab struct {
	res   *TrainResult
	ids   map[string]uint32
	tlen  []int // byte length of each token (HF: characters of its byte-level string)
	nspec int
}

func (v *trainVocab) add(key string, raw []byte) (uint32, bool) {
	if id, ok := v.ids[key]; ok {
		return id, false
	}
	id := uint32(len(v.res.Tokens))
	v.ids[key] = id
	v.res.Tokens = append(v.res.Tokens, raw)
	v.tlen = append(v.tlen, len(raw))
	return id, true
}

// start adds the special tokens and the alphabet and returns the id of
// each byte (-1: not in the alphabet).
func (t *Trainer) start(words []wordcount.Entry) (*trainVocab, [256]int32) {
	v := &trainVocab{res: &TrainResult{}, ids: map[string]uint32{}}
	for _, s := range t.cfg.SpecialTokens {
		if _, added := v.add(s, []byte(s)); added {
			v.res.NumSpecial++
		}
	}
	var freq [256]uint64
	var seen [256]bool
	for _, e := range words {
		for i := 0; i < len(e.Word); i++ {
			b := e.Word[i]
			seen[b] = true
			if freq[b]+e.Count < freq[b] {
				freq[b] = math.MaxUint64
			} else {
				freq[b] += e.Count
			}
		}
	}
	for _, b := range t.cfg.InitialAlphabet {
		seen[b], freq[b] = true, math.MaxUint64
	}
	if t.cfg.Alphabet == AlphabetFull {
		for b := range seen {
			seen[b], freq[b] = true, math.MaxUint64
		}
	}
	var alpha []byte
	for _, b := range byteRankOrder() {
		if seen[b] {
			alpha = append(alpha, b)
		}
	}
	if lim := t.cfg.LimitAlphabet; lim > 0 && len(alpha) > lim {
		byFreq := slices.Clone(alpha) // in character order
		slices.SortStableFunc(byFreq, func(x, y byte) int {
			if c := cmp.Compare(freq[x], freq[y]); c != 0 {
				return c
			}
			return -cmp.Compare(byteToRune[x], byteToRune[y])
		})
		for _, b := range byFreq[:len(alpha)-lim] {
			seen[b] = false
		}
		alpha = slices.DeleteFunc(alpha, func(b byte) bool { return !seen[b] })
	}
	var byteID [256]int32
	for i := range byteID {
		byteID[i] = -1
	}
	for _, b := range alpha {
		id, _ := v.add(ByteLevelEncode([]byte{b}), []byte{b})
		byteID[b] = int32(id)
	}
	return v, byteID
}

// Train learns merges from counts (in any order; they are not modified).
func (t *Trainer) Train(counts *wordcount.Counts) (*TrainResult, error) {
	t0 := time.Now()
	cfg := &t.cfg
	v, byteID := t.start(counts.Words)

	// Words as id sequences in one arena; words of fewer than two symbols
	// never take part in a pair and are left out.
	// Size the arena exactly first: growing it by doubling would hold two
	// copies at the peak.
	nsyms, nwords := 0, 0
	for _, e := range counts.Words {
		k := 0
		for i := 0; i < len(e.Word); i++ {
			if byteID[e.Word[i]] >= 0 {
				k++
			}
		}
		if k >= 2 {
			nsyms += k
			nwords++
		}
	}
	ws := &trainWords{
		syms:  make([]uint32, 0, nsyms),
		start: make([]int, 0, nwords),
		n:     make([]int32, 0, nwords),
		count: make([]int64, 0, nwords),
	}
	for _, e := range counts.Words {
		st := len(ws.syms)
		for i := 0; i < len(e.Word); i++ {
			if id := byteID[e.Word[i]]; id >= 0 {
				ws.syms = append(ws.syms, uint32(id))
			}
		}
		if len(ws.syms)-st < 2 {
			ws.syms = ws.syms[:st]
			continue
		}
		if len(ws.start) >= math.MaxInt32 {
			return nil, fmt.Errorf("bpe: more than %d distinct words", math.MaxInt32)
		}
		ws.start = append(ws.start, st)
		ws.n = append(ws.n, int32(len(ws.syms)-st))
		ws.count = append(ws.count, int64(min(e.Count, math.MaxInt64)))
	}
	if cfg.Progress != nil {
		cfg.Progress(TrainProgress{Stage: "pairs", Vocab: len(v.res.Tokens), Target: cfg.VocabSize, Elapsed: time.Since(t0)})
	}
	maxLen := math.MaxInt
	if cfg.MaxTokenLength > 0 {
		maxLen = cfg.MaxTokenLength
	}
	pc, queue := countPairs(ws, cfg.Workers)
	m := &merger{ws: ws, tlen: &v.tlen, maxLen: maxLen, workers: cfg.Workers}

	var lastReport time.Time
	for len(v.ids) < cfg.VocabSize && queue.len() > 0 {
		top := queue.pop()
		cur := pc.get(top.pair)
		if top.count != cur {
			top.count = cur
			queue.push(top)
			continue
		}
		if top.count < 1 || cfg.MinFrequency > uint64(top.count) {
			break
		}
		a, b := uint32(top.pair>>32), uint32(top.pair)
		raw := append(append(make([]byte, 0, v.tlen[a]+v.tlen[b]), v.res.Tokens[a]...), v.res.Tokens[b]...)
		newID, _ := v.add(v.res.TokenName(a)+v.res.TokenName(b), raw)
		v.res.Merges = append(v.res.Merges, TrainMerge{a, b, newID})

		for _, c := range m.apply(top.pos, a, b, newID) {
			pc.add(c.pair, c.delta)
		}
		for _, np := range m.newPairs() {
			if n := pc.get(np.pair); n > 0 {
				queue.push(candidate{count: n, pair: np.pair, pos: np.pos})
			}
		}
		if cfg.Progress != nil && time.Since(lastReport) > 200*time.Millisecond {
			lastReport = time.Now()
			cfg.Progress(TrainProgress{Stage: "merges", Merges: len(v.res.Merges), Vocab: len(v.res.Tokens), Target: cfg.VocabSize, Elapsed: time.Since(t0)})
		}
	}
	if cfg.Progress != nil {
		cfg.Progress(TrainProgress{Stage: "merges", Merges: len(v.res.Merges), Vocab: len(v.res.Tokens), Target: cfg.VocabSize, Elapsed: time.Since(t0)})
	}
	return v.res, nil
}

// trainWords holds the distinct words as symbol ids.
type trainWords struct {
	syms  []uint32
	start []int   // offset of each word in syms
	n     []int32 // current number of symbols of each word
	count []int64
}

func (w *trainWords) word(i int32) []uint32 {
	s := w.start[i]
	return w.syms[s : s+int(w.n[i])]
}

func pairKey(a, b uint32) uint64 { return uint64(a)<<32 | uint64(b) }
