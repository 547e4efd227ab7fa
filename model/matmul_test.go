package model

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/toklabs/tok/internal/cputime"
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

// eachKernel runs f once with every micro-kernel this CPU supports.
func eachKernel(t *testing.T, f func(t *testing.T)) {
	saved := kern
	defer useKernel(saved)
	for _, k := range kernels {
		useKernel(k)
		t.Run(k.name, f)
	}
}

func TestGemmMatchesNaive(t *testing.T) { eachKernel(t, testGemmMatchesNaive) }

func testGemmMatchesNaive(t *testing.T) {
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

func TestGemmDeterministicAcrossWorkers(t *testing.T) { eachKernel(t, testGemmDeterministic) }

func testGemmDeterministic(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	// The small shapes are cut into finer tiles when parallel (minTiles):
	// a weight gradient, a projection's and a tiny one.
	for _, sh := range [][3]int{{150, 300, 600}, {256, 128, 768}, {128, 128, 300}, {20, 40, 7}} {
		for _, acc := range []bool{false, true} {
			m, n, k := sh[0], sh[1], sh[2]
			a, b := operand(rng, m, k, true), operand(rng, k, n, false)
			init := randSlice(rng, m*n)
			ref := append([]float32(nil), init...)
			gemm(m, n, k, a, b, ref, n, acc, 1)
			for _, w := range []int{2, 3, 8} {
				got := append([]float32(nil), init...)
				gemm(m, n, k, a, b, got, n, acc, w)
				for i := range ref {
					if math.Float32bits(ref[i]) != math.Float32bits(got[i]) {
						t.Fatalf("%dx%dx%d acc=%v workers=%d: c[%d] = %g, 1 worker %g", m, n, k, acc, w, i, got[i], ref[i])
					}
				}
			}
		}
	}
}

// naiveTile is the micro-kernel contract written plainly.
func naiveTile(k, mr, nr int, a, b, c []float32, ldc int) {
	for r := 0; r < mr; r++ {
		for j := 0; j < nr; j++ {
			var s float32
			for p := 0; p < k; p++ {
				s += a[p*mr+r] * b[p*nr+j]
			}
			c[r*ldc+j] += s
		}
	}
}

func TestKernelsAgree(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, kn := range kernels {
		for _, k := range []int{1, 2, 7, 256} {
			ldc := kn.nr + 5
			a, b := randSlice(rng, k*kn.mr), randSlice(rng, k*kn.nr)
			c1 := randSlice(rng, kn.mr*ldc)
			c2 := append([]float32(nil), c1...)
			naiveTile(k, kn.mr, kn.nr, a, b, c1, ldc)
			kn.fn(k, a, b, c2, ldc)
			for i := range c1 {
				if i%ldc >= kn.nr && c1[i] != c2[i] {
					t.Fatalf("%s: wrote outside its tile at (%d,%d)", kn.name, i/ldc, i%ldc)
				}
				if math.Abs(float64(c1[i]-c2[i])) > 1e-5*math.Sqrt(float64(k))*(1+math.Abs(float64(c1[i]))) {
					t.Fatalf("%s k=%d: c[%d] naive %g, kernel %g", kn.name, k, i, c1[i], c2[i])
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

// cpuTime is the process's CPU time so far (0 where the system does not
// say: the per-CPU-second figures are then not reported).
func cpuTime() time.Duration {
	d, _ := cputime.Process()
	return d
}

// BenchmarkGemm reports GFLOP/s of wall time and GFLOP per CPU-second (the
// second is what a core achieves when the machine is shared), for every
// micro-kernel, on the default model's shapes and 1024³, with 1 worker
// and all. SetBytes is the flop count, so MB/s reads as MFLOP/s.
func BenchmarkGemm(b *testing.B) {
	saved := kern
	defer useKernel(saved)
	for _, kn := range kernels {
		for _, workers := range []int{1, 0} {
			for _, sh := range [][3]int{{768, 384, 128}, {768, 512, 128}, {768, 128, 512}, {1024, 1024, 1024}} {
				m, n, k := sh[0], sh[1], sh[2]
				b.Run(fmt.Sprintf("%s/workers=%d/%dx%dx%d", kn.name, workers, m, n, k), func(b *testing.B) {
					useKernel(kn)
					rng := rand.New(rand.NewPCG(1, 1))
					a, bb := operand(rng, m, k, false), operand(rng, k, n, true)
					c := make([]float32, m*n)
					b.SetBytes(int64(2 * m * n * k))
					b.ReportAllocs()
					c0, w0 := cpuTime(), time.Now()
					for b.Loop() {
						gemm(m, n, k, a, bb, c, n, false, workers)
					}
					flops := float64(2*m*n*k) * float64(b.N)
					b.ReportMetric(flops/(cpuTime()-c0).Seconds()/1e9, "GFLOP/cpu-s")
					b.ReportMetric(flops/time.Since(w0).Seconds()/1e9, "GFLOP/s")
				})
			}
		}
	}
}

// TestPackAMatchesNaive checks the packed A panels element by element
// against op(a), for both layouts, every row count up to mr and odd kb.
func TestPackAMatchesNaive(t *testing.T) {
	eachKernel(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(5, 5))
		for _, tr := range []bool{false, true} {
			for rows := 1; rows <= mr; rows++ {
				for _, kb := range []int{1, 3, 17, 64} {
					const m, k, i0, p0 = 40, 90, 7, 5
					a := operand(rng, m, k, tr)
					dst := randSlice(rng, mr*kb) // garbage the padding must overwrite
					packA(dst, a, i0, rows, p0, kb)
					for p := 0; p < kb; p++ {
						for r := 0; r < mr; r++ {
							want := float32(0)
							if r < rows {
								want = a.at(i0+r, p0+p)
							}
							if got := dst[p*mr+r]; got != want {
								t.Fatalf("t=%v rows %d kb %d: (%d, %d) = %g, want %g", tr, rows, kb, r, p, got, want)
							}
						}
					}
				}
			}
		}
	})
}

// BenchmarkPackA packs one kc-deep block of a 768-row A (a training step's
// activations), in both layouts; SetBytes is the bytes packed.
func BenchmarkPackA(b *testing.B) {
	for _, tr := range []bool{false, true} {
		b.Run(fmt.Sprintf("transposed=%v", tr), func(b *testing.B) {
			const m, k = 768, 128
			a := operand(rand.New(rand.NewPCG(1, 1)), m, k, tr)
			panels := (m + mr - 1) / mr
			dst := make([]float32, panels*mr*k)
			b.SetBytes(int64(4 * m * k))
			for b.Loop() {
				for rp := 0; rp < panels; rp++ {
					packA(dst[rp*mr*k:(rp+1)*mr*k], a, rp*mr, min(mr, m-rp*mr), 0, k)
				}
			}
		})
	}
}
