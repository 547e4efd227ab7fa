package sentencepiece

import (
	"math"
	"unicode/utf8"
)

// tmodel is the Unigram model being trained: pieces (as character id
// sequences) with log-probability scores and a trie to find them in words.
type tmodel struct {
	chars    *charIDs
	pieces   *pieceRefs
	scores   []float64 // nil when only probs are kept (see newTModel)
	probs    []float64 // exp(scores)
	trie     *charTrie
	unkScore float64
}

// newTModel returns the model of pieces with scores. With keepScores
// false the probabilities are computed in place over scores and the model
// keeps only them (the seed model: the next E-step is all it is used for,
// and it is the largest).
func newTModel(chars *charIDs, pieces *pieceRefs, scores []float64, keepScores bool) *tmodel {
	minScore := math.Inf(1)
	for _, s := range scores {
		minScore = min(minScore, s)
	}
	if len(scores) == 0 {
		minScore = 0
	}
	probs := scores
	if keepScores {
		probs = make([]float64, len(scores))
	}
	for i, s := range scores {
		probs[i] = math.Exp(s)
	}
	m := &tmodel{chars: chars, pieces: pieces, probs: probs,
		trie: newCharTrie(pieces, nil, len(chars.runes)), unkScore: minScore - unkPenalty}
	if keepScores {
		m.scores = scores
	}
	return m
}

// newTModelText is newTModel for pieces given as text, over the alphabet
// of their characters (for tests).
func newTModelText(pieces []string, scores []float64) *tmodel {
	var chars []rune
	seen := map[rune]bool{}
	for _, p := range pieces {
		for _, c := range p {
			if !seen[c] {
				seen[c] = true
				chars = append(chars, c)
			}
		}
	}
	a := newCharIDs(chars)
	var text []int32
	for _, p := range pieces {
		text = a.appendIDs(text, p)
	}
	ps := newPieceRefs(text, len(pieces))
	start := 0
	for _, p := range pieces {
		n := utf8.RuneCountInString(p)
		ps.add(int32(start), int32(n))
		start += n
	}
	return newTModel(a, ps, scores, true)
}

// tnode is a lattice node over bytes with its score: piece id over
// text[start:end] (sampling.go's lattices).
type tnode struct {
	start, end int32
	id         int32
	score      float64
}

// cnode is a training lattice node: piece id (-1 for unknown) over the
// characters w[start:end].
type cnode struct {
	start, end int32
	id         int32
}

// nodes appends the lattice of w in order of start position: every piece
// that matches at each character, plus an unknown node of one character
// where no one-character piece matches.
//
// This is the trainer's hot loop, so the trie step (charTrie.child) is
// written out here.
func (m *tmodel) nodes(dst []cnode, w []int32) []cnode {
	t := m.trie
	root, nodes, labels := t.root, t.node, t.labels
	for at, c := range w {
		single := false
		node := int32(0)
		if uint32(c) < uint32(len(root)) {
			node = root[c]
		}
		if node != 0 {
			if id := nodes[node].value; id >= 0 {
				dst = append(dst, cnode{int32(at), int32(at + 1), id})
				single = true
			}
			for k := at + 1; k < len(w); k++ {
				c := w[k]
				lo, hi := nodes[node].first, nodes[node+1].first
				for hi-lo > 8 {
					mid := int32(uint32(lo+hi) >> 1)
					if labels[mid] < c {
						lo = mid + 1
					} else {
						hi = mid + 1
					}
				}
				next := int32(0)
				for ; lo < hi; lo++ {
					if l := labels[lo]; l >= c {
						if l == c {
							next = lo + 1
						}
						break
					}
				}
				if next == 0 {
					break
				}
				node = next
				if id := nodes[node].value; id >= 0 {
					dst = append(dst, cnode{int32(at), int32(k + 1), id})
				}
			}
		}
		if !single {
			dst = append(dst, cnode{int32(at), int32(at + 1), -1})
		}
	}
	return dst
}

// score is the log probability of a lattice node.
func (m *tmodel) score(nd cnode) float64 {
	if nd.id < 0 {
		return m.unkScore
	}
	if m.scores == nil {
		return math.Log(m.probs[nd.id])
	}
	return m.scores[nd.id]
}

func logAdd(a, b float64) float64 {
	if a < b {
		a, b = b, a
	}
	if math.IsInf(b, -1) {
		return a
	}
	return a + math.Log1p(math.Exp(b-a))
}

// latticeScratch holds the per-word buffers of one worker.
type latticeScratch struct {
	nodes       []cnode
	alpha, beta []float64
	best        []float64
	ka, kb      []int32 // scale counts of alpha and beta
	from        []int32 // node index of the best path ending at a position
}

// marginals adds freq × the posterior of each piece in w to expected and
// returns log Z, the log of the total probability of w.
//
// expected is float32, as in SentencePiece: the E-step keeps one array per
// worker, and the first model has hundreds of thousands of seed pieces.
func (m *tmodel) marginals(sc *latticeScratch, w []int32, freq float64, expected []float32) float64 {
	sc.nodes = m.nodes(sc.nodes[:0], w)
	if z, ok := m.marginalsLinear(sc, len(w), freq, expected); ok {
		return z
	}
	return m.marginalsLog(sc, w, freq, expected)
}

// marginalsLog is marginals in log space over the nodes in sc.nodes.
func (m *tmodel) marginalsLog(sc *latticeScratch, w []int32, freq float64, expected []float32) float64 {
	n := len(w)
	sc.alpha = resetFloats(sc.alpha, n+1, math.Inf(-1))
	sc.beta = resetFloats(sc.beta, n+1, math.Inf(-1))
	alpha, beta := sc.alpha, sc.beta
	alpha[0] = 0
	for _, nd := range sc.nodes {
		alpha[nd.end] = logAdd(alpha[nd.end], alpha[nd.start]+m.score(nd))
	}
	beta[n] = 0
	for i := len(sc.nodes) - 1; i >= 0; i-- {
		nd := sc.nodes[i]
		beta[nd.start] = logAdd(beta[nd.start], m.score(nd)+beta[nd.end])
	}
	z := alpha[n]
	for _, nd := range sc.nodes {
		if nd.id < 0 {
			continue
		}
		expected[nd.id] += float32(freq * math.Exp(alpha[nd.start]+m.score(nd)+beta[nd.end]-z))
	}
	return z
}

// The forward-backward pass runs on probabilities, not logs: in log
// space every lattice edge costs an exp and a log1p (40% of the E-step on
// English). To keep long words (a Japanese "word" is a whole sentence)
// from underflowing, a position whose forward (or backward) value drops
// below 2^-scaleBits is multiplied by 2^scaleBits and remembers how many
// times it was (ka, kb); values meeting at a node are brought to the same
// scale with math.Ldexp, which is exact. A word whose total still
// under- or overflows falls back to log space.
const scaleBits = 300

var scaleMin = math.Ldexp(1, -scaleBits)

// marginalsLinear is marginals on scaled probabilities over the nodes
// already in sc.nodes. ok is false when the total is not usable.
func (m *tmodel) marginalsLinear(sc *latticeScratch, n int, freq float64, expected []float32) (float64, bool) {
	sc.alpha = resetFloats(sc.alpha, n+1, 0)
	sc.beta = resetFloats(sc.beta, n+1, 0)
	if cap(sc.ka) < n+1 {
		sc.ka = make([]int32, n+1)
		sc.kb = make([]int32, n+1)
	}
	ka, kb := sc.ka[:n+1], sc.kb[:n+1]
	clear(ka)
	clear(kb)
	alpha, beta := sc.alpha, sc.beta
	unkProb := math.Exp(m.unkScore)
	prob := func(nd cnode) float64 {
		if nd.id < 0 {
			return unkProb
		}
		return m.probs[nd.id]
	}
	alpha[0] = 1
	prev := int32(-1)
	for _, nd := range sc.nodes {
		s, e := nd.start, nd.end
		if s != prev { // alpha[s] is final now
			prev = s
			if a := alpha[s]; a != 0 && a < scaleMin {
				alpha[s] = math.Ldexp(a, scaleBits)
				ka[s]++
			}
		}
		a := alpha[s]
		if a == 0 {
			continue
		}
		c := a * prob(nd)
		if alpha[e] == 0 {
			alpha[e], ka[e] = c, ka[s]
		} else {
			if d := ka[e] - ka[s]; d != 0 {
				c = math.Ldexp(c, scaleBits*int(d))
			}
			alpha[e] += c
		}
	}
	z := alpha[n]
	if !(z > 0) || math.IsInf(z, 0) {
		return 0, false
	}
	beta[n] = 1
	prev = -1
	for i := len(sc.nodes) - 1; i >= 0; i-- {
		nd := sc.nodes[i]
		s, e := nd.start, nd.end
		if s != prev && prev >= 0 { // beta[prev] is final now
			if b := beta[prev]; b != 0 && b < scaleMin {
				beta[prev] = math.Ldexp(b, scaleBits)
				kb[prev]++
			}
		}
		prev = s
		b := beta[e]
		if b == 0 {
			continue
		}
		c := prob(nd) * b
		if beta[s] == 0 {
			beta[s], kb[s] = c, kb[e]
		} else {
			if d := kb[s] - kb[e]; d != 0 {
				c = math.Ldexp(c, scaleBits*int(d))
			}
			beta[s] += c
		}
	}
	kz := ka[n]
	for _, nd := range sc.nodes {
		if nd.id < 0 || alpha[nd.start] == 0 || beta[nd.end] == 0 {
			continue
		}
		v := alpha[nd.start] / z * m.probs[nd.id] * beta[nd.end]
		if k := kz - ka[nd.start] - kb[nd.end]; k != 0 {
			v = math.Ldexp(v, scaleBits*int(k))
		}
		expected[nd.id] += float32(freq * v)
	}
	return math.Log(z) - float64(kz)*scaleBits*math.Ln2, true
}

// viterbi appends the ids of the best segmentation of w to dst, ignoring
// the node of piece skip covering all of w (pass -1 to skip nothing). ok
// is false when no segmentation remains.
func (m *tmodel) viterbi(sc *latticeScratch, w []int32, skip int32, dst []int32) ([]int32, bool) {
	sc.nodes = m.nodes(sc.nodes[:0], w)
	n := len(w)
	sc.best = resetFloats(sc.best, n+1, math.Inf(-1))
	if cap(sc.from) < n+1 {
		sc.from = make([]int32, n+1)
	}
	from := sc.from[:n+1]
	best := sc.best
	best[0] = 0
	for i, nd := range sc.nodes {
		if nd.id == skip && nd.start == 0 && int(nd.end) == n {
			continue
		}
		if math.IsInf(best[nd.start], -1) {
			continue
		}
		if s := best[nd.start] + m.score(nd); s > best[nd.end] {
			best[nd.end] = s
			from[nd.end] = int32(i)
		}
	}
	if math.IsInf(best[n], -1) {
		return dst, false
	}
	first := len(dst)
	for pos := n; pos > 0; {
		nd := sc.nodes[from[pos]]
		dst = append(dst, nd.id)
		pos = int(nd.start)
	}
	for i, j := first, len(dst)-1; i < j; i, j = i+1, j-1 {
		dst[i], dst[j] = dst[j], dst[i]
	}
	return dst, true
}

func resetFloats(s []float64, n int, v float64) []float64 {
	if cap(s) < n {
		s = make([]float64, n)
	}
	s = s[:n]
	for i := range s {
		s[i] = v
	}
	return s
}

// digamma approximates ψ(x) by recurrence up to 7 and the asymptotic
// series, as SentencePiece's Bayesian EM does.
func digamma(x float64) float64 {
	r := 0.0
	for ; x < 7; x++ {
		r -= 1 / x
	}
	x -= 0.5
	xx := 1 / x
	xx2 := xx * xx
	xx4 := xx2 * xx2
	r += math.Log(x) + xx2/24 - 7.0/960*xx4 + 31.0/8064*xx4*xx2 - 127.0/30720*xx4*xx4
	return r
}
