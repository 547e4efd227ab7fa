package sentencepiece

import "math"

// tmodel is the Unigram model being trained: pieces with log-probability
// scores and a trie to find them in words.
type tmodel struct {
	pieces   []string
	scores   []float64
	probs    []float64 // exp(scores)
	trie     *pieceTrie
	unkScore float64
}

func newTModel(pieces []string, scores []float64) *tmodel {
	ids := make([]int32, len(pieces))
	minScore := math.Inf(1)
	for i := range ids {
		ids[i] = int32(i)
		minScore = min(minScore, scores[i])
	}
	if len(pieces) == 0 {
		minScore = 0
	}
	probs := make([]float64, len(scores))
	for i, s := range scores {
		probs[i] = math.Exp(s)
	}
	return &tmodel{pieces: pieces, scores: scores, probs: probs, trie: newPieceTrie(pieces, ids), unkScore: minScore - unkPenalty}
}

// tnode is a lattice node: piece id (-1 for unknown) over w[start:end].
type tnode struct {
	start, end int32
	id         int32
	score      float64
}

// nodes appends the lattice of w in order of start position: every piece
// that matches at each character, plus an unknown node of one character
// where no one-character piece matches.
func (m *tmodel) nodes(dst []tnode, w string) []tnode {
	t := m.trie
	for at := 0; at < len(w); {
		mblen := min(oneCharLen(w[at]), len(w)-at)
		single := false
		node := int32(0)
		for k := at; k < len(w); k++ {
			node = t.child(node, w[k])
			if node == 0 {
				break
			}
			if id := t.nodes[node].value; id >= 0 {
				dst = append(dst, tnode{int32(at), int32(k + 1), id, m.scores[id]})
				if k+1-at == mblen {
					single = true
				}
			}
		}
		if !single {
			dst = append(dst, tnode{int32(at), int32(at + mblen), -1, m.unkScore})
		}
		at += mblen
	}
	return dst
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
	nodes       []tnode
	alpha, beta []float64
	best        []float64
	from        []int32 // node index of the best path ending at a position
}

// marginals adds freq × the posterior of each piece in w to expected and
// returns log Z, the log of the total probability of w.
func (m *tmodel) marginals(sc *latticeScratch, w string, freq float64, expected []float64) float64 {
	sc.nodes = m.nodes(sc.nodes[:0], w)
	if len(w) <= linearMaxBytes {
		if z, ok := m.marginalsLinear(sc, len(w), freq, expected); ok {
			return z
		}
	}
	return m.marginalsLog(sc, w, freq, expected)
}

// marginalsLog is marginals in log space over the nodes in sc.nodes.
func (m *tmodel) marginalsLog(sc *latticeScratch, w string, freq float64, expected []float64) float64 {
	n := len(w)
	sc.alpha = resetFloats(sc.alpha, n+1, math.Inf(-1))
	sc.beta = resetFloats(sc.beta, n+1, math.Inf(-1))
	alpha, beta := sc.alpha, sc.beta
	alpha[0] = 0
	for _, nd := range sc.nodes {
		alpha[nd.end] = logAdd(alpha[nd.end], alpha[nd.start]+nd.score)
	}
	beta[n] = 0
	for i := len(sc.nodes) - 1; i >= 0; i-- {
		nd := sc.nodes[i]
		beta[nd.start] = logAdd(beta[nd.start], nd.score+beta[nd.end])
	}
	z := alpha[n]
	for _, nd := range sc.nodes {
		if nd.id < 0 {
			continue
		}
		expected[nd.id] += freq * math.Exp(alpha[nd.start]+nd.score+beta[nd.end]-z)
	}
	return z
}

// linearMaxBytes bounds the words whose forward-backward runs on plain
// probabilities: a path through 64 bytes has at most 64 pieces of
// probability ≥ e^-10 or so, far from float64 underflow (e^-708). Longer
// words, and any word whose total underflows anyway, use log space.
//
// Performance notes: in log space every lattice edge costs an exp and a
// log1p; on 10 MB of English the E-step spent 40% of its time there.
const linearMaxBytes = 64

// marginalsLinear is marginals on probabilities instead of logs, over
// the nodes already in sc.nodes. ok is false when Z underflows.
func (m *tmodel) marginalsLinear(sc *latticeScratch, n int, freq float64, expected []float64) (float64, bool) {
	sc.alpha = resetFloats(sc.alpha, n+1, 0)
	sc.beta = resetFloats(sc.beta, n+1, 0)
	alpha, beta := sc.alpha, sc.beta
	unkProb := math.Exp(m.unkScore)
	prob := func(nd tnode) float64 {
		if nd.id < 0 {
			return unkProb
		}
		return m.probs[nd.id]
	}
	alpha[0] = 1
	for _, nd := range sc.nodes {
		alpha[nd.end] += alpha[nd.start] * prob(nd)
	}
	z := alpha[n]
	if !(z > 1e-250) || math.IsInf(z, 0) {
		return 0, false
	}
	beta[n] = 1
	for i := len(sc.nodes) - 1; i >= 0; i-- {
		nd := sc.nodes[i]
		beta[nd.start] += prob(nd) * beta[nd.end]
	}
	scale := freq / z
	for _, nd := range sc.nodes {
		if nd.id < 0 {
			continue
		}
		expected[nd.id] += scale * alpha[nd.start] * m.probs[nd.id] * beta[nd.end]
	}
	return math.Log(z), true
}

// viterbi appends the ids of the best segmentation of w to dst, ignoring
// the node of piece skip covering all of w (pass -1 to skip nothing). ok
// is false when no segmentation remains.
func (m *tmodel) viterbi(sc *latticeScratch, w string, skip int32, dst []int32) ([]int32, bool) {
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
		if s := best[nd.start] + nd.score; s > best[nd.end] {
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
