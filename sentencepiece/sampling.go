package sentencepiece

import (
	"errors"
	"math"
	"math/rand/v2"
	"sort"
)

// latticeNode is a node of the Unigram lattice that sampling and n-best
// search walk: piece id over norm[start:end] with its Viterbi score.
type latticeNode struct {
	start, end int32
	id         int32
	score      float64
}

// lattice returns the nodes of the Unigram lattice of normalized text in
// order of start position, with the scores Viterbi uses (user-defined
// pieces boosted, unknown characters penalized).
func (m *Model) lattice(norm []byte, dst []latticeNode) []latticeNode {
	n := len(norm)
	d := m.da
	for at := 0; at < n; {
		mblen := min(oneCharLen(norm[at]), n-at)
		single := false
		node := int32(0)
		for k := at; k < n; k++ {
			if node = d.child(node, norm[k]); node < 0 {
				break
			}
			id := d.units[node].value
			if id < 0 {
				continue
			}
			dst = append(dst, latticeNode{int32(at), int32(k + 1), id, m.vitScore[id]})
			if k+1-at == mblen {
				single = true
			}
		}
		if !single {
			dst = append(dst, latticeNode{int32(at), int32(at + mblen), m.unkID, float64(m.unkScore)})
		}
		at += mblen
	}
	return dst
}

// Sampler draws segmentations for subword regularization (Kudo 2018):
// for Unigram models, from the lattice (NBestSize < 0) or among the
// NBestSize best segmentations (NBestSize > 1), with probabilities
// proportional to P(segmentation)^Alpha; for BPE models, BPE-dropout that
// skips each merge with probability Alpha. NBestSize 0 or 1 means no
// sampling (plain AppendEncode). The same seed gives the same samples.
//
// A Sampler is not safe for concurrent use; make one per goroutine.
type Sampler struct {
	m     *Model
	nbest int
	alpha float64
	rng   *rand.Rand
	st    encodeState
	nodes []latticeNode
}

// NewSampler returns a sampler over m; see [Sampler].
func (m *Model) NewSampler(nbestSize int, alpha float64, seed uint64) (*Sampler, error) {
	if alpha < 0 || math.IsNaN(alpha) || (m.algo == BPE && alpha > 1) {
		return nil, errors.New("sentencepiece: sampling alpha must be ≥ 0 (and ≤ 1 for BPE dropout)")
	}
	return &Sampler{m: m, nbest: nbestSize, alpha: alpha, rng: rand.New(rand.NewPCG(seed, 0x73706d))}, nil
}

// AppendEncode appends the ids of one sampled segmentation of text.
func (s *Sampler) AppendEncode(dst []uint32, text []byte) []uint32 {
	m := s.m
	if m.algo != BPE && (s.nbest == 0 || s.nbest == 1) {
		return m.AppendEncode(dst, text)
	}
	st := &s.st
	st.norm, _ = m.norm.Normalize(st.norm[:0], nil, text, false)
	if len(st.norm) == 0 {
		return dst
	}
	segs := st.segs[:0]
	switch {
	case m.algo == BPE:
		segs = m.segmentBPEDropout(st, st.norm, segs, s.alpha, s.rng)
	case s.nbest < 0:
		segs = s.sampleLattice(st.norm, segs)
	default:
		paths, scores := m.nbest(st.norm, s.nbest, &s.nodes)
		// Choose a path with probability ∝ exp(alpha·score).
		w := make([]float64, len(paths))
		maxS := scores[0]
		var sum float64
		for i, sc := range scores {
			w[i] = math.Exp(s.alpha * (sc - maxS))
			sum += w[i]
		}
		r := s.rng.Float64() * sum
		k := 0
		for ; k < len(w)-1 && r >= w[k]; k++ {
			r -= w[k]
		}
		segs = append(segs, paths[k]...)
	}
	segs = m.mergeUnknown(segs, 0)
	st.segs = segs
	return m.appendIDs(dst, st.norm, segs)
}

// sampleLattice is forward filtering, backward sampling over the whole
// lattice with scores scaled by alpha.
func (s *Sampler) sampleLattice(norm []byte, segs []segment) []segment {
	m := s.m
	s.nodes = m.lattice(norm, s.nodes[:0])
	nodes := s.nodes
	n := len(norm)
	fwd := resetFloats(nil, n+1, math.Inf(-1))
	fwd[0] = 0
	for _, nd := range nodes {
		fwd[nd.end] = logAdd(fwd[nd.end], fwd[nd.start]+s.alpha*nd.score)
	}
	// Nodes by end position, for the backward pass.
	byEnd := make([][]int32, n+1)
	for i, nd := range nodes {
		byEnd[nd.end] = append(byEnd[nd.end], int32(i))
	}
	var rev []segment
	for pos := n; pos > 0; {
		r := s.rng.Float64()
		chosen := byEnd[pos][len(byEnd[pos])-1]
		acc := 0.0
		for _, i := range byEnd[pos] {
			nd := nodes[i]
			acc += math.Exp(fwd[nd.start] + s.alpha*nd.score - fwd[pos])
			if r < acc {
				chosen = i
				break
			}
		}
		nd := nodes[chosen]
		rev = append(rev, segment{id: nd.id, start: nd.start, end: nd.end})
		pos = int(nd.start)
	}
	for i := len(rev) - 1; i >= 0; i-- {
		segs = append(segs, rev[i])
	}
	return segs
}

// NBest returns up to n best segmentations of text (Unigram models) as ids,
// best first, with their scores (sums of piece log-probabilities).
func (m *Model) NBest(text []byte, n int) ([][]uint32, []float64) {
	if n <= 0 {
		return nil, nil
	}
	norm, _ := m.norm.Normalize(nil, nil, text, false)
	if len(norm) == 0 {
		return [][]uint32{{}}, []float64{0}
	}
	if m.algo == BPE {
		return [][]uint32{m.AppendEncode(nil, text)}, []float64{0}
	}
	var nodes []latticeNode
	paths, scores := m.nbest(norm, n, &nodes)
	out := make([][]uint32, len(paths))
	for i, p := range paths {
		out[i] = m.appendIDs(nil, norm, m.mergeUnknown(p, 0))
	}
	return out, scores
}

// nbest is k-best dynamic programming over the lattice: every position
// keeps its k best partial paths. Ties keep the earlier-found path.
func (m *Model) nbest(norm []byte, k int, scratch *[]latticeNode) ([][]segment, []float64) {
	*scratch = m.lattice(norm, (*scratch)[:0])
	nodes := *scratch
	n := len(norm)
	type entry struct {
		score float64
		node  int32 // lattice node ending here, -1 at the start
		prev  int32 // rank of the entry at the node's start
	}
	beams := make([][]entry, n+1)
	beams[0] = []entry{{0, -1, -1}}
	for i, nd := range nodes {
		for r, e := range beams[nd.start] {
			c := entry{e.score + nd.score, int32(i), int32(r)}
			b := beams[nd.end]
			pos := sort.Search(len(b), func(j int) bool { return b[j].score < c.score })
			if pos >= k {
				continue
			}
			b = append(b, entry{})
			copy(b[pos+1:], b[pos:])
			b[pos] = c
			if len(b) > k {
				b = b[:k]
			}
			beams[nd.end] = b
		}
	}
	var paths [][]segment
	var scores []float64
	for _, e := range beams[n] {
		var rev []segment
		cur := e
		pos := n
		for cur.node >= 0 {
			nd := nodes[cur.node]
			rev = append(rev, segment{id: nd.id, start: nd.start, end: nd.end})
			pos = int(nd.start)
			cur = beams[pos][cur.prev]
		}
		path := make([]segment, len(rev))
		for i := range rev {
			path[i] = rev[len(rev)-1-i]
		}
		paths = append(paths, path)
		scores = append(scores, e.score)
	}
	return paths, scores
}
