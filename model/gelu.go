package model

import "math"

// erf32 is erf in float32 by a rational approximation on [-4, 4] (erf is
// ±1 to float32 precision beyond): x·P(x²)/Q(x²) with the minimax
// coefficients used by Eigen and XLA for float. TestErf32 bounds its error
// against math.Erf (< 1e-6 absolute).
//
// Performance notes: math.Erf (float64) made GELU 25% of a training step
// of the default model; this is about 5x cheaper.
func erf32(x float32) float32 {
	x = min(max(x, -4), 4)
	x2 := x * x
	p := x2*-2.72614225801306e-10 + 2.77068142495902e-08
	p = x2*p + -2.10102402082508e-06
	p = x2*p + -5.69250639462346e-05
	p = x2*p + -7.34990630326855e-04
	p = x2*p + -2.95459980854025e-03
	p = x2*p + -1.60960333262415e-02
	p *= x
	q := x2*-1.45660718464996e-05 + -2.13374055278905e-04
	q = x2*q + -1.68282697438203e-03
	q = x2*q + -7.37332916720468e-03
	q = x2*q + -1.42647390514189e-02
	return p / q
}

// exp32 is e^x in float32 (Cephes expf: x = n ln2 + r, |r| ≤ ln2/2,
// e^r = 1 + r + r²P(r)); relative error about 2e-7, 0 below -87.
// TestExp32 bounds it against math.Exp.
func exp32(x float32) float32 {
	if x < -87 {
		return 0
	}
	x = min(x, 88)
	n := float32(int32(x*1.44269504088896341 + 0.5*sign32(x)))
	r := x - n*0.693359375 + n*2.12194440e-4
	r2 := r * r
	p := float32(1.9875691500e-4)
	p = p*r + 1.3981999507e-3
	p = p*r + 8.3334519073e-3
	p = p*r + 4.1665795894e-2
	p = p*r + 1.6666665459e-1
	p = p*r + 5.0000001201e-1
	e := p*r2 + r + 1
	return e * math.Float32frombits(uint32(int32(n)+127)<<23)
}

func sign32(x float32) float32 {
	if x < 0 {
		return -1
	}
	return 1
}
