package model

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

func randSlice(rng *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(rng.NormFloat64())
	}
	return s
}

// operand builds an m×k op(A) stored transposed or not.
func operand(rng *rand.Rand, rows, cols int, t bool) mat {
	if t {
		return mat{d: randSlice(rng, rows*cols), ld: rows, t: true}
	}
	return mat{d: randSlice(rng, rows*cols), ld: cols}
}

func TestGemmMatchesNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	shapes := [][3]int{{1, 1, 1}, {1, 300, 70}, {2, 33, 5}, {6, 16, 1}, {7, 17, 3}, {13, 50, 257},
		{97, 130, 300}, {200, 5, 513}, {64, 4100, 9}}
	for _, sh := range shapes {
		for _, ta := range []bool{false, true} {
			for _, tb := range []bool{false, true} {
				for _, acc := range []bool{false, true} {
					m, n, k := sh[0], sh[1], sh[2]
					name := fmt.Sprintf("%dx%dx%d/ta=%v/tb=%v/acc=%v", m, n, k, ta, tb, acc)
					a, b := operand(rng, m, k, ta), operand(rng, k, n, tb)
					want := randSlice(rng, m*n)
					got := append([]float32(nil), want...)
					matmulNaive(m, n, k, a, b, want, n, acc)
					gemm(m, n, k, a, b, got, n, acc, 3)
					for i := range want {
						// error bound of a float32 sum of k products of N(0,1) terms
						tol := 1e-5 * math.Sqrt(float64(k)) * (1 + math.Abs(float64(want[i])))
						if d := math.Abs(float64(got[i] - want[i])); d > tol || math.IsNaN(d) {
							t.Fatalf("%s: c[%d] = %g, naive %g", name, i, got[i], want[i])
						}
					}
				}
			}
		}
	}
}

func TestGemmDeterministicAcrossWorkers(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	m, n, k := 150, 300, 600
	a, b := operand(rng, m, k, false), operand(rng, k, n, true)
	ref := make([]float32, m*n)
	gemm(m, n, k, a, b, ref, n, false, 1)
	for _, w := range []int{2, 3, 8} {
		got := make([]float32, m*n)
		gemm(m, n, k, a, b, got, n, false, w)
		for i := range ref {
			if math.Float32bits(ref[i]) != math.Float32bits(got[i]) {
				t.Fatalf("workers=%d: c[%d] = %g, 1 worker %g", w, i, got[i], ref[i])
			}
		}
	}
}

func TestKernelsAgree(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, k := range []int{1, 2, 7, 256} {
		a, b := randSlice(rng, k*mr), randSlice(rng, k*nr)
		c1 := randSlice(rng, mr*20)
		c2 := append([]float32(nil), c1...)
		kernelGo(k, a, b, c1, 20)
		kernel(k, a, b, c2, 20)
		for i := range c1 {
			if math.Abs(float64(c1[i]-c2[i])) > 1e-4*math.Sqrt(float64(k)) {
				t.Fatalf("k=%d: c[%d] go %g, kernel %g", k, i, c1[i], c2[i])
			}
		}
		for r := 0; r < mr; r++ { // columns beyond nr untouched
			for j := nr; j < 20; j++ {
				if c1[r*20+j] != c2[r*20+j] {
					t.Fatalf("kernel wrote outside its tile at (%d,%d)", r, j)
				}
			}
		}
	}
	for _, n := range []int{1, 31, 32, 33, 100, 1000} {
		x, y := randSlice(rng, n), randSlice(rng, n)
		if d := math.Abs(float64(dot(x, y) - dotGo(x, y))); d > 1e-4*math.Sqrt(float64(n)) {
			t.Fatalf("dot n=%d differs by %g", n, d)
		}
	}
}

// BenchmarkGemm reports GFLOP/s (as MB/s of "flop bytes": SetBytes is the
// flop count, so the MB/s column reads as MFLOP/s).
func BenchmarkGemm(b *testing.B) {
	for _, sh := range [][3]int{{768, 384, 128}, {768, 512, 128}, {768, 128, 512}, {1024, 1024, 1024}} {
		m, n, k := sh[0], sh[1], sh[2]
		b.Run(fmt.Sprintf("%dx%dx%d", m, n, k), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 1))
			a, bb := operand(rng, m, k, false), operand(rng, k, n, true)
			c := make([]float32, m*n)
			b.SetBytes(int64(2 * m * n * k))
			b.ReportAllocs()
			for b.Loop() {
				gemm(m, n, k, a, bb, c, n, false, 0)
			}
		})
	}
}
