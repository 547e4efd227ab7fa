package model

import (
	"fmt"
	"runtime"
)

// Model is a decoder-only transformer with its weights, gradients and the
// activations of the last forward pass. A Model is not safe for concurrent
// use; its kernels use up to Workers goroutines internally.
type Model struct {
	Config Config
	// Params holds every weight in the order of ParamSpecs.
	Params []float32
	// Grads has the layout of Params; Backward adds into it.
	Grads []float32
	// Workers bounds the parallel kernels (0: GOMAXPROCS). Results do not
	// depend on it.
	Workers int

	w, g     tensors
	slopes   []float32 // (NH) ALiBi slopes, or nil
	cos, sin []float32 // (T, hs/2) RoPE tables, or nil
	acts     *activations
}

// layerActs are one block's saved activations.
type layerActs struct {
	ln1, ln1Mean, ln1Rstd []float32 // (N, C), (N), (N)
	qkv                   []float32 // (N, 3C), after RoPE
	att                   []float32 // (B, NH, T, T)
	atty                  []float32 // (N, C)
	resid2                []float32 // (N, C) x + attention
	ln2, ln2Mean, ln2Rstd []float32 // (N, C), (N), (N)
	fch, fchGelu, dgelu   []float32 // (N, H)
	resid3                []float32 // (N, C) block output
}

type activations struct {
	B, T                  int
	tokens, targets       []uint32  // (N)
	encoded               []float32 // (N, C)
	layers                []layerActs
	lnf, lnfMean, lnfRstd []float32 // (N, C), (N), (N)
	logits                []float32 // (N, V): logits, probabilities after the loss, then dlogits
	losses                []float32 // (N)
	// backward scratch
	dres, dln, datty []float32 // (N, C)
	dqkv             []float32 // (N, 3C)
	dfch, dfchGelu   []float32 // (N, H)
	tmp              []float32 // (N, C)
	hasTargets       bool
}

func newActivations(c Config, B, T int) *activations {
	N, C, H, V, NH := B*T, c.Width, c.hidden(), c.VocabSize, c.Heads
	f := func(n int) []float32 { return make([]float32, n) }
	a := &activations{B: B, T: T, tokens: make([]uint32, N), targets: make([]uint32, N),
		encoded: f(N * C), lnf: f(N * C), lnfMean: f(N), lnfRstd: f(N), logits: f(N * V), losses: f(N),
		dres: f(N * C), dln: f(N * C), datty: f(N * C), dqkv: f(N * 3 * C), dfch: f(N * H), dfchGelu: f(N * H),
		tmp: f(N * C)}
	a.layers = make([]layerActs, c.Layers)
	for l := range a.layers {
		a.layers[l] = layerActs{ln1: f(N * C), ln1Mean: f(N), ln1Rstd: f(N), qkv: f(N * 3 * C),
			att: f(B * NH * T * T), atty: f(N * C), resid2: f(N * C), ln2: f(N * C), ln2Mean: f(N),
			ln2Rstd: f(N), fch: f(N * H), fchGelu: f(N * H), dgelu: f(N * H), resid3: f(N * C)}
	}
	return a
}

// New returns a model with freshly initialised weights drawn from seed.
func New(c Config, seed uint64) (*Model, error) {
	m, err := newEmpty(c)
	if err != nil {
		return nil, err
	}
	initParams(c, m.Params, seed)
	return m, nil
}

// newEmpty returns a model with zero weights.
func newEmpty(c Config) (*Model, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	n := NumParams(c)
	m := &Model{Config: c, Params: make([]float32, n), Grads: make([]float32, n)}
	m.w, m.g = views(c, m.Params), views(c, m.Grads)
	switch c.Position {
	case PosALiBi:
		m.slopes = alibiSlopes(c.Heads)
	case PosRoPE:
		m.cos, m.sin = ropeTables(c.ContextLen, c.headSize(), c.RoPEBase)
	}
	return m, nil
}

// ZeroGrad clears the gradients.
func (m *Model) ZeroGrad() {
	const chunk = 65536
	parallelFor((len(m.Grads)+chunk-1)/chunk, m.workers(), func(c int) {
		clear(m.Grads[c*chunk : min(len(m.Grads), (c+1)*chunk)])
	})
}

func (m *Model) workers() int {
	if m.Workers > 0 {
		return m.Workers
	}
	return runtime.GOMAXPROCS(0)
}

// Forward runs the model on B sequences of T tokens (tokens is B*T long,
// row-major). With targets (same shape) it returns the mean cross-entropy
// in nats per token and keeps what Backward needs; without (nil) it
// returns 0 and Logits gives the logits.
func (m *Model) Forward(tokens, targets []uint32, B, T int) (float64, error) {
	c := m.Config
	if B < 1 || T < 1 || T > c.ContextLen {
		return 0, fmt.Errorf("model: batch %d×%d does not fit context %d", B, T, c.ContextLen)
	}
	if len(tokens) != B*T || (targets != nil && len(targets) != B*T) {
		return 0, fmt.Errorf("model: have %d tokens and %d targets, want %d", len(tokens), len(targets), B*T)
	}
	for _, ids := range [][]uint32{tokens, targets} {
		for i, id := range ids {
			if int(id) >= c.VocabSize {
				return 0, fmt.Errorf("model: token %d at position %d is outside the vocabulary of %d", id, i, c.VocabSize)
			}
		}
	}
	if m.acts == nil || m.acts.B != B || m.acts.T != T {
		m.acts = newActivations(c, B, T)
	}
	a, w, wk := m.acts, m.w, m.workers()
	N, C, H, V, NH := B*T, c.Width, c.hidden(), c.VocabSize, c.Heads
	copy(a.tokens, tokens)
	a.hasTargets = targets != nil
	if targets != nil {
		copy(a.targets, targets)
	}
	encoderForward(a.encoded, tokens, w.wte, w.wpe, B, T, C)
	x := a.encoded
	l0 := &a.layers[0] // Config.Validate: at least one layer
	normForward(l0.ln1, l0.ln1Mean, l0.ln1Rstd, x, w.layers[0].ln1, N, C, c.Norm, c.NormEps, wk)
	// Each residual sum is fused with the norm that reads it: ln2 within
	// a block, and the next block's ln1 (or the final norm) at its end.
	for l := range a.layers {
		la, lw := &a.layers[l], &w.layers[l]
		matmulForward(la.qkv, la.ln1, lw.qkv, N, C, 3*C, wk)
		if m.cos != nil {
			ropeForward(la.qkv, m.cos, m.sin, B, T, C, NH, 0, false)
		}
		attentionForward(la.atty, la.att, la.qkv, m.slopes, B, T, C, NH, wk)
		matmulForward(a.tmp, la.atty, lw.proj, N, C, C, wk)
		residualNormForward(la.resid2, la.ln2, la.ln2Mean, la.ln2Rstd, x, a.tmp, lw.ln2, N, C, c.Norm, c.NormEps, wk)
		matmulForward(la.fch, la.ln2, lw.fc, N, C, H, wk)
		geluForward(la.fchGelu, la.dgelu, la.fch, wk)
		matmulForward(a.tmp, la.fchGelu, lw.fcOut, N, H, C, wk)
		if l+1 < len(a.layers) {
			nx := &a.layers[l+1]
			residualNormForward(la.resid3, nx.ln1, nx.ln1Mean, nx.ln1Rstd, la.resid2, a.tmp, w.layers[l+1].ln1, N, C, c.Norm, c.NormEps, wk)
		} else {
			residualNormForward(la.resid3, a.lnf, a.lnfMean, a.lnfRstd, la.resid2, a.tmp, w.lnf, N, C, c.Norm, c.NormEps, wk)
		}
		x = la.resid3
	}
	matmulForward(a.logits, a.lnf, w.wte, N, C, V, wk)
	if targets == nil {
		return 0, nil
	}
	crossEntropyForward(a.losses, a.logits, targets, N, V, wk)
	var sum float64
	for _, l := range a.losses {
		sum += float64(l)
	}
	return sum / float64(N), nil
}

// Logits returns the (B*T, V) logits of the last Forward without targets.
func (m *Model) Logits() []float32 {
	if m.acts == nil || m.acts.hasTargets {
		return nil
	}
	return m.acts.logits
}

// Backward adds the gradient of the last Forward's mean loss, times scale
// (1/GradAccum when accumulating), into Grads. It needs a Forward with
// targets and may be called once per Forward (it consumes the activations).
func (m *Model) Backward(scale float32) error {
	a := m.acts
	if a == nil || !a.hasTargets {
		return fmt.Errorf("model: Backward without a Forward with targets")
	}
	a.hasTargets = false
	c, w, g, wk := m.Config, m.w, m.g, m.workers()
	B, T := a.B, a.T
	N, C, H, V, NH := B*T, c.Width, c.hidden(), c.VocabSize, c.Heads
	crossEntropyBackward(a.logits, a.targets, scale/float32(N), N, V, wk)
	last := a.encoded
	if len(a.layers) > 0 {
		last = a.layers[len(a.layers)-1].resid3
	}
	matmulBackward(a.dln, g.wte, a.logits, a.lnf, w.wte, N, C, V, wk)
	clear(a.dres)
	normBackward(a.dres, g.lnf, a.dln, last, w.lnf, a.lnfMean, a.lnfRstd, N, C, c.Norm, wk)
	for l := len(a.layers) - 1; l >= 0; l-- {
		la, lw, lg := &a.layers[l], &w.layers[l], &g.layers[l]
		x := a.encoded
		if l > 0 {
			x = a.layers[l-1].resid3
		}
		// resid3 = resid2 + fcOut(gelu(fc(ln2(resid2))))
		matmulBackward(a.dfchGelu, lg.fcOut, a.dres, la.fchGelu, lw.fcOut, N, H, C, wk)
		geluBackward(a.dfch, a.dfchGelu, la.dgelu, wk)
		matmulBackward(a.dln, lg.fc, a.dfch, la.ln2, lw.fc, N, C, H, wk)
		normBackward(a.dres, lg.ln2, a.dln, la.resid2, lw.ln2, la.ln2Mean, la.ln2Rstd, N, C, c.Norm, wk)
		// resid2 = x + proj(attention(qkv(ln1(x))))
		matmulBackward(a.datty, lg.proj, a.dres, la.atty, lw.proj, N, C, C, wk)
		attentionBackward(a.dqkv, a.datty, la.qkv, la.att, B, T, C, NH, wk)
		if m.cos != nil {
			ropeForward(a.dqkv, m.cos, m.sin, B, T, C, NH, 0, true)
		}
		matmulBackward(a.dln, lg.qkv, a.dqkv, la.ln1, lw.qkv, N, C, 3*C, wk)
		normBackward(a.dres, lg.ln1, a.dln, x, lw.ln1, la.ln1Mean, la.ln1Rstd, N, C, c.Norm, wk)
	}
	encoderBackward(g.wte, g.wpe, a.dres, a.tokens, B, T, C)
	return nil
}

// FlopsPerToken estimates the training FLOPs per token at context T:
// 3 × (2 × matmul weights + attention 2·2·T·C per layer), counting the
// tied output layer once, as a forward + backward ≈ 3 forwards.
func FlopsPerToken(c Config, T int) float64 {
	C, H, V := float64(c.Width), float64(c.hidden()), float64(c.VocabSize)
	perLayer := 2*(3*C*C+C*C+2*C*H) + 2*2*float64(T)*C/2 // causal: half the scores on average
	return 3 * (float64(c.Layers)*perLayer + 2*C*V)
}
