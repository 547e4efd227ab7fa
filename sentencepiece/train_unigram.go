package sentencepiece

import (
	"container/heap"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sort"
	"sync"
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
	words, freqs := wc.sortedWords()
	required, reqFreq, words, freqs := applyCoverage(words, freqs, cfg.CharacterCoverage)
	cfg.logf("%d words, %d required characters (coverage %.4f)", len(words), len(required), cfg.CharacterCoverage)
	var pieces []scoredPiece
	var err error
	switch cfg.Algorithm {
	case BPE:
		pieces, err = trainBPE(words, freqs, required, &cfg)
	default:
		pieces, err = trainUnigram(words, freqs, required, reqFreq, &cfg)
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

// numChunks is the fixed number of parts the words are split into for
// parallel passes; results are summed part by part in order, so they do
// not depend on the number of workers.
const numChunks = 8

// parallelChunks runs fn over the numChunks parts of [0, n) with at most
// workers goroutines.
func parallelChunks(n, workers int, fn func(chunk, lo, hi int)) {
	var wg sync.WaitGroup
	sem := make(chan struct{}, max(1, workers))
	for c := 0; c < numChunks; c++ {
		lo, hi := n*c/numChunks, n*(c+1)/numChunks
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			fn(c, lo, hi)
			<-sem
		}()
	}
	wg.Wait()
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

func trainUnigram(words []string, freqs []int64, required []rune, reqFreq map[rune]int64, cfg *TrainConfig) ([]scoredPiece, error) {
	meta := metaCount(cfg)
	target := cfg.VocabSize - meta
	if target < len(required) {
		return nil, fmt.Errorf("sentencepiece: vocabulary size %d is too small: %d required characters plus %d meta pieces", cfg.VocabSize, len(required), meta)
	}
	chars := newCharIDs(required)
	ws := wordSeqs(words, chars)
	words = nil
	seeds, seedScores := makeSeeds(ws, freqs, chars, reqFreq, cfg)
	runtime.GC() // the suffix arrays are garbage; see repeats
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
	m := newTModel(chars, seeds, seedScores)
	for round := 1; ; round++ {
		for it := 0; it < cfg.SubIterations; it++ {
			expected, objective := eStep(m, ws, freqs, cfg.Workers)
			// M-step: drop rare pieces, then Bayesian (digamma) re-estimate.
			keep := 0
			var total float64
			for _, e := range expected {
				if e >= 0.5 {
					keep++
					total += e
				}
			}
			np := newSeqs(keep, 0)
			ns := make([]float64, 0, keep)
			logTotal := digamma(total)
			for i, e := range expected {
				if e >= 0.5 {
					np.add(m.pieces.at(i))
					ns = append(ns, digamma(e)-logTotal)
				}
			}
			m = nil
			m = newTModel(chars, np, ns)
			cfg.logf("unigram: EM round %d.%d: %d pieces, objective %.4f", round, it+1, np.len(), -objective/allFreq)
		}
		if m.pieces.len() <= desired {
			break
		}
		m = prune(m, ws, freqs, desired, cfg)
	}
	return finalizePieces(m, required, target), nil
}

// wordSeqs returns the words as character id sequences, each followed by
// its word-end symbol (see wordEnd); word returns a word without it.
func wordSeqs(words []string, chars *charIDs) *seqs {
	total := 0
	for _, w := range words {
		total += utf8.RuneCountInString(w) + 1
	}
	ws := newSeqs(len(words), total)
	end := wordEnd(chars)
	for i, w := range words {
		ws.ids = chars.appendIDs(ws.ids, w)
		ws.ids = append(ws.ids, end+int32(i))
		ws.off = append(ws.off, int32(len(ws.ids)))
	}
	return ws
}

// word returns word i of wordSeqs without its word-end symbol.
func word(ws *seqs, i int) []int32 {
	w := ws.at(i)
	return w[:len(w)-1]
}

// eStep computes the expected count of every piece over all words.
func eStep(m *tmodel, ws *seqs, freqs []int64, workers int) (expected []float64, objective float64) {
	parts := make([][]float64, numChunks)
	objs := make([]float64, numChunks)
	parallelChunks(len(freqs), workers, func(c, lo, hi int) {
		exp := make([]float64, m.pieces.len())
		var sc latticeScratch
		for i := lo; i < hi; i++ {
			f := float64(freqs[i])
			z := m.marginals(&sc, word(ws, i), f, exp)
			objs[c] -= f * z
		}
		parts[c] = exp
	})
	// Sum the parts in order so the result does not depend on workers.
	expected = parts[0]
	objective = objs[0]
	for c := 1; c < numChunks; c++ {
		for i, v := range parts[c] {
			expected[i] += v
		}
		objective += objs[c]
	}
	return expected, objective
}

// prune removes the pieces whose loss of likelihood when removed is the
// smallest, keeping max(desired, ShrinkingFactor × size) pieces.
func prune(m *tmodel, ws *seqs, freqs []int64, desired int, cfg *TrainConfig) *tmodel {
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
	parts := make([][]float64, numChunks)
	parallelChunks(len(freqs), cfg.Workers, func(c, lo, hi int) {
		fr := make([]float64, n)
		var sc latticeScratch
		var path []int32
		for i := lo; i < hi; i++ {
			path, _ = m.viterbi(&sc, word(ws, i), -1, path[:0])
			for _, id := range path {
				if id >= 0 {
					fr[id] += float64(freqs[i])
				}
			}
		}
		parts[c] = fr
	})
	freq := parts[0]
	for c := 1; c < numChunks; c++ {
		for i, v := range parts[c] {
			freq[i] += v
		}
	}
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
	np := newSeqs(len(keep), 0)
	ns := make([]float64, len(keep))
	for i, id := range keep {
		np.add(m.pieces.at(id))
		ns[i] = m.scores[id]
	}
	cfg.logf("unigram: pruned %d → %d pieces", n, np.len())
	return newTModel(m.chars, np, ns)
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

func (h *seedHeap) Len() int { return len(h.c) }
func (h *seedHeap) Less(i, j int) bool {
	a, b := h.c[i], h.c[j]
	if a.score != b.score {
		return a.score < b.score
	}
	// Larger strings are worse, so they sit at the top to be evicted.
	return h.chars.compare(h.arr[a.start:a.start+a.length], h.arr[b.start:b.start+b.length]) > 0
}
func (h *seedHeap) Swap(i, j int) { h.c[i], h.c[j] = h.c[j], h.c[i] }
func (h *seedHeap) Push(x any)    { h.c = append(h.c, x.(seedCand)) }
func (h *seedHeap) Pop() any {
	x := h.c[len(h.c)-1]
	h.c = h.c[:len(h.c)-1]
	return x
}

// wordEnd is the first of the symbols that end words in the seed array:
// word i ends with wordEnd+i (ids after the alphabet's), so no repeat
// crosses a word end and every substring that ends a word counts as
// branching there, as it does in the running text (where the next word
// follows).
func wordEnd(chars *charIDs) int32 { return int32(len(chars.runes)) }

// makeSeeds returns the initial pieces: every required character with its
// frequency, then frequent substrings scored by frequency × length, up to
// cfg.SeedSize pieces in all.
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
func makeSeeds(ws *seqs, freqs []int64, chars *charIDs, reqFreq map[rune]int64, cfg *TrainConfig) (*seqs, []float64) {
	arr := ws.ids
	end := wordEnd(chars)
	// A position weighs its word's count; word-end symbols never start a
	// repeat that is kept, so their weight does not matter.
	wordOf := func(p int32) int64 {
		i, _ := slices.BinarySearch(ws.off, p+1) // the first word end after p
		return freqs[i-1]
	}
	required := chars.runes[:chars.other]
	room := cfg.SeedSize - len(required)
	h := &seedHeap{arr: arr, chars: chars}
	runes := make([]rune, 0, cfg.MaxPieceLength)
	consider := func(start, length int32, count int64) {
		if length <= 1 || int(length) > cfg.MaxPieceLength || count < 2 {
			return
		}
		runes = runes[:0]
		for _, c := range arr[start : start+length] {
			if c >= chars.other { // other characters and word ends
				return
			}
			runes = append(runes, chars.runes[c])
		}
		if !cfg.validPiece(runes) {
			return
		}
		sc := seedCand{start, length, count * int64(length)}
		if h.Len() < room {
			heap.Push(h, sc)
			return
		}
		h.c = append(h.c, sc)
		worse := h.Less(0, len(h.c)-1) // the heap's worst is worse than sc
		h.c = h.c[:len(h.c)-1]
		if worse {
			h.c[0] = sc
			heap.Fix(h, 0)
		}
	}
	if room > 0 {
		repeats(arr, wordOf, consider)
	}
	_ = end
	slices.SortFunc(h.c, func(a, b seedCand) int {
		if a.score != b.score {
			if a.score > b.score {
				return -1
			}
			return 1
		}
		return chars.compare(arr[a.start:a.start+a.length], arr[b.start:b.start+b.length])
	})
	total := 0
	for _, c := range h.c {
		total += int(c.length)
	}
	seeds := newSeqs(len(required)+len(h.c), len(required)+total)
	scores := make([]float64, 0, len(required)+len(h.c))
	for i, c := range required {
		seeds.add([]int32{int32(i)})
		scores = append(scores, float64(reqFreq[c]))
	}
	for _, c := range h.c {
		seeds.add(arr[c.start : c.start+c.length])
		scores = append(scores, float64(c.score))
	}
	return seeds, scores
}
