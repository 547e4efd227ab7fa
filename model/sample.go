package model

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
)

// SampleConfig controls generation. Start from DefaultSampleConfig.
type SampleConfig struct {
	// MaxTokens is the number of tokens to generate. Default 256.
	MaxTokens int
	// Temperature divides the logits; 0 means greedy. Default 1.
	Temperature float64
	// TopK keeps only the K most likely tokens; 0 disables. Default 0.
	TopK int
	// TopP keeps the smallest set of tokens whose probability reaches P;
	// 1 disables. Default 1.
	TopP float64
	// Seed seeds the sampling generator. Default 1337.
	Seed uint64
}

// DefaultSampleConfig returns the documented defaults.
func DefaultSampleConfig() SampleConfig {
	return SampleConfig{MaxTokens: 256, Temperature: 1, TopP: 1, Seed: 1337}
}

// Sampler runs the model one position at a time with a KV cache, so each
// new token costs one position rather than the whole context. It is not
// safe for concurrent use.
type Sampler struct {
	m    *Model
	pos  int
	k, v [][]float32 // per layer (ContextLen, C), keys after RoPE
	// scratch, one row each
	x, ln, qkv, atty, tmp, h, hg, logits, att []float32
}

// NewSampler returns a sampler with an empty cache.
func (m *Model) NewSampler() *Sampler {
	c := m.Config
	C, T := c.Width, c.ContextLen
	s := &Sampler{m: m, x: make([]float32, C), ln: make([]float32, C), qkv: make([]float32, 3*C),
		atty: make([]float32, C), tmp: make([]float32, C), h: make([]float32, c.hidden()),
		hg: make([]float32, c.hidden()), logits: make([]float32, c.VocabSize), att: make([]float32, T)}
	for l := 0; l < c.Layers; l++ {
		s.k = append(s.k, make([]float32, T*C))
		s.v = append(s.v, make([]float32, T*C))
	}
	return s
}

// Reset empties the cache.
func (s *Sampler) Reset() { s.pos = 0 }

// Pos is the number of tokens in the cache.
func (s *Sampler) Pos() int { return s.pos }

// Feed runs token at the next position and returns the logits (V) of the
// token after it. The slice is reused by the next call.
func (s *Sampler) Feed(token uint32) ([]float32, error) {
	m := s.m
	c, w, wk := m.Config, m.w, m.workers()
	C, H, NH := c.Width, c.hidden(), c.Heads
	hs := C / NH
	if int(token) >= c.VocabSize {
		return nil, fmt.Errorf("model: token %d is outside the vocabulary of %d", token, c.VocabSize)
	}
	if s.pos >= c.ContextLen {
		return nil, fmt.Errorf("model: the KV cache is full (%d positions)", c.ContextLen)
	}
	p := s.pos
	var mean, rstd [1]float32
	copy(s.x, w.wte[int(token)*C:int(token)*C+C])
	if w.wpe != nil {
		for i := range s.x {
			s.x[i] += w.wpe[p*C+i]
		}
	}
	scale := float32(1 / math.Sqrt(float64(hs)))
	for l := range w.layers {
		lw := &w.layers[l]
		normForward(s.ln, mean[:], rstd[:], s.x, lw.ln1, 1, C, c.Norm, c.NormEps, wk)
		matmulForward(s.qkv, s.ln, lw.qkv, 1, C, 3*C, wk)
		if m.cos != nil {
			ropeForward(s.qkv, m.cos, m.sin, 1, 1, C, NH, p, false)
		}
		copy(s.k[l][p*C:p*C+C], s.qkv[C:2*C])
		copy(s.v[l][p*C:p*C+C], s.qkv[2*C:3*C])
		for h := 0; h < NH; h++ {
			q := s.qkv[h*hs : h*hs+hs]
			var slope float32
			if m.slopes != nil {
				slope = m.slopes[h]
			}
			a := s.att[:p+1]
			for t2 := 0; t2 <= p; t2++ {
				a[t2] = dot(q, s.k[l][t2*C+h*hs:t2*C+h*hs+hs])*scale - slope*float32(p-t2)
			}
			maxv := a[0]
			for _, v := range a {
				maxv = max(maxv, v)
			}
			var sum float32
			for i, v := range a {
				e := float32(math.Exp(float64(v - maxv)))
				a[i] = e
				sum += e
			}
			o := s.atty[h*hs : h*hs+hs]
			clear(o)
			for t2 := 0; t2 <= p; t2++ {
				pr := a[t2] / sum
				vv := s.v[l][t2*C+h*hs : t2*C+h*hs+hs]
				for i := range o {
					o[i] += pr * vv[i]
				}
			}
		}
		matmulForward(s.tmp, s.atty, lw.proj, 1, C, C, wk)
		residualForward(s.x, s.x, s.tmp, 1)
		normForward(s.ln, mean[:], rstd[:], s.x, lw.ln2, 1, C, c.Norm, c.NormEps, wk)
		matmulForward(s.h, s.ln, lw.fc, 1, C, H, wk)
		geluForward(s.hg, nil, s.h, 1)
		matmulForward(s.tmp, s.hg, lw.fcOut, 1, H, C, wk)
		residualForward(s.x, s.x, s.tmp, 1)
	}
	normForward(s.ln, mean[:], rstd[:], s.x, w.lnf, 1, C, c.Norm, c.NormEps, wk)
	matmulForward(s.logits, s.ln, w.wte, 1, C, c.VocabSize, wk)
	s.pos++
	return s.logits, nil
}

// Generate feeds prompt (at least one token; only its last ContextLen
// tokens are used) and then samples sc.MaxTokens tokens, calling emit with
// each as soon as it is drawn. When the context is full, the cache restarts
// from the last ContextLen/2 tokens.
func (s *Sampler) Generate(prompt []uint32, sc SampleConfig, emit func(uint32) error) error {
	if len(prompt) == 0 {
		return errors.New("model: generation needs a prompt of at least one token")
	}
	if sc.Temperature < 0 || sc.TopK < 0 || !(sc.TopP > 0 && sc.TopP <= 1) {
		return fmt.Errorf("model: invalid sampling settings (temperature %g, top-k %d, top-p %g)", sc.Temperature, sc.TopK, sc.TopP)
	}
	T := s.m.Config.ContextLen
	ctx := append([]uint32(nil), prompt[max(0, len(prompt)-T):]...)
	rng := rand.New(rand.NewPCG(sc.Seed, 0))
	s.Reset()
	var logits []float32
	var err error
	for _, t := range ctx {
		if logits, err = s.Feed(t); err != nil {
			return err
		}
	}
	probs := make([]float32, len(logits))
	idx := make([]int, len(logits))
	for i := 0; i < sc.MaxTokens; i++ {
		next := pick(logits, sc, rng, probs, idx)
		if err := emit(next); err != nil {
			return err
		}
		ctx = append(ctx, next)
		if i == sc.MaxTokens-1 {
			break
		}
		if s.pos == T {
			ctx = ctx[len(ctx)-T/2:]
			s.Reset()
			for _, t := range ctx {
				if logits, err = s.Feed(t); err != nil {
					return err
				}
			}
			continue
		}
		if logits, err = s.Feed(next); err != nil {
			return err
		}
	}
	return nil
}

// pick draws a token from logits with temperature, top-k and top-p.
func pick(logits []float32, sc SampleConfig, rng *rand.Rand, probs []float32, idx []int) uint32 {
	if sc.Temperature == 0 {
		best := 0
		for i, v := range logits {
			if v > logits[best] {
				best = i
			}
		}
		return uint32(best)
	}
	inv := float32(1 / sc.Temperature)
	for i, v := range logits {
		probs[i] = v * inv
	}
	softmaxInPlace(probs)
	for i := range idx {
		idx[i] = i
	}
	keep := len(idx)
	if sc.TopK > 0 || sc.TopP < 1 {
		sort.SliceStable(idx, func(a, b int) bool { return probs[idx[a]] > probs[idx[b]] })
		if sc.TopK > 0 && sc.TopK < keep {
			keep = sc.TopK
		}
		if sc.TopP < 1 {
			var cum float64
			for i := 0; i < keep; i++ {
				cum += float64(probs[idx[i]])
				if cum >= sc.TopP {
					keep = i + 1
					break
				}
			}
		}
	}
	var total float64
	for _, i := range idx[:keep] {
		total += float64(probs[i])
	}
	r := rng.Float64() * total
	for _, i := range idx[:keep] {
		r -= float64(probs[i])
		if r < 0 {
			return uint32(i)
		}
	}
	return uint32(idx[keep-1])
}
