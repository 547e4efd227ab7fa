package hugemem

import (
	"syscall"
	"unsafe"
)

// allocHuge maps n bytes of anonymous memory starting at a multiple of
// Page, with transparent huge pages asked for. The Page of address space
// mapped for the alignment is never touched, so it takes no memory.
func allocHuge(n int) ([]byte, func(), bool) {
	m, err := syscall.Mmap(-1, 0, n+Page, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		return nil, nil, false
	}
	skip := (Page - int(addr(m)%Page)) % Page
	buf := m[skip : skip+n : skip+n]
	// Advice only: it fails where the kernel has no huge pages, and the
	// memory works without them.
	_ = syscall.Madvise(buf, syscall.MADV_HUGEPAGE)
	return buf, func() { syscall.Munmap(m) }, true
}

func addr(b []byte) uintptr { return uintptr(unsafe.Pointer(unsafe.SliceData(b))) }
