//go:build amd64 && !noasm

package model

import (
	"math"

	"golang.org/x/sys/cpu"
)

// hasAVX2FMA reports whether the assembly kernels can run.
var hasAVX2FMA = cpu.X86.HasAVX2 && cpu.X86.HasFMA

func init() {
	if hasAVX2FMA {
		kernels = append(kernels, microKernel{"avx2", 6, 16, kernelAVX2})
		dot = dotAVX2
		axpy = axpyAVX2
		geluVec = geluAVX2
	}
	if hasAVX2FMA && cpu.X86.HasAVX512F {
		kernels = append(kernels, microKernel{"avx512", 12, 32, kernelAVX512})
	}
	useKernel(kernels[len(kernels)-1])
}

// kernelAVX512 is the 12×32 AVX-512 micro-kernel; same contract as kernelGo.
func kernelAVX512(k int, a, b, c []float32, ldc int) {
	_ = a[k*12-1]
	_ = b[k*32-1]
	_ = c[11*ldc+31]
	kernel12x32(k, &a[0], &b[0], &c[0], ldc)
}

//go:noescape
func kernel12x32(k int, a, b, c *float32, ldc int)

// kernelAVX2 is the 6×16 AVX2+FMA micro-kernel; same contract as kernelGo.
func kernelAVX2(k int, a, b, c []float32, ldc int) {
	_ = a[k*6-1]
	_ = b[k*16-1]
	_ = c[5*ldc+15]
	kernel6x16(k, &a[0], &b[0], &c[0], ldc)
}

//go:noescape
func kernel6x16(k int, a, b, c *float32, ldc int)

// dotAVX2 is dotGo with 8-wide FMA partial sums.
func dotAVX2(x, y []float32) float32 {
	if len(x) < 32 {
		return dotGo(x, y)
	}
	y = y[:len(x)]
	n := len(x) &^ 31
	s := dot32(&x[0], &y[0], n)
	for i := n; i < len(x); i++ {
		s += x[i] * y[i]
	}
	return s
}

//go:noescape
func dot32(x, y *float32, n int) float32

// axpyAVX2 is axpyGo with 8-wide FMAs.
func axpyAVX2(alpha float32, x, y []float32) {
	y = y[:len(x)]
	n := len(x) &^ 7
	if n > 0 {
		axpy8(alpha, &x[0], &y[0], n)
	}
	for i := n; i < len(x); i++ {
		y[i] += alpha * x[i]
	}
}

//go:noescape
func axpy8(alpha float32, x, y *float32, n int)

// geluConsts holds the constants of gelu8, each broadcast to 8 lanes, in
// the order gelu8 expects (see matmul_amd64.s); the last entry is the
// int32 127 (exponent bias).
var geluConsts = func() []float32 {
	vals := []float32{
		0.70710678118654752440, // invSqrt2
		-4,                     // -4
		4,                      // 4
		-2.72614225801306e-10,  // a0
		2.77068142495902e-08,   // a1
		-2.10102402082508e-06,  // a2
		-5.69250639462346e-05,  // a3
		-7.34990630326855e-04,  // a4
		-2.95459980854025e-03,  // a5
		-1.60960333262415e-02,  // a6
		-1.45660718464996e-05,  // b0
		-2.13374055278905e-04,  // b1
		-1.68282697438203e-03,  // b2
		-7.37332916720468e-03,  // b3
		-1.42647390514189e-02,  // b4
		0.5,                    // half
		1,                      // one
		-0.5,                   // mhalf
		-87,                    // m87
		1.44269504088896341,    // log2e
		0.693359375,            // c1
		-2.12194440e-4,         // c2
		1.9875691500e-4,        // p0
		1.3981999507e-3,        // p1
		8.3334519073e-3,        // p2
		4.1665795894e-2,        // p3
		1.6666665459e-1,        // p4
		5.0000001201e-1,        // p5
		0.39894228040143267794, // invSqrt2Pi
	}
	c := make([]float32, 0, 8*(len(vals)+1))
	for _, v := range vals {
		for i := 0; i < 8; i++ {
			c = append(c, v)
		}
	}
	for i := 0; i < 8; i++ {
		c = append(c, math.Float32frombits(127))
	}
	return c
}()

// geluAVX2 is geluForward's loop over n (a multiple of 8) elements with
// dgelu, 8 lanes at a time: the same erf32 and exp32 approximations
// (exp rounds n to nearest instead of half away from zero).
func geluAVX2(out, dgelu, inp []float32) {
	n := len(inp) &^ 7
	if n == 0 {
		return
	}
	_, _ = out[n-1], dgelu[n-1]
	gelu8(&out[0], &dgelu[0], &inp[0], n, &geluConsts[0])
}

//go:noescape
func gelu8(out, dgelu, inp *float32, n int, k *float32)
