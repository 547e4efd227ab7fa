package arrowio

import (
	"math/bits"
	"sync"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/toklabs/tok/internal/freelist"
)

// pageBuffers is the memory.Allocator of a StringColumn's Parquet reader.
// It hands the buffers of the pages it has read (decompressed, about the
// size of the text) to later pages, through a pool that all readers share,
// instead of leaving each page to the garbage collector and taking fresh
// memory for the next one: on this machine every fresh 4 KiB page costs a
// page fault, and decompressing into fresh pages made the faults half of
// tok encode's reading time on Parquet.
//
// A buffer is not reused in the row group that freed it. arrow's page
// reader frees a page's buffer as soon as it returns the page (the page
// and its dictionary are read from it afterwards), and the column's values
// point into it until the StringColumn's next Next call. Once a new row
// group begins (StringColumn.Next, see nextRowGroup) or the column is
// closed, the pages of the row groups before are no longer read by anyone.
//
// It is safe for concurrent use: arrow frees pooled scratch buffers from
// finalizers.
type pageBuffers struct {
	pool  *pagePool
	mu    sync.Mutex
	freed [][]byte // freed in the current row group: not yet reusable
	bytes int      // their capacity
}

// pagePool holds the buffers that readers' pages may reuse.
type pagePool struct {
	mu    sync.Mutex
	free  freelist.List[byte]
	bytes int // their capacity
	reuse int // allocations served from free (for tests)
}

// Bounds of what the pool and a reader hold on to: several row groups'
// pages of most corpora's files, and still flat however large a file or a
// row group is. Buffers past them go to the garbage collector.
const (
	maxPoolBytes   = 64 << 20
	maxPoolBuffers = 512
	roundAbove     = 64 << 10 // larger buffers are made in fewer sizes, to fit more pages
)

// sharedPages is the pool of every StringColumn.
var sharedPages = &pagePool{}

// scribbleRecycled makes recycled buffers be overwritten when they become
// reusable, so that a test reading a page after its row group ended sees
// garbage (tests set it).
var scribbleRecycled = false

var _ memory.Allocator = (*pageBuffers)(nil)

// Allocate returns a zeroed buffer of size bytes, 64-byte aligned as
// arrow's Go allocator gives them.
func (a *pageBuffers) Allocate(size int) []byte {
	if b := a.pool.get(size); b != nil {
		clear(b)
		return b
	}
	n := size
	if n > roundAbove {
		step := 1 << (bits.Len(uint(n)) - 3) // 8 sizes a power of two: at most 1/8 unused
		n = (n + step - 1) &^ (step - 1)
	}
	buf := make([]byte, n+64)
	shift := (64 - int(uintptr(unsafe.Pointer(unsafe.SliceData(buf)))%64)) % 64
	return buf[shift : shift+size : shift+n]
}

// Reallocate returns a buffer of size bytes holding b's bytes.
func (a *pageBuffers) Reallocate(size int, b []byte) []byte {
	if cap(b) >= size {
		return b[:size]
	}
	nb := a.Allocate(size)
	copy(nb, b)
	a.Free(b)
	return nb
}

// Free takes back b, to be reused once the current row group is done.
func (a *pageBuffers) Free(b []byte) {
	if cap(b) == 0 {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.bytes+cap(b) > maxPoolBytes || len(a.freed) >= maxPoolBuffers {
		return
	}
	a.freed = append(a.freed, b[:0])
	a.bytes += cap(b)
}

// nextRowGroup gives the buffers freed so far to the pool: no page of the
// row groups read before is read again. Close calls it too.
func (a *pageBuffers) nextRowGroup() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.pool.put(a.freed)
	clear(a.freed)
	a.freed, a.bytes = a.freed[:0], 0
}

// get returns a pooled buffer of size bytes, the smallest that fits, or
// nil.
func (p *pagePool) get(size int) []byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	b := p.free.Take(size)
	if b == nil {
		return nil
	}
	p.bytes -= cap(b)
	p.reuse++
	return b[:size]
}

// put makes bufs reusable, as far as the pool's bounds allow.
func (p *pagePool) put(bufs [][]byte) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, b := range bufs {
		if p.bytes+cap(b) > maxPoolBytes || p.free.Len() >= maxPoolBuffers {
			return
		}
		if scribbleRecycled {
			b = b[:cap(b)]
			for j := range b {
				b[j] = 0xA5
			}
		}
		p.free.Add(b)
		p.bytes += cap(b)
	}
}
