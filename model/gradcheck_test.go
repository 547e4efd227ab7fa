package model

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// checkGrad compares analytic[i] with the central difference of loss at
// x[i] ± h for up to maxChecks entries spread over x. It returns the
// largest error relative to max(|numeric|, |analytic|, floor), where floor
// is 1% of the largest analytic entry (so entries whose gradient is lost in
// float32 noise do not dominate).
func checkGrad(t *testing.T, name string, x, analytic []float32, loss func() float64, h float32, maxChecks int) float64 {
	return checkGradTol(t, name, x, analytic, loss, h, maxChecks, 2e-2)
}

// checkGradTol is checkGrad with a given tolerance.
func checkGradTol(t *testing.T, name string, x, analytic []float32, loss func() float64, h float32, maxChecks int, tol float64) float64 {
	t.Helper()
	var gmax float64
	for _, g := range analytic {
		gmax = max(gmax, math.Abs(float64(g)))
	}
	if gmax == 0 {
		t.Fatalf("%s: analytic gradient is all zero", name)
	}
	step := max(1, len(x)/maxChecks)
	var worst float64
	for i := 0; i < len(x); i += step {
		old := x[i]
		x[i] = old + h
		lp := loss()
		x[i] = old - h
		lm := loss()
		x[i] = old
		num := (lp - lm) / (2 * float64(h))
		ana := float64(analytic[i])
		rel := math.Abs(num-ana) / max(math.Abs(num), math.Abs(ana), 0.01*gmax)
		worst = max(worst, rel)
		if rel > tol {
			t.Errorf("%s[%d]: analytic %g, numeric %g (rel %.2g)", name, i, ana, num, rel)
		}
	}
	return worst
}

// dotLoss is Σ out·r in float64: a scalar whose gradient wrt out is r.
func dotLoss(out, r []float32) float64 {
	var s float64
	for i := range out {
		s += float64(out[i]) * float64(r[i])
	}
	return s
}

func TestLayerGradients(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	B, T, C, NH, H, V := 2, 5, 8, 2, 12, 11
	N := B * T
	const h = 1e-2

	t.Run("matmul", func(t *testing.T) {
		inp, w := randSlice(rng, N*C), randSlice(rng, H*C)
		out, r := make([]float32, N*H), randSlice(rng, N*H)
		loss := func() float64 { matmulForward(out, inp, w, N, C, H, 1); return dotLoss(out, r) }
		dinp, dw := make([]float32, N*C), make([]float32, H*C)
		matmulBackward(dinp, dw, r, inp, w, N, C, H, 2)
		checkGrad(t, "dinp", inp, dinp, loss, h, 100)
		checkGrad(t, "dw", w, dw, loss, h, 100)
	})
	for _, kind := range []NormKind{LayerNorm, RMSNorm} {
		t.Run(kind.String(), func(t *testing.T) {
			inp, w := randSlice(rng, N*C), randSlice(rng, C)
			out, mean, rstd, r := make([]float32, N*C), make([]float32, N), make([]float32, N), randSlice(rng, N*C)
			loss := func() float64 { normForward(out, mean, rstd, inp, w, N, C, kind, 1e-5, 2); return dotLoss(out, r) }
			loss()
			dinp, dw := make([]float32, N*C), make([]float32, C)
			normBackward(dinp, dw, r, inp, w, mean, rstd, N, C, kind, 2)
			checkGrad(t, "dinp", inp, dinp, loss, h, 100)
			checkGrad(t, "dw", w, dw, loss, h, 100)
		})
	}
	t.Run("encoder", func(t *testing.T) {
		wte, wpe := randSlice(rng, V*C), randSlice(rng, T*C)
		tokens := make([]uint32, N)
		for i := range tokens {
			tokens[i] = uint32(rng.IntN(V))
		}
		out, r := make([]float32, N*C), randSlice(rng, N*C)
		loss := func() float64 { encoderForward(out, tokens, wte, wpe, B, T, C); return dotLoss(out, r) }
		dwte, dwpe := make([]float32, V*C), make([]float32, T*C)
		encoderBackward(dwte, dwpe, r, tokens, B, T, C)
		checkGrad(t, "dwte", wte, dwte, loss, h, 200)
		checkGrad(t, "dwpe", wpe, dwpe, loss, h, 100)
	})
	t.Run("gelu", func(t *testing.T) {
		inp := randSlice(rng, 200)
		for i := range inp {
			inp[i] *= 3
		}
		out, dg, r := make([]float32, 200), make([]float32, 200), randSlice(rng, 200)
		loss := func() float64 { geluForward(out, dg, inp, 2); return dotLoss(out, r) }
		loss()
		d := make([]float32, 200)
		geluBackward(d, r, dg, 2)
		checkGrad(t, "dinp", inp, d, loss, 1e-3, 200)
	})
	t.Run("rope", func(t *testing.T) {
		cos, sin := ropeTables(T+3, C/NH, 10000)
		qkv, r := randSlice(rng, N*3*C), randSlice(rng, N*3*C)
		x := make([]float32, len(qkv))
		loss := func() float64 { copy(x, qkv); ropeForward(x, cos, sin, B, T, C, NH, 3, false); return dotLoss(x, r) }
		d := append([]float32(nil), r...)
		ropeForward(d, cos, sin, B, T, C, NH, 3, true)
		checkGrad(t, "dqkv", qkv, d, loss, h, 200)
	})
	for _, alibi := range []bool{false, true} {
		t.Run(fmt.Sprintf("attention/alibi=%v", alibi), func(t *testing.T) {
			var slopes []float32
			if alibi {
				slopes = alibiSlopes(NH)
			}
			qkv, r := randSlice(rng, N*3*C), randSlice(rng, N*C)
			out, att := make([]float32, N*C), make([]float32, B*NH*T*T)
			loss := func() float64 { attentionForward(out, att, qkv, slopes, B, T, C, NH, 2); return dotLoss(out, r) }
			loss()
			d := make([]float32, N*3*C)
			attentionBackward(d, r, qkv, att, B, T, C, NH, 2)
			checkGrad(t, "dqkv", qkv, d, loss, h, 240)
		})
	}
	t.Run("crossentropy", func(t *testing.T) {
		logits := randSlice(rng, N*V)
		targets := make([]uint32, N)
		for i := range targets {
			targets[i] = uint32(rng.IntN(V))
		}
		probs, losses := make([]float32, N*V), make([]float32, N)
		loss := func() float64 {
			copy(probs, logits)
			crossEntropyForward(losses, probs, targets, N, V, 2)
			var s float64
			for _, l := range losses {
				s += float64(l)
			}
			return s / float64(N)
		}
		loss()
		crossEntropyBackward(probs, targets, 1/float32(N), N, V, 2)
		checkGrad(t, "dlogits", logits, append([]float32(nil), probs...), loss, h, 200)
	})
}

func tinyConfig(pos PosScheme, norm NormKind) Config {
	c := DefaultConfig()
	c.VocabSize, c.ContextLen, c.Layers, c.Heads, c.Width, c.MLPRatio = 13, 6, 2, 2, 8, 4
	c.Position, c.Norm = pos, norm
	c.InitStd = 0.3
	return c
}

func TestModelGradients(t *testing.T) {
	for _, pos := range []PosScheme{PosLearned, PosRoPE, PosALiBi} {
		for _, norm := range []NormKind{LayerNorm, RMSNorm} {
			c := tinyConfig(pos, norm)
			t.Run(pos.String()+"/"+norm.String(), func(t *testing.T) {
				m, err := New(c, 42)
				if err != nil {
					t.Fatal(err)
				}
				B, T := 2, 5
				rng := rand.New(rand.NewPCG(9, 10))
				tokens, targets := make([]uint32, B*T), make([]uint32, B*T)
				for i := range tokens {
					tokens[i], targets[i] = uint32(rng.IntN(c.VocabSize)), uint32(rng.IntN(c.VocabSize))
				}
				if _, err := m.Forward(tokens, targets, B, T); err != nil {
					t.Fatal(err)
				}
				m.ZeroGrad()
				if err := m.Backward(1); err != nil {
					t.Fatal(err)
				}
				grads := append([]float32(nil), m.Grads...)
				loss := func() float64 {
					l, err := m.Forward(tokens, targets, B, T)
					if err != nil {
						t.Fatal(err)
					}
					return l
				}
				off := 0
				var worst float64
				for _, s := range ParamSpecs(c) {
					n := s.Size()
					// The whole model runs in float32, so the central difference of a
					// loss near 2.5 carries ~1e-5 of rounding noise: 5% on the
					// smallest gradients. The PyTorch comparison is the tight check.
					worst = max(worst, checkGradTol(t, s.Name, m.Params[off:off+n], grads[off:off+n], loss, 1e-2, 40, 5e-2))
					off += n
				}
				t.Logf("max relative error %.3g", worst)
			})
		}
	}
}

func TestErf32(t *testing.T) {
	var worst float64
	for x := -6.0; x <= 6; x += 1e-4 {
		worst = max(worst, math.Abs(float64(erf32(float32(x)))-math.Erf(x)))
	}
	if worst > 1e-6 {
		t.Errorf("erf32 differs from math.Erf by up to %g", worst)
	}
}

func TestExp32(t *testing.T) {
	var worst float64
	for x := -87.0; x <= 88; x += 1e-3 {
		xf := float32(x)
		want := math.Exp(float64(xf))
		worst = max(worst, math.Abs(float64(exp32(xf))-want)/want)
	}
	if worst > 1e-6 {
		t.Errorf("exp32 differs from math.Exp by up to %g relative", worst)
	}
	if exp32(-100) != 0 {
		t.Error("exp32(-100) != 0")
	}
}

// BenchmarkGelu_Forward times the GELU with its derivative on the default
// model's MLP activations (768 × 512); SetBytes counts input bytes.
func BenchmarkGelu_Forward(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	inp := randSlice(rng, 768*512)
	out, dg := make([]float32, len(inp)), make([]float32, len(inp))
	b.SetBytes(int64(4 * len(inp)))
	b.ReportAllocs()
	for b.Loop() {
		geluForward(out, dg, inp, 1)
	}
}

// TestGeluVectorMatchesScalar compares the vector GELU with the scalar loop.
func TestGeluVectorMatchesScalar(t *testing.T) {
	if geluVec == nil {
		t.Skip("no vector GELU on this CPU")
	}
	rng := rand.New(rand.NewPCG(11, 12))
	inp := randSlice(rng, 4099)
	for i := range inp {
		inp[i] *= 4
	}
	inp[0], inp[1], inp[2] = 0, 30, -30
	out, dg := make([]float32, len(inp)), make([]float32, len(inp))
	geluForward(out, dg, inp, 2)
	saved := geluVec
	geluVec = nil
	out2, dg2 := make([]float32, len(inp)), make([]float32, len(inp))
	geluForward(out2, dg2, inp, 2)
	geluVec = saved
	for i := range inp {
		if math.Abs(float64(out[i]-out2[i])) > 1e-6*(1+math.Abs(float64(out2[i]))) ||
			math.Abs(float64(dg[i]-dg2[i])) > 1e-6*(1+math.Abs(float64(dg2[i]))) {
			t.Fatalf("x=%g: vector (%g, %g), scalar (%g, %g)", inp[i], out[i], dg[i], out2[i], dg2[i])
		}
	}
}

// TestAttentionMatchesReference compares the blocked attention with the
// dot/axpy reference, forward and backward.
func TestAttentionMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	for _, sh := range [][4]int{{2, 5, 8, 2}, {3, 17, 48, 3}, {1, 64, 128, 4}} {
		B, T, C, NH := sh[0], sh[1], sh[2], sh[3]
		for _, slopes := range [][]float32{nil, alibiSlopes(NH)} {
			qkv, dout := randSlice(rng, B*T*3*C), randSlice(rng, B*T*C)
			out1, att1 := make([]float32, B*T*C), make([]float32, B*NH*T*T)
			out2, att2 := make([]float32, B*T*C), make([]float32, B*NH*T*T)
			attentionForward(out1, att1, qkv, slopes, B, T, C, NH, 2)
			attentionForwardRef(out2, att2, qkv, slopes, B, T, C, NH, 2)
			d1, d2 := make([]float32, B*T*3*C), make([]float32, B*T*3*C)
			attentionBackward(d1, dout, qkv, att1, B, T, C, NH, 2)
			attentionBackwardRef(d2, dout, qkv, att2, B, T, C, NH, 2)
			for _, c := range []struct {
				name      string
				got, want []float32
			}{{"out", out1, out2}, {"att", att1, att2}, {"dqkv", d1, d2}} {
				if e := relErr(c.got, c.want); e > 1e-5 {
					t.Errorf("%v alibi=%v: %s differs from the reference by %.3g", sh, slopes != nil, c.name, e)
				}
			}
		}
	}
}
