package model

import (
	"math"
)

// Every layer is an xxxForward/xxxBackward pair. Arguments come outputs
// first; backward functions accumulate (+=) into parameter gradients and,
// unless they say otherwise, into input gradients. N = B*T rows, C = width,
// NH = heads, hs = C/NH.

// encoderForward: out = wte[token] + wpe[position].
func encoderForward(
	out []float32, // (N, C)
	tokens []uint32, // (N)
	wte []float32, // (V, C)
	wpe []float32, // (T, C) or nil
	B, T, C int,
) {
	for b := 0; b < B; b++ {
		for t := 0; t < T; t++ {
			n := b*T + t
			o := out[n*C : n*C+C]
			copy(o, wte[int(tokens[n])*C:int(tokens[n])*C+C])
			if wpe != nil {
				p := wpe[t*C : t*C+C]
				for i := range o {
					o[i] += p[i]
				}
			}
		}
	}
}

func encoderBackward(
	dwte []float32, // (V, C)
	dwpe []float32, // (T, C) or nil
	dout []float32, // (N, C)
	tokens []uint32, // (N)
	B, T, C int,
) {
	for b := 0; b < B; b++ {
		for t := 0; t < T; t++ {
			n := b*T + t
			d := dout[n*C : n*C+C]
			w := dwte[int(tokens[n])*C : int(tokens[n])*C+C]
			for i, v := range d {
				w[i] += v
			}
			if dwpe != nil {
				p := dwpe[t*C : t*C+C]
				for i, v := range d {
					p[i] += v
				}
			}
		}
	}
}

// normForward: LayerNorm out = (x-mean)*rstd*w, or RMSNorm out = x*rstd*w
// (mean is then 0).
func normForward(
	out []float32, // (N, C)
	mean []float32, // (N)
	rstd []float32, // (N)
	inp []float32, // (N, C)
	w []float32, // (C)
	N, C int, kind NormKind, eps float64, workers int,
) {
	parallelFor((N+normRows-1)/normRows, workers, func(blk int) {
		normForwardRows(out, mean, rstd, inp, w, blk*normRows, min(N, (blk+1)*normRows), C, kind, eps)
	})
}

// residualNormForward is residualForward then normForward on its sum, in
// one pass over each block of rows: resid = x + y, out = norm(resid).
func residualNormForward(
	resid []float32, // (N, C)
	out []float32, // (N, C)
	mean, rstd []float32, // (N)
	x, y []float32, // (N, C)
	w []float32, // (C)
	N, C int, kind NormKind, eps float64, workers int,
) {
	parallelFor((N+normRows-1)/normRows, workers, func(blk int) {
		n0, n1 := blk*normRows, min(N, (blk+1)*normRows)
		r, a, b := resid[n0*C:n1*C], x[n0*C:n1*C], y[n0*C:n1*C]
		for i := range r {
			r[i] = a[i] + b[i]
		}
		normForwardRows(out, mean, rstd, resid, w, n0, n1, C, kind, eps)
	})
}

// normRows is the row block of the parallel norm kernels; fixed, so the
// partial sums of the gain gradient do not depend on the worker count.
const normRows = 32

func normForwardRows(out, mean, rstd, inp, w []float32, n0, n1, C int, kind NormKind, eps float64) {
	for n := n0; n < n1; n++ {
		x := inp[n*C : n*C+C]
		var m float64
		if kind == LayerNorm {
			for _, v := range x {
				m += float64(v)
			}
			m /= float64(C)
		}
		var v2 float64
		for _, v := range x {
			d := float64(v) - m
			v2 += d * d
		}
		rs := 1 / math.Sqrt(v2/float64(C)+eps)
		mean[n], rstd[n] = float32(m), float32(rs)
		o := out[n*C : n*C+C]
		mf, rf := float32(m), float32(rs)
		for i, v := range x {
			o[i] = (v - mf) * rf * w[i]
		}
	}
}

func normBackward(
	dinp []float32, // (N, C) +=
	dw []float32, // (C) +=
	dout []float32, // (N, C)
	inp []float32, // (N, C)
	w []float32, // (C)
	mean, rstd []float32, // (N)
	N, C int, kind NormKind, workers int,
) {
	blocks := (N + normRows - 1) / normRows
	buf := getBuf(blocks * C) // per-block gain gradients
	partial := *buf
	clear(partial)
	parallelFor(blocks, workers, func(blk int) {
		normBackwardRows(dinp, partial[blk*C:(blk+1)*C], dout, inp, w, mean, rstd, blk*normRows, min(N, (blk+1)*normRows), C, kind)
	})
	defer packPool.Put(buf)
	for blk := 0; blk < blocks; blk++ {
		for i, v := range partial[blk*C : (blk+1)*C] {
			dw[i] += v
		}
	}
}

func normBackwardRows(dinp, dw, dout, inp, w, mean, rstd []float32, n0, n1, C int, kind NormKind) {
	for n := n0; n < n1; n++ {
		x := inp[n*C : n*C+C]
		d := dout[n*C : n*C+C]
		m, rs := mean[n], rstd[n]
		var sumD, sumDX float32 // sums of dxhat and dxhat*xhat
		for i := range x {
			xhat := (x[i] - m) * rs
			dxhat := d[i] * w[i]
			sumD += dxhat
			sumDX += dxhat * xhat
		}
		sumD /= float32(C)
		sumDX /= float32(C)
		if kind == RMSNorm {
			sumD = 0
		}
		di := dinp[n*C : n*C+C]
		for i := range x {
			xhat := (x[i] - m) * rs
			dw[i] += d[i] * xhat
			di[i] += rs * (d[i]*w[i] - sumD - xhat*sumDX)
		}
	}
}

// matmulForward: out = inp · wᵀ (a linear layer without bias, PyTorch's
// weight layout).
func matmulForward(
	out []float32, // (N, OC)
	inp []float32, // (N, IC)
	w []float32, // (OC, IC)
	N, IC, OC, workers int,
) {
	gemm(N, OC, IC, mat{d: inp, ld: IC}, mat{d: w, ld: IC, t: true}, out, OC, false, workers)
}

// matmulBackward: dinp (=, not +=) dout · w; dw += doutᵀ · inp. dinp may be
// nil when the input needs no gradient.
func matmulBackward(
	dinp []float32, // (N, IC) overwritten
	dw []float32, // (OC, IC) +=
	dout []float32, // (N, OC)
	inp []float32, // (N, IC)
	w []float32, // (OC, IC)
	N, IC, OC, workers int,
) {
	if dinp != nil {
		gemm(N, IC, OC, mat{d: dout, ld: OC}, mat{d: w, ld: IC}, dinp, IC, false, workers)
	}
	gemm(OC, IC, N, mat{d: dout, ld: OC, t: true}, mat{d: inp, ld: IC}, dw, IC, true, workers)
}

// alibiSlopes returns the per-head ALiBi slopes of Press et al.: for a
// power of two n, 2^(-8(h+1)/n); otherwise the slopes of the nearest lower
// power of two followed by every other slope of the next one.
func alibiSlopes(n int) []float32 {
	pow2 := func(n int) []float64 {
		s := make([]float64, n)
		start := math.Pow(2, -8/float64(n))
		for i := range s {
			s[i] = math.Pow(start, float64(i+1))
		}
		return s
	}
	p := 1
	for p*2 <= n {
		p *= 2
	}
	s := pow2(p)
	if p < n {
		extra := pow2(2 * p)
		for i := 0; len(s) < n; i += 2 {
			s = append(s, extra[i])
		}
	}
	out := make([]float32, n)
	for i := range out {
		out[i] = float32(s[i])
	}
	return out
}

// ropeTables returns cos and sin of position×frequency for T positions and
// hs/2 frequencies base^(-2i/hs).
func ropeTables(T, hs int, base float64) (cos, sin []float32) {
	half := hs / 2
	cos, sin = make([]float32, T*half), make([]float32, T*half)
	for t := 0; t < T; t++ {
		for i := 0; i < half; i++ {
			a := float64(t) * math.Pow(base, -2*float64(i)/float64(hs))
			cos[t*half+i], sin[t*half+i] = float32(math.Cos(a)), float32(math.Sin(a))
		}
	}
	return cos, sin
}

// ropeForward rotates the query and key parts of qkv in place, rows at
// positions pos0..pos0+T-1 (rotate-half: pairs (i, i+hs/2)). With inverse
// it applies the transposed rotation, which is the backward pass.
func ropeForward(
	qkv []float32, // (B, T, 3C)
	cos, sin []float32, // (maxT, hs/2)
	B, T, C, NH, pos0 int, inverse bool,
) {
	hs := C / NH
	half := hs / 2
	for b := 0; b < B; b++ {
		for t := 0; t < T; t++ {
			row := qkv[(b*T+t)*3*C:]
			cs := cos[(pos0+t)*half : (pos0+t)*half+half]
			sn := sin[(pos0+t)*half : (pos0+t)*half+half]
			for part := 0; part < 2; part++ { // q, k
				for h := 0; h < NH; h++ {
					x := row[part*C+h*hs : part*C+h*hs+hs]
					for i := 0; i < half; i++ {
						x1, x2 := x[i], x[i+half]
						s := sn[i]
						if inverse {
							s = -s
						}
						x[i] = x1*cs[i] - x2*s
						x[i+half] = x2*cs[i] + x1*s
					}
				}
			}
		}
	}
}

// attentionForwardRef is attentionForward written with one dot product per
// score and one axpy per value row: the reference the blocked version is
// tested against.
func attentionForwardRef(
	out []float32, // (N, C)
	att []float32, // (B, NH, T, T)
	qkv []float32, // (N, 3C)
	slopes []float32, // (NH) or nil
	B, T, C, NH, workers int,
) {
	hs := C / NH
	scale := float32(1 / math.Sqrt(float64(hs)))
	parallelFor(B*NH, workers, func(task int) {
		b, h := task/NH, task%NH
		var slope float32
		if slopes != nil {
			slope = slopes[h]
		}
		for t := 0; t < T; t++ {
			q := qkv[(b*T+t)*3*C+h*hs : (b*T+t)*3*C+h*hs+hs]
			a := att[((b*NH+h)*T+t)*T : ((b*NH+h)*T+t)*T+T]
			maxv := float32(math.Inf(-1))
			for t2 := 0; t2 <= t; t2++ {
				k := qkv[(b*T+t2)*3*C+C+h*hs : (b*T+t2)*3*C+C+h*hs+hs]
				s := dot(q, k)*scale - slope*float32(t-t2)
				a[t2] = s
				maxv = max(maxv, s)
			}
			var sum float32
			for t2 := 0; t2 <= t; t2++ {
				e := float32(math.Exp(float64(a[t2] - maxv)))
				a[t2] = e
				sum += e
			}
			inv := 1 / sum
			for t2 := 0; t2 <= t; t2++ {
				a[t2] *= inv
			}
			clear(a[t+1:])
			o := out[(b*T+t)*C+h*hs : (b*T+t)*C+h*hs+hs]
			clear(o)
			for t2 := 0; t2 <= t; t2++ {
				axpy(a[t2], qkv[(b*T+t2)*3*C+2*C+h*hs:(b*T+t2)*3*C+2*C+h*hs+hs], o)
			}
		}
	})
}

// attentionBackwardRef is attentionBackward written with dot products and
// axpys: the reference the blocked version is tested against.
func attentionBackwardRef(
	dqkv []float32, // (N, 3C) overwritten
	dout []float32, // (N, C)
	qkv []float32, // (N, 3C)
	att []float32, // (B, NH, T, T)
	B, T, C, NH, workers int,
) {
	hs := C / NH
	scale := float32(1 / math.Sqrt(float64(hs)))
	parallelFor(B*NH, workers, func(task int) {
		b, h := task/NH, task%NH
		for t := 0; t < T; t++ {
			for part := 0; part < 3; part++ {
				clear(dqkv[(b*T+t)*3*C+part*C+h*hs : (b*T+t)*3*C+part*C+h*hs+hs])
			}
		}
		datt := make([]float32, T)
		for t := 0; t < T; t++ {
			a := att[((b*NH+h)*T+t)*T : ((b*NH+h)*T+t)*T+T]
			do := dout[(b*T+t)*C+h*hs : (b*T+t)*C+h*hs+hs]
			// out = Σ a[t2] v[t2]: datt[t2] = do·v[t2], dv[t2] += a[t2] do
			for t2 := 0; t2 <= t; t2++ {
				v := qkv[(b*T+t2)*3*C+2*C+h*hs : (b*T+t2)*3*C+2*C+h*hs+hs]
				dv := dqkv[(b*T+t2)*3*C+2*C+h*hs : (b*T+t2)*3*C+2*C+h*hs+hs]
				datt[t2] = dot(do, v)
				axpy(a[t2], do, dv)
			}
			// softmax backward: dpre[t2] = a[t2] (datt[t2] - Σ a·datt)
			var s float32
			for t2 := 0; t2 <= t; t2++ {
				s += a[t2] * datt[t2]
			}
			q := qkv[(b*T+t)*3*C+h*hs : (b*T+t)*3*C+h*hs+hs]
			dq := dqkv[(b*T+t)*3*C+h*hs : (b*T+t)*3*C+h*hs+hs]
			for t2 := 0; t2 <= t; t2++ {
				dpre := a[t2] * (datt[t2] - s) * scale
				k := qkv[(b*T+t2)*3*C+C+h*hs : (b*T+t2)*3*C+C+h*hs+hs]
				dk := dqkv[(b*T+t2)*3*C+C+h*hs : (b*T+t2)*3*C+C+h*hs+hs]
				axpy(dpre, k, dq)
				axpy(dpre, q, dk)
			}
		}
	})
}

// attentionForward: causal multi-head attention over qkv = [q | k | v]
// with scores q·k/sqrt(hs) (minus slope·distance with ALiBi); att keeps the
// softmax probabilities for the backward pass. Each (b, h) task computes
// S = Q·Kᵀ and Y = P·V with the packed matmul (the full T×T square: twice
// the causal work, but vectorised; the masked half is discarded).
func attentionForward(
	out []float32, // (N, C)
	att []float32, // (B, NH, T, T)
	qkv []float32, // (N, 3C)
	slopes []float32, // (NH) or nil
	B, T, C, NH, workers int,
) {
	hs := C / NH
	scale := float32(1 / math.Sqrt(float64(hs)))
	parallelFor(B*NH, workers, func(task int) {
		b, h := task/NH, task%NH
		base := b * T * 3 * C
		q := mat{d: qkv[base+h*hs:], ld: 3 * C}
		k := mat{d: qkv[base+C+h*hs:], ld: 3 * C, t: true}
		v := mat{d: qkv[base+2*C+h*hs:], ld: 3 * C}
		p := att[(b*NH+h)*T*T : (b*NH+h+1)*T*T]
		gemm(T, T, hs, q, k, p, T, false, 1)
		var slope float32
		if slopes != nil {
			slope = slopes[h]
		}
		for t := 0; t < T; t++ {
			a := p[t*T : t*T+T]
			maxv := float32(math.Inf(-1))
			for t2 := 0; t2 <= t; t2++ {
				a[t2] = a[t2]*scale - slope*float32(t-t2)
				maxv = max(maxv, a[t2])
			}
			var sum float32
			for t2 := 0; t2 <= t; t2++ {
				e := exp32(a[t2] - maxv)
				a[t2] = e
				sum += e
			}
			inv := 1 / sum
			for t2 := 0; t2 <= t; t2++ {
				a[t2] *= inv
			}
			clear(a[t+1:])
		}
		gemm(T, hs, T, mat{d: p, ld: T}, v, out[b*T*C+h*hs:], C, false, 1)
	})
}

// attentionBackward overwrites dqkv (N, 3C) with the gradient of the
// attention output dout; each (b, h) task writes only its own head, with
// the packed matmul as in attentionForward.
func attentionBackward(
	dqkv []float32, // (N, 3C) overwritten
	dout []float32, // (N, C)
	qkv []float32, // (N, 3C)
	att []float32, // (B, NH, T, T)
	B, T, C, NH, workers int,
) {
	hs := C / NH
	scale := float32(1 / math.Sqrt(float64(hs)))
	parallelFor(B*NH, workers, func(task int) {
		b, h := task/NH, task%NH
		base := b * T * 3 * C
		p := att[(b*NH+h)*T*T : (b*NH+h+1)*T*T]
		do := mat{d: dout[b*T*C+h*hs:], ld: C}
		buf := getBuf(T * T)
		dp := *buf
		// Y = P·V: dP = dY·Vᵀ, dV = Pᵀ·dY
		gemm(T, T, hs, do, mat{d: qkv[base+2*C+h*hs:], ld: 3 * C, t: true}, dp, T, false, 1)
		gemm(T, hs, T, mat{d: p, ld: T, t: true}, do, dqkv[base+2*C+h*hs:], 3*C, false, 1)
		// softmax backward, with the score scale folded in:
		// dS[t2] = scale · P[t2] (dP[t2] - Σ P·dP), 0 above the diagonal
		for t := 0; t < T; t++ {
			a, d := p[t*T:t*T+T], dp[t*T:t*T+T]
			var s float32
			for t2 := 0; t2 <= t; t2++ {
				s += a[t2] * d[t2]
			}
			for t2 := 0; t2 <= t; t2++ {
				d[t2] = a[t2] * (d[t2] - s) * scale
			}
			clear(d[t+1:])
		}
		// S = Q·Kᵀ: dQ = dS·K, dK = dSᵀ·Q
		gemm(T, hs, T, mat{d: dp, ld: T}, mat{d: qkv[base+C+h*hs:], ld: 3 * C}, dqkv[base+h*hs:], 3*C, false, 1)
		gemm(T, hs, T, mat{d: dp, ld: T, t: true}, mat{d: qkv[base+h*hs:], ld: 3 * C}, dqkv[base+C+h*hs:], 3*C, false, 1)
		packPool.Put(buf)
	})
}

const invSqrt2 = 0.70710678118654752440
const invSqrt2Pi = 0.39894228040143267794

// geluForward: out = x Φ(x), the exact (erf) GELU of torch.nn.GELU(). If
// dgelu is not nil it receives the derivative Φ(x) + x φ(x) for the
// backward pass, so that no transcendental function is evaluated twice.
func geluForward(
	out []float32, // (n)
	dgelu []float32, // (n) or nil
	inp []float32, // (n)
	workers int,
) {
	const chunk = 8192
	parallelFor((len(inp)+chunk-1)/chunk, workers, func(c int) {
		lo, hi := c*chunk, min(len(inp), (c+1)*chunk)
		if dgelu != nil && geluVec != nil {
			geluVec(out[lo:hi], dgelu[lo:hi], inp[lo:hi])
			lo += (hi - lo) &^ 7
		}
		for i := lo; i < hi; i++ {
			x := inp[i]
			cdf := 0.5 * (1 + erf32(x*invSqrt2))
			out[i] = x * cdf
			if dgelu != nil {
				pdf := invSqrt2Pi * exp32(-0.5*x*x)
				dgelu[i] = cdf + x*pdf
			}
		}
	})
}

// geluVec, if set by an architecture file, computes out and dgelu for the
// largest multiple of 8 elements of inp.
var geluVec func(out, dgelu, inp []float32)

// geluBackward: dinp (=) dout · dgelu.
func geluBackward(
	dinp []float32, // (n) overwritten
	dout []float32, // (n)
	dgelu []float32, // (n) from geluForward
	workers int,
) {
	const chunk = 16384
	parallelFor((len(dout)+chunk-1)/chunk, workers, func(c int) {
		lo, hi := c*chunk, min(len(dout), (c+1)*chunk)
		di, g := dinp[lo:hi], dgelu[lo:hi]
		for i, d := range dout[lo:hi] {
			di[i] = d * g[i]
		}
	})
}

// residualForward: out = a + b.
func residualForward(out, a, b []float32, workers int) {
	const chunk = 16384
	parallelFor((len(out)+chunk-1)/chunk, workers, func(c int) {
		lo, hi := c*chunk, min(len(out), (c+1)*chunk)
		o, x, y := out[lo:hi], a[lo:hi], b[lo:hi]
		for i := range o {
			o[i] = x[i] + y[i]
		}
	})
}

// crossEntropyForward turns logits into probabilities in place (row-wise
// softmax) and writes each row's loss -log p[target].
func crossEntropyForward(
	losses []float32, // (N)
	logits []float32, // (N, V) → probabilities
	targets []uint32, // (N)
	N, V, workers int,
) {
	parallelFor((N+ceRows-1)/ceRows, workers, func(blk int) {
		for n := blk * ceRows; n < min(N, (blk+1)*ceRows); n++ {
			row := logits[n*V : n*V+V]
			xt := float64(row[targets[n]])
			losses[n] = float32(softmaxInPlace(row) - xt)
		}
	})
}

// crossEntropyBackward overwrites probs with dlogits = (p - onehot)·scale.
func crossEntropyBackward(
	probs []float32, // (N, V) → dlogits
	targets []uint32, // (N)
	scale float32,
	N, V, workers int,
) {
	parallelFor((N+ceRows-1)/ceRows, workers, func(blk int) {
		for n := blk * ceRows; n < min(N, (blk+1)*ceRows); n++ {
			row := probs[n*V : n*V+V]
			row[targets[n]] -= 1
			for i := range row {
				row[i] *= scale
			}
		}
	})
}

// ceRows is the rows per task of the cross-entropy kernels (a task per row
// was a microsecond of work for a byte vocabulary).
const ceRows = 16

// softmaxInPlace replaces x by softmax(x), computed in float64, and
// returns log Σ exp(x).
func softmaxInPlace(x []float32) float64 {
	maxv := x[0]
	for _, v := range x {
		maxv = max(maxv, v)
	}
	var sum float64
	for i, v := range x {
		e := math.Exp(float64(v - maxv))
		x[i] = float32(e)
		sum += e
	}
	inv := float32(1 / sum)
	for i := range x {
		x[i] *= inv
	}
	return float64(maxv) + math.Log(sum)
}
