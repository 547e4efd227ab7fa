package sentencepiece

import (
	"fmt"
	"math"

	"runtime/debug"
	"slices"
	"sort"
	"unicode/utf8"

	"github.com/toklabs/tok/corpora"
)

// Train counts the words of the corpus and trains a model on them.
func Train(r corpora.Reader, cfg TrainConfig) (*Model, error) {
	wc, err := CountWords(r, cfg)
	if err != nil {
		return nil, err
	}
	return TrainFromCounts(wc, cfg)
}

// TrainFromCounts trains a model from word counts (see [CountWords]).
// Training is deterministic: the same counts and config give the same
// model whatever cfg.Workers is.
func TrainFromCounts(wc *WordCounts, cfg TrainConfig) (*Model, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	if len(wc.Words) == 0 {
		return nil, fmt.Errorf("sentencepiece: no words to train on")
	}
	words, freqs, finals := wc.sortedWords()
	required, reqFreq, words, freqs, finals := applyCoverage(words, freqs, finals, cfg.CharacterCoverage)
	cfg.logf("%d words, %d required characters (coverage %.4f)", len(words), len(required), cfg.CharacterCoverage)
	var pieces []scoredPiece
	var err error
	switch cfg.Algorithm {
	case BPE:
		pieces, err = trainBPE(words, freqs, required, &cfg)
	default:
		pieces, err = trainUnigram(words, freqs, finals, required, reqFreq, &cfg)
	}
	if err != nil {
		return nil, err
	}
	return buildModel(pieces, &cfg)
}

// scoredPiece is a piece of the trained vocabulary with its score.
type scoredPiece struct {
	text  string
	score float64
}

// sortPieces orders by score, highest first, ties by text (SentencePiece's
// Sorted).
func sortPieces(p []scoredPiece) {
	sort.Slice(p, func(i, j int) bool {
		if p[i].score != p[j].score {
			return p[i].score > p[j].score
		}
		return p[i].text < p[j].text
	})
}

func trainUnigram(words []string, freqs, finals []int64, required []rune, reqFreq map[rune]int64, cfg *TrainConfig) ([]scoredPiece, error) {
	meta := metaCount(cfg)
	target := cfg.VocabSize - meta
	if target < len(required) {
		return nil, fmt.Errorf("sentencepiece: vocabulary size %d is too small: %d required characters plus %d meta pieces", cfg.VocabSize, len(required), meta)
	}
	releaseMemory() // counting's garbage
	chars := newCharIDs(required)
	text := newWordText(words, freqs, finals, chars)
	ws := text.words
	words = nil
	releaseMemory()
	seeds, seedScores := makeSeeds(text, chars, reqFreq, cfg)
	releaseMemory() // the suffix arrays and the candidates
	cfg.logf("unigram: %d seed pieces", seeds.len())
	var sum float64
	for _, s := range seedScores {
		sum += s
	}
	logSum := math.Log(sum)
	for i, s := range seedScores {
		seedScores[i] = math.Log(s) - logSum
	}
	desired := int(float64(target) * 1.1)
	var allFreq float64
	for _, f := range freqs {
		allFreq += float64(f)
	}
	chunks := wordChunks(ws, len(freqs))
	m := newTModel(chars, seeds, seedScores, false)
	releaseMemory()
	for round := 1; ; round++ {
		for it := 0; it < cfg.SubIterations; it++ {
			expected, objective := eStep(m, ws, chunks, freqs, cfg.Workers)
			// M-step: drop rare pieces, then Bayesian (digamma) re-estimate.
			keep := 0
			var total float64
			for _, e := range expected {
				if e >= 0.5 {
					keep++
					total += e
				}
			}
			np := newPieceRefs(m.pieces.text, keep)
			ns := make([]float64, 0, keep)
			logTotal := digamma(total)
			for i, e := range expected {
				if e >= 0.5 {
					np.addFrom(m.pieces, i)
					ns = append(ns, digamma(e)-logTotal)
				}
			}
			big := round <= 2 // the models that set the peak
			if big {
				releaseMemory() // the E-step's sums
			}
			m = nil
			m = newTModel(chars, np, ns, true)
			if big {
				releaseMemory() // the previous model
			}
			cfg.logf("unigram: EM round %d.%d: %d pieces, objective %.4f", round, it+1, np.len(), -objective/allFreq)
		}
		if m.pieces.len() <= desired {
			break
		}
		m = prune(m, ws, chunks, freqs, desired, cfg)
		if round <= 2 {
			releaseMemory()
		}
	}
	return finalizePieces(m, required, target), nil
}

// wordText is the text seeds are found in: the words as character id
// sequences, each followed by a symbol for what follows it in the corpus
// (see wordEnd), then a second copy of the words that both end sentences
// and do not.
type wordText struct {
	words *seqs // the words with their end symbols; ids runs on over the copies
	// copyStart[k] is where the copy of word copyOf[k] starts in words.ids.
	copyStart, copyOf []int32
	// The words' counts and sentence-final counts (nil when unknown).
	freqs, finals []int64
	// bucket[b] is the word holding position b<<bucketBits, for weight.
	bucket []int32
}

const bucketBits = 6

// The end symbols of words (ids after the alphabet's): endWord when the
// next word follows, endSentence when the sentence ends, and with unknown
// sentence ends (finals nil), a symbol of its own per word: endUnique+i.
func wordEnd(chars *charIDs) int32 { return int32(len(chars.runes)) }

const (
	endWord     = 0
	endSentence = 1
	endUnique   = 2
)

// newWordText lays out the words. A word that occurs both inside and at
// the end of sentences is written twice, once with each end symbol, so
// that a substring ending words counts as followed by two different
// symbols exactly when the corpus has it before both; the lattice uses
// only the first copies.
func newWordText(words []string, freqs, finals []int64, chars *charIDs) *wordText {
	total, copies := 0, 0
	for i, w := range words {
		n := utf8.RuneCountInString(w) + 1
		total += n
		if finals != nil && finals[i] > 0 && finals[i] < freqs[i] {
			total += n
			copies++
		}
	}
	t := &wordText{words: newSeqs(len(words), total), freqs: freqs, finals: finals,
		copyStart: make([]int32, 0, copies), copyOf: make([]int32, 0, copies)}
	ws := t.words
	end := wordEnd(chars)
	for i, w := range words {
		ws.ids = chars.appendIDs(ws.ids, w)
		switch {
		case finals == nil:
			ws.ids = append(ws.ids, end+endUnique+int32(i))
		case finals[i] == freqs[i]:
			ws.ids = append(ws.ids, end+endSentence)
		default: // inside sentences, and maybe at their end too (the copy)
			ws.ids = append(ws.ids, end+endWord)
		}
		ws.off = append(ws.off, int32(len(ws.ids)))
	}
	for i := range words {
		if finals != nil && finals[i] > 0 && finals[i] < freqs[i] {
			t.copyStart = append(t.copyStart, int32(len(ws.ids)))
			t.copyOf = append(t.copyOf, int32(i))
			ws.ids = append(ws.ids, ws.at(i)...)
			ws.ids[len(ws.ids)-1] = end + endSentence
		}
	}
	nw := int32(ws.len())
	t.bucket = make([]int32, 0, (int(ws.off[nw])>>bucketBits)+1)
	for p, i := int32(0), int32(0); p < ws.off[nw]; p += 1 << bucketBits {
		for ws.off[i+1] <= p {
			i++
		}
		t.bucket = append(t.bucket, i)
	}
	return t
}

// weight returns how many times the word at position p of the text
// occurs in the corpus with the end symbol it has there.
func (t *wordText) weight(p int32) int64 {
	ws := t.words
	if p < ws.off[len(ws.off)-1] {
		i := t.bucket[p>>bucketBits]
		for ws.off[i+1] <= p {
			i++
		}
		if t.finals == nil || t.finals[i] == t.freqs[i] {
			return t.freqs[i]
		}
		return t.freqs[i] - t.finals[i]
	}
	k, found := slices.BinarySearch(t.copyStart, p)
	if !found {
		k--
	}
	return t.finals[t.copyOf[k]]
}

// word returns word i of a wordText's words without its end symbol.
func word(ws *seqs, i int) []int32 {
	w := ws.at(i)
	return w[:len(w)-1]
}

// eStep computes the expected count of every piece over all words and
// the objective, minus the log likelihood of the words.
func eStep(m *tmodel, ws *seqs, chunks []int, freqs []int64, workers int) (expected []float64, objective float64) {
	return sumChunks(chunks, m.pieces.len(), workers, func(lo, hi int, exp []float32, sc *latticeScratch) float64 {
		obj := 0.0
		for i := lo; i < hi; i++ {
			f := float64(freqs[i])
			obj -= f * m.marginals(sc, word(ws, i), f, exp)
		}
		return obj
	})
}

// prune removes the pieces whose loss of likelihood when removed is the
// smallest, keeping max(desired, ShrinkingFactor × size) pieces.
func prune(m *tmodel, ws *seqs, chunks []int, freqs []int64, desired int, cfg *TrainConfig) *tmodel {
	n := m.pieces.len()
	alwaysKeep := make([]bool, n)
	alternatives := make([][]int32, n)
	parallelChunks(n, cfg.Workers, func(_, lo, hi int) {
		var sc latticeScratch
		var path []int32
		for i := lo; i < hi; i++ {
			w := m.pieces.at(i)
			path, _ = m.viterbi(&sc, w, -1, path[:0])
			if len(path) >= 2 {
				continue // its best segmentation splits it: removable
			}
			alwaysKeep[i] = true
			alt, ok := m.viterbi(&sc, w, int32(i), nil)
			if ok {
				alternatives[i] = alt
			}
		}
	})
	// Piece frequencies in the Viterbi segmentation of every word.
	freq, _ := sumChunks(chunks, n, cfg.Workers, func(lo, hi int, fr []float64, sc *latticeScratch) float64 {
		var path []int32
		for i := lo; i < hi; i++ {
			path, _ = m.viterbi(sc, word(ws, i), -1, path[:0])
			for _, id := range path {
				if id >= 0 {
					fr[id] += float64(freqs[i])
				}
			}
		}
		return 0
	})
	var sum, vsum float64
	for _, f := range freq {
		sum += f
	}
	for _, f := range freqs {
		vsum += float64(f)
	}
	logSum := math.Log(sum)
	type cand struct {
		id   int
		loss float64
	}
	var keep []int
	var cands []cand
	for i := 0; i < n; i++ {
		switch {
		case freq[i] == 0 || !alwaysKeep[i]:
		case len(alternatives[i]) == 0:
			keep = append(keep, i)
		default:
			F := freq[i] / vsum
			logProbSP := math.Log(freq[i]) - logSum
			// The total after freq[i] moves to the alternatives.
			// SentencePiece before 0.1.99 (Debian's spm_train 0.1.97, the
			// peer) multiplies by the number of pieces minus one instead
			// of the alternatives: on ja.txt at 8000 pieces that shares
			// 95.0% of the pieces with spm_train instead of 92.7%, but
			// held-out bytes per token differ from spm_train's by +1.21%
			// instead of -0.33%, outside the 1% this trainer aims at;
			// this is the formula SentencePiece has used since.
			logSumAlt := math.Log(sum + freq[i]*float64(len(alternatives[i])-1))
			logProbAlt := 0.0
			for _, a := range alternatives[i] {
				fa := 0.0
				if a >= 0 {
					fa = freq[a]
				}
				logProbAlt += math.Log(fa+freq[i]) - logSumAlt
			}
			cands = append(cands, cand{i, F * (logProbSP - logProbAlt)})
		}
	}
	sort.Slice(cands, func(a, b int) bool {
		if cands[a].loss != cands[b].loss {
			return cands[a].loss > cands[b].loss
		}
		return cands[a].id < cands[b].id
	})
	size := max(desired, int(cfg.ShrinkingFactor*float64(n)))
	for _, c := range cands {
		if len(keep) >= size {
			break
		}
		keep = append(keep, c.id)
	}
	sort.Ints(keep)
	np := newPieceRefs(m.pieces.text, len(keep))
	ns := make([]float64, len(keep))
	for i, id := range keep {
		np.addFrom(m.pieces, id)
		ns[i] = m.scores[id]
	}
	cfg.logf("unigram: pruned %d → %d pieces", n, np.len())
	return newTModel(m.chars, np, ns, true)
}

// finalizePieces keeps every required character (with a score just above
// the minimum when EM dropped it) and then the best-scoring pieces up to
// size.
func finalizePieces(m *tmodel, required []rune, size int) []scoredPiece {
	all := make([]scoredPiece, m.pieces.len())
	have := make(map[string]float64, len(all))
	minScore := math.Inf(1)
	var b []byte
	for i := range all {
		b = m.chars.appendText(b[:0], m.pieces.at(i))
		all[i] = scoredPiece{string(b), m.scores[i]}
		have[all[i].text] = m.scores[i]
		minScore = min(minScore, m.scores[i])
	}
	final := map[string]float64{}
	penalty := 0.0
	for _, c := range required { // most frequent first
		s := string(c)
		if v, ok := have[s]; ok {
			final[s] = v
		} else {
			final[s] = minScore + penalty
			penalty += 0.0001
		}
	}
	sortPieces(all)
	for _, p := range all {
		if len(final) >= size {
			break
		}
		if _, ok := final[p.text]; !ok {
			final[p.text] = p.score
		}
	}
	out := make([]scoredPiece, 0, len(final))
	for t, s := range final {
		out = append(out, scoredPiece{t, s})
	}
	sortPieces(out)
	return out
}

// seedHeap keeps the best substrings by score (a min-heap on score).
type seedCand struct {
	start, length int32
	score         int64
}

type seedHeap struct {
	c     []seedCand
	arr   []int32
	chars *charIDs
}

// less orders the heap: lower score first; of equal scores the larger
// string, so that it is evicted first.
func (h *seedHeap) less(i, j int) bool {
	a, b := h.c[i], h.c[j]
	if a.score != b.score {
		return a.score < b.score
	}
	return h.chars.compare(h.arr[a.start:a.start+a.length], h.arr[b.start:b.start+b.length]) > 0
}

// down restores the heap order below i.
func (h *seedHeap) down(i int) {
	for {
		least := i
		if k := 2*i + 1; k < len(h.c) && h.less(k, least) {
			least = k
		}
		if k := 2*i + 2; k < len(h.c) && h.less(k, least) {
			least = k
		}
		if least == i {
			return
		}
		h.c[i], h.c[least] = h.c[least], h.c[i]
		i = least
	}
}

// replaceWorst puts c in place of the worst candidate when c is better.
// The heap's capacity exceeds its length.
func (h *seedHeap) replaceWorst(c seedCand) {
	h.c = append(h.c, c)
	worse := h.less(0, len(h.c)-1) // the heap's worst is worse than c
	h.c = h.c[:len(h.c)-1]
	if worse {
		h.c[0] = c
		h.down(0)
	}
}

// seedCollector keeps the best room candidates. Until there are room of
// them it appends them to fixed-size blocks (no slice is re-grown, so no
// copies are left for the garbage collector); past room it keeps them in
// a heap of room, from which the worst is evicted.
type seedCollector struct {
	room, extra int // extra: capacity to leave for the required characters
	blocks      [][]seedCand
	n           int
	heap        *seedHeap
	full        bool // the candidates are in heap
}

const seedBlock = 1 << 14

func (sc *seedCollector) add(c seedCand) {
	if !sc.full && sc.n == sc.room {
		sc.heap.c = sc.flatten()
		for i := len(sc.heap.c)/2 - 1; i >= 0; i-- {
			sc.heap.down(i)
		}
		sc.full = true
	}
	if sc.full {
		sc.heap.replaceWorst(c)
		return
	}
	if sc.n%seedBlock == 0 {
		sc.blocks = append(sc.blocks, make([]seedCand, 0, seedBlock))
	}
	last := len(sc.blocks) - 1
	sc.blocks[last] = append(sc.blocks[last], c)
	sc.n++
}

// flatten returns the collected candidates in one slice with room for
// extra+1 more, and frees the blocks.
func (sc *seedCollector) flatten() []seedCand {
	out := make([]seedCand, 0, sc.n+sc.extra+1)
	for _, b := range sc.blocks {
		out = append(out, b...)
	}
	sc.blocks = nil
	return out
}

// candidates returns the kept candidates, with capacity for extra more.
func (sc *seedCollector) candidates() []seedCand {
	if sc.full {
		return sc.heap.c
	}
	return sc.flatten()
}

// makeSeeds returns the initial pieces, in key order: every required
// character with its frequency, and the frequent substrings scored by
// frequency × length, up to cfg.SeedSize pieces in all.
//
// SentencePiece finds the substrings with a suffix array over the whole
// corpus, which costs about 20 bytes per corpus character. tok builds the
// suffix array over the distinct words instead, weighting each position
// by its word's count: a substring's weighted count is its frequency in
// the corpus. The candidates are the internal nodes of that suffix tree:
// repeats followed by two different characters or a word end. (Adding
// whole words that occur inside no other word as candidates too was
// tried: on en-tinyshakespeare at 8000 pieces it gave 0.1% fewer held-out
// tokens than spm_train instead of 0.5% more, but shared 85% of the
// vocabulary with spm_train instead of 95%, so it is not what
// SentencePiece does.)
//
// The suffix array is built over ws itself (words as character ids, each
// followed by its word-end symbol), so the seeds take no copy of the text.
func makeSeeds(text *wordText, chars *charIDs, reqFreq map[rune]int64, cfg *TrainConfig) (*pieceRefs, []float64) {
	arr := text.words.ids
	// A position weighs its word's count; end symbols never start a
	// repeat that is kept, so their weight does not matter.
	wordOf := text.weight
	required := chars.runes[:chars.other]
	room := cfg.SeedSize - len(required)
	h := &seedHeap{arr: arr, chars: chars}
	runes := make([]rune, 0, cfg.MaxPieceLength)
	valid := func(start, length int32, count int64) bool {
		if length <= 1 || int(length) > cfg.MaxPieceLength || count < 2 {
			return false
		}
		runes = runes[:0]
		for _, c := range arr[start : start+length] {
			if c >= chars.other { // other characters and word ends
				return false
			}
			runes = append(runes, chars.runes[c])
		}
		return cfg.validPiece(runes)
	}
	var cands []seedCand
	if room > 0 {
		idx := newSuffixIndex(arr)
		col := &seedCollector{room: room, extra: len(required), heap: h}
		idx.repeats(wordOf, func(start, length int32, count int64) {
			if valid(start, length, count) {
				col.add(seedCand{start, length, count * int64(length)})
			}
		})
		idx = nil
		releaseMemory() // the suffix and LCP arrays
		cands = col.candidates()
	}
	// Each required character is a span of the words too: its first
	// occurrence.
	at := make([]int32, len(required))
	for i := range at {
		at[i] = -1
	}
	found := 0
	for p, c := range arr {
		if c < chars.other && at[c] < 0 {
			at[c] = int32(p)
			if found++; found == len(at) {
				break
			}
		}
	}
	for i, c := range required {
		if at[i] >= 0 { // always: the required characters are counted in the words
			cands = append(cands, seedCand{at[i], 1, reqFreq[c]})
		}
	}
	// The model keeps its pieces in key order (character ids), so that
	// building its trie, and that of every later model made of some of its
	// pieces, needs no sorting.
	slices.SortFunc(cands, func(a, b seedCand) int {
		return slices.Compare(arr[a.start:a.start+a.length], arr[b.start:b.start+b.length])
	})
	seeds := newPieceRefs(arr, len(cands))
	scores := make([]float64, len(cands))
	for i, c := range cands {
		seeds.add(c.start, c.length)
		scores[i] = float64(c.score)
	}
	return seeds, scores
}

// metaCount is the number of pieces that are not trained: unk, bos, eos,
// pad, control and user-defined symbols, and the 256 bytes.
func metaCount(cfg *TrainConfig) int {
	n := 1
	for _, id := range []int{cfg.BosID, cfg.EosID, cfg.PadID} {
		if id >= 0 {
			n++
		}
	}
	n += len(cfg.ControlSymbols) + len(cfg.UserDefinedSymbols)
	if cfg.ByteFallback {
		n += 256
	}
	return n
}

// releaseMemory collects garbage and returns the free memory to the
// operating system. Training calls it between its stages: their big
// arrays have different sizes, so without it freed pages stay resident
// (the Go runtime returns them only slowly) and the peak RSS is the sum of
// stages instead of the largest one. Each call costs a GC of a heap that
// is mostly pointer-free arrays: a few milliseconds.
func releaseMemory() { debug.FreeOSMemory() }
