//go:build amd64 && !noasm

package model

import "golang.org/x/sys/cpu"

// hasAVX2FMA reports whether the assembly kernels can run.
var hasAVX2FMA = cpu.X86.HasAVX2 && cpu.X86.HasFMA

func init() {
	if hasAVX2FMA {
		kernel = kernelAVX2
		dot = dotAVX2
	}
}

// kernelAVX2 is the 6×16 AVX2+FMA micro-kernel; same contract as kernelGo.
func kernelAVX2(k int, a, b, c []float32, ldc int) {
	_ = a[k*mr-1]
	_ = b[k*nr-1]
	_ = c[5*ldc+nr-1]
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
