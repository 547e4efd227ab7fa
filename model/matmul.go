package model

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// The matmul is the GotoBLAS/BLIS scheme: the K dimension is cut into
// blocks of kc, N into blocks of nc; each (K, N) block of B is packed once
// into panels of nr columns (k-major), each block of mc rows of A into
// panels of mr rows, and a register-blocked micro-kernel multiplies one
// mr×nr tile over kc. Tiles are handed to workers by row block and column
// chunk; every element of C belongs to one tile and is summed in the same
// order whatever the worker count, so results are deterministic.
//
// The micro-kernel is AVX2+FMA assembly on amd64 (matmul_amd64.s) when the
// CPU has it, and kernelGo otherwise (or with the noasm build tag).
//
// Performance notes (2-core AMD EPYC Zen 5, shared machine):
//   - A 4×4 pure-Go kernel ran at about 2–3 GFLOP/s per core: Go does
//     not vectorise, so the assembly kernel is what makes the difference.
//   - Packing A once per row block and reusing it across column chunks was
//     not worth the bookkeeping: A packing is < 1% of the work at kc=256.
const (
	kc = 256 // K block
	mc = 96  // rows per task (a multiple of every kernel's mr)
	nc = 4096
	// colChunk is the column width of one task (a multiple of every nr).
	colChunk = 128
)

// microKernel computes c[r*ldc+j] += sum_p a[p*mr+r]*b[p*nr+j] for an
// mr×nr tile over k ≥ 1 packed steps.
type microKernel struct {
	name   string
	mr, nr int
	fn     func(k int, a, b, c []float32, ldc int)
}

// kernels lists the micro-kernels this CPU can run, best last; the
// architecture files append to it.
var kernels = []microKernel{{"go", 6, 16, kernelGo}}

// kern is the micro-kernel in use; mr and nr are its tile shape.
var (
	kern   = kernels[0]
	mr, nr = kern.mr, kern.nr
)

// useKernel selects k (tests switch between kernels with it).
func useKernel(k microKernel) {
	kern, mr, nr = k, k.mr, k.nr
}

// kernelGo is the portable 6×16 micro-kernel.
func kernelGo(k int, a, b, c []float32, ldc int) {
	const mr, nr = 6, 16
	var acc [mr * nr]float32
	for p := 0; p < k; p++ {
		ap := a[p*mr : p*mr+mr : p*mr+mr]
		bp := b[p*nr : p*nr+nr : p*nr+nr]
		for r := 0; r < mr; r++ {
			ar := ap[r]
			row := acc[r*nr : r*nr+nr : r*nr+nr]
			for j := range row {
				row[j] += ar * bp[j]
			}
		}
	}
	for r := 0; r < mr; r++ {
		row := c[r*ldc : r*ldc+nr]
		for j := range row {
			row[j] += acc[r*nr+j]
		}
	}
}

// mat is a read-only matrix operand: element (i, j) of op(M) is
// d[i*ld+j], or d[j*ld+i] when t (transposed).
type mat struct {
	d  []float32
	ld int
	t  bool
}

func (m mat) at(i, j int) float32 {
	if m.t {
		return m.d[j*m.ld+i]
	}
	return m.d[i*m.ld+j]
}

// matmulNaive is the reference: c[i*ldc+j] (+)= sum_p a(i,p)*b(p,j), in
// float32 with the plain p order. Tests compare gemm against it.
func matmulNaive(m, n, k int, a, b mat, c []float32, ldc int, accumulate bool) {
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s float32
			for p := 0; p < k; p++ {
				s += a.at(i, p) * b.at(p, j)
			}
			if accumulate {
				c[i*ldc+j] += s
			} else {
				c[i*ldc+j] = s
			}
		}
	}
}

var packPool = sync.Pool{New: func() any { return new([]float32) }}

func getBuf(n int) *[]float32 {
	p := packPool.Get().(*[]float32)
	if cap(*p) < n {
		*p = make([]float32, n)
	}
	*p = (*p)[:n]
	return p
}

// minTiles is the fewest tiles a parallel gemm block is cut into: below
// it, tiles shrink (rows first, then columns) so that two or more workers
// get even shares (a 256×128 weight gradient was 3 tiles of 96 rows).
// Tiles are unions of the same mr×nr micro-tiles whatever their size, so
// the result does not depend on it.
const minTiles = 8

// gemm computes c (+)= op(a)·op(b) for an m×k op(a) and a k×n op(b),
// using up to workers goroutines.
func gemm(m, n, k int, a, b mat, c []float32, ldc int, accumulate bool, workers int) {
	if m == 0 || n == 0 {
		return
	}
	if k == 0 || (m <= 2 && !a.t && b.t) {
		if !accumulate {
			for i := 0; i < m; i++ {
				clear(c[i*ldc : i*ldc+n])
			}
		}
		if k > 0 {
			gemvT(m, n, k, a, b, c, ldc, workers)
		}
		return
	}
	if workers < 1 {
		workers = runtime.GOMAXPROCS(0)
	}
	for j0 := 0; j0 < n; j0 += nc {
		nb := min(nc, n-j0)
		npanels := (nb + nr - 1) / nr
		rpanels := (m + mr - 1) / mr
		bm, bc := mc, colChunk
		if workers > 1 {
			for (m+bm-1)/bm*((nb+bc-1)/bc) < minTiles && bm > mr {
				bm = max(mr, bm/2/mr*mr)
			}
			for (m+bm-1)/bm*((nb+bc-1)/bc) < minTiles && bc > nr {
				bc = max(nr, bc/2/nr*nr)
			}
		}
		for p0 := 0; p0 < k; p0 += kc {
			kb := min(kc, k-p0)
			bufB := getBuf(npanels * nr * kb)
			bufA := getBuf(rpanels * mr * kb)
			blk := gemmBlock{a: a, b: b, c: c, ldc: ldc, m: m, nb: nb, kb: kb, j0: j0, p0: p0,
				pa: *bufA, pb: *bufB, npanels: npanels, bm: bm, bc: bc, colChunks: (nb + bc - 1) / bc,
				zero: !accumulate && p0 == 0}
			tiles := (m + bm - 1) / bm * blk.colChunks
			if workers == 1 {
				// No closures on this path: the attention's per-head
				// products run here, thousands of times a step.
				for i := 0; i < npanels+rpanels; i++ {
					blk.pack(i)
				}
				for t := 0; t < tiles; t++ {
					blk.tile(t)
				}
			} else {
				gemmParallel(blk, npanels+rpanels, tiles, workers)
			}
			packPool.Put(bufA)
			packPool.Put(bufB)
		}
	}
}

// gemmParallel runs one (K, N) block of gemm on workers goroutines: every
// B panel and every A panel is packed once, then (row block, column
// chunk) tiles are handed out.
func gemmParallel(blk gemmBlock, panels, tiles, workers int) {
	parallelFor(panels, workers, blk.pack)
	parallelFor(tiles, workers, blk.tile)
}

// gemmBlock is one (K, N) block of a gemm: kb steps from p0 and nb
// columns from j0 of op(a)·op(b) into c, with A and B packed into pa, pb,
// computed in tiles of bm rows and bc columns.
type gemmBlock struct {
	a, b              mat
	c                 []float32
	ldc               int
	m, nb, kb, j0, p0 int
	pa, pb            []float32
	npanels           int // B panels; pack tasks past them are A panels
	bm, bc, colChunks int
	zero              bool // clear each tile of c first (the first K block without accumulate)
}

// pack packs B column panel i, or A row panel i-npanels.
func (g *gemmBlock) pack(i int) {
	kb := g.kb
	if i < g.npanels {
		packB(g.pb[i*nr*kb:(i+1)*nr*kb], g.b, g.p0, kb, g.j0+i*nr, min(nr, g.nb-i*nr))
		return
	}
	rp := i - g.npanels
	packA(g.pa[rp*mr*kb:(rp+1)*mr*kb], g.a, rp*mr, min(mr, g.m-rp*mr), g.p0, kb)
}

// tile multiplies row block task/colChunks by column chunk
// task%colChunks.
func (g *gemmBlock) tile(task int) {
	rb, cb := task/g.colChunks, task%g.colChunks
	kb, nb, ldc, c := g.kb, g.nb, g.ldc, g.c
	i0 := rb * g.bm
	mb := min(g.bm, g.m-i0)
	rpanels := (mb + mr - 1) / mr
	var tmp *[]float32 // for edge tiles; a local array would escape through kern.fn
	c0, c1 := cb*g.bc, min((cb+1)*g.bc, nb)
	if g.zero {
		for r := i0; r < i0+mb; r++ {
			clear(c[r*ldc+g.j0+c0 : r*ldc+g.j0+c1])
		}
	}
	for jc := c0; jc < c1; jc += nr {
		pn := jc / nr
		cols := min(nr, nb-jc)
		bp := g.pb[pn*nr*kb : (pn+1)*nr*kb]
		for rp := 0; rp < rpanels; rp++ {
			rows := min(mr, mb-rp*mr)
			gp := i0/mr + rp
			ap := g.pa[gp*mr*kb : (gp+1)*mr*kb]
			ci := (i0+rp*mr)*ldc + g.j0 + jc
			if rows == mr && cols == nr {
				kern.fn(kb, ap, bp, c[ci:], ldc)
				continue
			}
			if tmp == nil {
				tmp = getBuf(mr * nr)
			}
			t := *tmp
			clear(t)
			kern.fn(kb, ap, bp, t, nr)
			for r := 0; r < rows; r++ {
				row := c[ci+r*ldc : ci+r*ldc+cols]
				for j := range row {
					row[j] += t[r*nr+j]
				}
			}
		}
	}
	if tmp != nil {
		packPool.Put(tmp)
	}
}

// packA writes rows [i0, i0+rows) × cols [p0, p0+kb) of op(a) as one
// k-major panel of mr rows, zero-padded.
func packA(dst []float32, a mat, i0, rows, p0, kb int) {
	if rows < mr {
		clear(dst)
	}
	if a.t { // op(a)(i,p) = d[p*ld+i]: rows are contiguous
		for p := 0; p < kb; p++ {
			src := a.d[(p0+p)*a.ld+i0 : (p0+p)*a.ld+i0+rows]
			copy(dst[p*mr:p*mr+rows], src)
		}
		return
	}
	// Transpose four rows at a time: four sequential reads, and writes
	// four apart in a panel that stays in L1 (a gather of all mr rows per
	// k, through a table of row slices, cost a bounds check and a slice
	// load per element).
	r := 0
	for ; r+4 <= rows; r += 4 {
		s0 := a.d[(i0+r)*a.ld+p0:][:kb]
		s1 := a.d[(i0+r+1)*a.ld+p0:][:len(s0)]
		s2 := a.d[(i0+r+2)*a.ld+p0:][:len(s0)]
		s3 := a.d[(i0+r+3)*a.ld+p0:][:len(s0)]
		d := dst[r:]
		for p := range s0 {
			o := d[p*mr : p*mr+4 : p*mr+4]
			o[0], o[1], o[2], o[3] = s0[p], s1[p], s2[p], s3[p]
		}
	}
	for ; r < rows; r++ {
		for p, v := range a.d[(i0+r)*a.ld+p0:][:kb] {
			dst[p*mr+r] = v
		}
	}
}

// packB writes rows [p0, p0+kb) × cols [j0, j0+cols) of op(b) as one
// k-major panel of nr columns, zero-padded.
func packB(dst []float32, b mat, p0, kb, j0, cols int) {
	if cols < nr {
		clear(dst)
	}
	if !b.t { // op(b)(p,j) = d[p*ld+j]
		for p := 0; p < kb; p++ {
			src := b.d[(p0+p)*b.ld+j0 : (p0+p)*b.ld+j0+cols]
			copy(dst[p*nr:p*nr+cols], src)
		}
		return
	}
	for j := 0; j < cols; j++ {
		src := b.d[(j0+j)*b.ld+p0 : (j0+j)*b.ld+p0+kb]
		for p, v := range src {
			dst[p*nr+j] = v
		}
	}
}

// gemvT handles a few rows of a times a transposed b (a linear layer on
// one or two tokens, as in sampling): packing b would cost as much as the
// product, so each output is a dot product of two contiguous rows.
func gemvT(m, n, k int, a, b mat, c []float32, ldc int, workers int) {
	const chunk = 64
	parallelFor((n+chunk-1)/chunk, workers, func(t int) {
		for i := 0; i < m; i++ {
			x := a.d[i*a.ld : i*a.ld+k]
			for j := t * chunk; j < min(n, (t+1)*chunk); j++ {
				c[i*ldc+j] += dot(x, b.d[j*b.ld:j*b.ld+k])
			}
		}
	})
}

// dotGo is the portable dot product with four partial sums.
func dotGo(x, y []float32) float32 {
	y = y[:len(x)]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(x); i += 4 {
		s0 += x[i] * y[i]
		s1 += x[i+1] * y[i+1]
		s2 += x[i+2] * y[i+2]
		s3 += x[i+3] * y[i+3]
	}
	for ; i < len(x); i++ {
		s0 += x[i] * y[i]
	}
	return (s0 + s1) + (s2 + s3)
}

// dot is the dot product used by the kernels; set by architecture files.
var dot = dotGo

// axpyGo is y += alpha*x.
func axpyGo(alpha float32, x, y []float32) {
	y = y[:len(x)]
	for i, v := range x {
		y[i] += alpha * v
	}
}

// axpy is y += alpha*x; set by architecture files.
var axpy = axpyGo

// parallelFor runs fn(0..n-1) on up to workers goroutines (the caller
// and helpers of the package's team; see pool.go). Which goroutine runs a
// task never changes what the task computes.
func parallelFor(n, workers int, fn func(int)) {
	if workers > n {
		workers = n
	}
	if workers <= 1 {
		for i := 0; i < n; i++ {
			fn(i)
		}
		return
	}
	if !defaultTeam.mu.TryLock() {
		parallelForSpawn(n, workers, fn)
		return
	}
	defaultTeam.run(n, workers-1, fn)
	defaultTeam.mu.Unlock()
}

// parallelForSpawn is parallelFor on fresh goroutines, for regions that
// find the team busy.
func parallelForSpawn(n, workers int, fn func(int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	wg.Add(workers)
	for w := 0; w < workers; w++ {
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				fn(i)
			}
		}()
	}
	wg.Wait()
}
