//go:build amd64 && !noasm

package model

import "golang.org/x/sys/cpu"

// hasAVX2FMA reports whether the assembly kernels can run.
var hasAVX2FMA = cpu.X86.HasAVX2 && cpu.X86.HasFMA

func init() {
	if hasAVX2FMA {
		kernels = append(kernels, microKernel{"avx2", 6, 16, kernelAVX2})
		dot = dotAVX2
		axpy = axpyAVX2
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
