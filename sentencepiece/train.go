package sentencepiece

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sort"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/toklabs/tok/corpora"
)

// TrainConfig holds the settings of a SentencePiece training run. The
// fields mirror spm_train's flags (and `tok train-vocab` flags mirror the
// fields); DefaultTrainConfig gives spm_train's defaults.
type TrainConfig struct {
	Algorithm         Algorithm         // Unigram (default) or BPE
	VocabSize         int               // final vocabulary size, meta pieces included (8000)
	CharacterCoverage float64           // share of characters the vocabulary must cover (0.9995)
	Normalization     NormalizationRule // built-in rule (NmtNFKC)
	// NormalizationTSV, when set, replaces Normalization with custom rules:
	// lines "source<TAB>target" of space-separated hex code points.
	NormalizationTSV       string
	AddDummyPrefix         bool // true
	RemoveExtraWhitespaces bool // true
	MaxSentenceLength      int  // sentences longer than this many bytes are skipped (4192)
	MaxPieceLength         int  // longest piece in characters (16)
	SeedSize               int  // Unigram seed pieces (1,000,000)
	ShrinkingFactor        float64
	SubIterations          int  // EM sub-iterations per pruning round (2)
	SplitByWhitespace      bool // pieces do not cross words (true)
	SplitByUnicodeScript   bool // pieces do not mix scripts (true)
	SplitByNumber          bool // pieces do not mix digits with letters (true)
	SplitDigits            bool // every digit is its own piece (false)
	ByteFallback           bool // add <0x00>..<0xFF> and encode unknown characters as bytes (false)
	UserDefinedSymbols     []string
	ControlSymbols         []string
	UnkID, BosID, EosID    int // 0, 1, 2; -1 disables bos/eos
	PadID                  int // -1
	// SampleSentences, when positive, trains on a uniform reservoir sample
	// of that many sentences (chosen with Seed) instead of all of them;
	// counting is streaming either way, so memory is bounded by the
	// distinct words.
	SampleSentences int
	Seed            uint64
	Workers         int // goroutines for counting and EM (GOMAXPROCS)
	// Progress, when set, receives one line per training stage.
	Progress func(msg string)
}

// DefaultTrainConfig returns spm_train's defaults.
func DefaultTrainConfig() TrainConfig {
	return TrainConfig{
		Algorithm: Unigram, VocabSize: 8000, CharacterCoverage: 0.9995, Normalization: NmtNFKC,
		AddDummyPrefix: true, RemoveExtraWhitespaces: true, MaxSentenceLength: 4192,
		MaxPieceLength: 16, SeedSize: 1000000, ShrinkingFactor: 0.75, SubIterations: 2,
		SplitByWhitespace: true, SplitByUnicodeScript: true, SplitByNumber: true,
		UnkID: 0, BosID: 1, EosID: 2, PadID: -1, Workers: runtime.GOMAXPROCS(0),
	}
}

func (c *TrainConfig) check() error {
	switch {
	case c.Algorithm != Unigram && c.Algorithm != BPE:
		return fmt.Errorf("sentencepiece: cannot train %v models", c.Algorithm)
	case c.VocabSize <= 0:
		return errors.New("sentencepiece: VocabSize must be positive")
	case c.CharacterCoverage <= 0 || c.CharacterCoverage > 1:
		return errors.New("sentencepiece: CharacterCoverage must be in (0, 1]")
	case c.MaxPieceLength <= 0 || c.MaxSentenceLength <= 0:
		return errors.New("sentencepiece: MaxPieceLength and MaxSentenceLength must be positive")
	case c.ShrinkingFactor <= 0 || c.ShrinkingFactor >= 1:
		return errors.New("sentencepiece: ShrinkingFactor must be in (0, 1)")
	case c.UnkID < 0:
		return errors.New("sentencepiece: UnkID must be set")
	}
	if c.Workers <= 0 {
		c.Workers = runtime.GOMAXPROCS(0)
	}
	if c.SubIterations <= 0 {
		c.SubIterations = 2
	}
	return nil
}

func (c *TrainConfig) logf(format string, args ...any) {
	if c.Progress != nil {
		c.Progress(fmt.Sprintf(format, args...))
	}
}

// normalizer returns the normalizer training and the trained model use.
func (c *TrainConfig) normalizer() (*Normalizer, string, error) {
	var rules map[string]string
	name := c.Normalization.String()
	if c.NormalizationTSV != "" {
		var err error
		if rules, err = ParseRuleTSV(c.NormalizationTSV); err != nil {
			return nil, "", err
		}
		name = "user_defined"
	}
	var cm *CharsMap
	if c.NormalizationTSV == "" {
		var err error
		if cm, err = builtinCharsMap(c.Normalization); err != nil {
			return nil, "", err
		}
	} else if len(rules) > 0 {
		var err error
		if cm, err = BuildCharsMap(rules); err != nil {
			return nil, "", err
		}
	}
	n := &Normalizer{Map: cm, AddDummyPrefix: c.AddDummyPrefix, RemoveExtraWhitespaces: c.RemoveExtraWhitespaces, EscapeWhitespaces: true}
	if len(c.UserDefinedSymbols) > 0 {
		vals := make([]int32, len(c.UserDefinedSymbols))
		n.userDefined = newPieceTrie(c.UserDefinedSymbols, vals)
	}
	return n, name, nil
}

// WordCounts are the distinct words (normalized, ▁-prefixed) of a corpus
// with their frequencies: what Unigram and BPE training start from. The
// memory they take is bounded by the distinct words, not the corpus.
type WordCounts struct {
	Words map[string]int64
	// Final counts the occurrences of each word that end their sentence
	// (words that never do are left out). Unigram seeding needs it: a
	// substring that ends words is a seed candidate when what follows
	// it varies, and after a word comes either the next word or the end
	// of the sentence. Nil when unknown (counts files of version 1).
	Final     map[string]int64
	Sentences int64 // sentences counted
	Skipped   int64 // sentences longer than MaxSentenceLength
	Bytes     int64 // input bytes read
}

// splitWords appends the words of normalized text: a new word starts at
// every ▁ (SentencePiece's SplitIntoWords without whitespace-only pieces).
func splitWords(dst [][]byte, text []byte) [][]byte {
	start := 0
	for i := 0; i < len(text); {
		l := min(oneCharLen(text[i]), len(text)-i)
		if i > start && l == 3 && text[i] == 0xE2 && text[i+1] == 0x96 && text[i+2] == 0x81 {
			dst = append(dst, text[start:i])
			start = i
		}
		i += l
	}
	if start < len(text) {
		dst = append(dst, text[start:])
	}
	return dst
}

// cutUserDefined removes user-defined symbols from words: they are
// pieces of their own, so the text around them is counted as separate
// words and the symbols never take part in training.
func cutUserDefined(words [][]byte, ud *pieceTrie) [][]byte {
	out := words[:0:0]
	for _, w := range words {
		start := 0
		for i := 0; i < len(w); {
			if l := ud.longestPrefix(w[i:]); l > 0 {
				if i > start {
					out = append(out, w[start:i])
				}
				i += l
				start = i
				continue
			}
			i += min(oneCharLen(w[i]), len(w)-i)
		}
		if start < len(w) {
			out = append(out, w[start:])
		}
	}
	return out
}

// CountWords reads sentences (lines) from r, normalizes each and counts
// its words with cfg.Workers goroutines. With cfg.SampleSentences > 0 it
// counts a reservoir sample of that many sentences instead.
func CountWords(r corpora.Reader, cfg TrainConfig) (*WordCounts, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	norm, _, err := cfg.normalizer()
	if err != nil {
		return nil, err
	}
	if cfg.SampleSentences > 0 {
		r, err = sampleSentences(r, cfg.SampleSentences, cfg.Seed)
		if err != nil {
			return nil, err
		}
	}
	type job struct{ text []byte }
	jobs := make(chan []byte, cfg.Workers*2)
	results := make([]map[string]int64, cfg.Workers)
	finals := make([]map[string]int64, cfg.Workers)
	var skipped, sentences []int64 = make([]int64, cfg.Workers), make([]int64, cfg.Workers)
	var wg sync.WaitGroup
	for w := 0; w < cfg.Workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			counts := map[string]int64{}
			final := map[string]int64{}
			var buf []byte
			var words [][]byte
			for batch := range jobs {
				for len(batch) > 0 {
					line := batch
					if i := bytes.IndexByte(batch, '\n'); i >= 0 {
						line, batch = batch[:i], batch[i+1:]
					} else {
						batch = nil
					}
					if len(line) > cfg.MaxSentenceLength {
						skipped[w]++
						continue
					}
					sentences[w]++
					buf, _ = norm.Normalize(buf[:0], nil, line, false)
					words = splitWords(words[:0], buf)
					if norm.userDefined != nil {
						words = cutUserDefined(words, norm.userDefined)
					}
					for _, wd := range words {
						counts[string(wd)]++
					}
					if len(words) > 0 {
						final[string(words[len(words)-1])]++
					}
				}
			}
			results[w] = counts
			finals[w] = final
		}(w)
	}
	wc := &WordCounts{}
	var batch []byte
	last := time.Now()
	var readErr error
	for {
		doc, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			readErr = err
			break
		}
		wc.Bytes += int64(len(doc.Text))
		text := bytes.TrimSuffix(doc.Text, []byte("\n"))
		batch = append(batch, text...)
		batch = append(batch, '\n')
		if len(batch) >= 1<<20 {
			jobs <- batch
			batch = nil
			if time.Since(last) > 2*time.Second {
				cfg.logf("counting words: %.1f MB read", float64(wc.Bytes)/1e6)
				last = time.Now()
			}
		}
	}
	if len(batch) > 0 {
		jobs <- batch
	}
	close(jobs)
	wg.Wait()
	if readErr != nil {
		return nil, readErr
	}
	wc.Words, wc.Final = results[0], finals[0]
	for w := 1; w < cfg.Workers; w++ {
		for k, v := range results[w] {
			wc.Words[k] += v
		}
		results[w] = nil
		for k, v := range finals[w] {
			wc.Final[k] += v
		}
		finals[w] = nil
	}
	for w := range skipped {
		wc.Skipped += skipped[w]
		wc.Sentences += sentences[w]
	}
	cfg.logf("counted %d sentences (%d too long, skipped), %.1f MB, %d distinct words", wc.Sentences, wc.Skipped, float64(wc.Bytes)/1e6, len(wc.Words))
	return wc, nil
}

// sortedWords returns the words by frequency, most frequent first, ties by
// bytes: the deterministic order training works in, with their counts and
// sentence-final counts (nil when wc.Final is).
func (wc *WordCounts) sortedWords() (words []string, freqs, finals []int64) {
	type wf struct {
		w string
		f int64
	}
	all := make([]wf, 0, len(wc.Words))
	for w, f := range wc.Words {
		all = append(all, wf{w, f})
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].f != all[j].f {
			return all[i].f > all[j].f
		}
		return all[i].w < all[j].w
	})
	words = make([]string, len(all))
	freqs = make([]int64, len(all))
	for i, x := range all {
		words[i], freqs[i] = x.w, x.f
	}
	if wc.Final != nil {
		finals = make([]int64, len(words))
		for i, w := range words {
			finals[i] = wc.Final[w]
		}
	}
	return words, freqs, finals
}

// unkChar stands for characters outside the character coverage during
// training (U+2047 DOUBLE QUESTION MARK, as in SentencePiece).
const unkChar = '\u2047'

// applyCoverage picks the required characters (the most frequent ones
// covering cfg.CharacterCoverage of all characters; ▁ always) and rewrites
// words so that other characters become unkChar.
func applyCoverage(words []string, freqs, finals []int64, coverage float64) (required []rune, reqFreq map[rune]int64, outWords []string, outFreqs, outFinals []int64) {
	// Characters of the Basic Multilingual Plane are counted in a table.
	small := make([]int64, smallRunes)
	counts := map[rune]int64{}
	var total int64
	for i, w := range words {
		f := freqs[i]
		for _, c := range w {
			if c < smallRunes {
				small[c] += f
			} else {
				counts[c] += f
			}
			total += f
		}
	}
	for c, n := range small {
		if n > 0 {
			counts[rune(c)] = n
		}
	}
	small = nil
	chars := make([]rune, 0, len(counts))
	for c := range counts {
		chars = append(chars, c)
	}
	sort.Slice(chars, func(i, j int) bool {
		a, b := counts[chars[i]], counts[chars[j]]
		if a != b {
			return a > b
		}
		return chars[i] < chars[j]
	})
	reqFreq = map[rune]int64{}
	var acc int64
	for _, c := range chars {
		if coverage < 1 && float64(acc)/float64(total) >= coverage {
			break
		}
		acc += counts[c]
		required = append(required, c)
		reqFreq[c] = counts[c]
	}
	// Most corpora leave most words unchanged; when all are, the input
	// (already distinct and sorted) is the output.
	changed := false
	for _, w := range words {
		for _, c := range w {
			if _, ok := reqFreq[c]; !ok {
				changed = true
				break
			}
		}
		if changed {
			break
		}
	}
	if !changed {
		return required, reqFreq, words, freqs, finals
	}
	if _, ok := reqFreq[unkChar]; ok {
		outWords, outFreqs, outFinals = mergeRewritten(words, freqs, finals, reqFreq, nil)
		return required, reqFreq, outWords, outFreqs, outFinals
	}
	// Rewritten words hold unkChar and the others do not (unkChar is not
	// required), so only rewritten words merge, among themselves: merge
	// them in a map and the result into the unchanged words, which are
	// still in order.
	var same []int32
	rw, rf, rfin := mergeRewritten(words, freqs, finals, reqFreq, &same)
	n := len(same) + len(rw)
	outWords, outFreqs = make([]string, 0, n), make([]int64, 0, n)
	if finals != nil {
		outFinals = make([]int64, 0, n)
	}
	for a, b := 0, 0; a < len(same) || b < len(rw); {
		takeSame := b == len(rw)
		if a < len(same) && b < len(rw) {
			i := same[a]
			takeSame = freqs[i] > rf[b] || (freqs[i] == rf[b] && words[i] < rw[b])
		}
		if takeSame {
			i := same[a]
			outWords, outFreqs = append(outWords, words[i]), append(outFreqs, freqs[i])
			if finals != nil {
				outFinals = append(outFinals, finals[i])
			}
			a++
		} else {
			outWords, outFreqs = append(outWords, rw[b]), append(outFreqs, rf[b])
			if finals != nil {
				outFinals = append(outFinals, rfin[b])
			}
			b++
		}
	}
	return required, reqFreq, outWords, outFreqs, outFinals
}

// mergeRewritten rewrites the characters of words outside reqFreq to
// unkChar and returns the distinct results with summed counts, sorted as
// sortedWords sorts. With same non-nil, words that need no rewriting are
// left out and their indexes appended to *same instead.
func mergeRewritten(words []string, freqs, finals []int64, reqFreq map[rune]int64, same *[]int32) ([]string, []int64, []int64) {
	merged := &WordCounts{Words: map[string]int64{}}
	if finals != nil {
		merged.Final = map[string]int64{}
	}
	var b []byte
	for i, w := range words {
		b = b[:0]
		changed := false
		for _, c := range w {
			if _, ok := reqFreq[c]; !ok {
				c = unkChar
				changed = true
			}
			b = utf8.AppendRune(b, c)
		}
		key := w
		if changed {
			key = string(b)
		} else if same != nil {
			*same = append(*same, int32(i))
			continue
		}
		merged.Words[key] += freqs[i]
		if finals != nil && finals[i] > 0 {
			merged.Final[key] += finals[i]
		}
	}
	return merged.sortedWords()
}
