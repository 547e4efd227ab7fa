package bpe

import (
	"syscall"
	"unsafe"
)

// hugePage is the size of an x86-64 or arm64 (4 KiB granule) transparent
// huge page.
const hugePage = 2 << 20

// adviseHuge asks the kernel for transparent huge pages (madvise
// MADV_HUGEPAGE) for the whole 2 MiB pages inside the n bytes at p, a
// freshly allocated table that is about to be filled. In a fresh process
// nearly all of a vocabulary load was page faults: touching 24 MB of new
// Go heap took ~96 ms on the development VM (16 µs per 4 KiB page), the
// same with huge pages 2–40 ms. Advice only: it changes no byte, fails
// harmlessly where the kernel has no huge pages, and does nothing to
// pages already touched (a reused span the allocator zeroed).
func adviseHuge(p unsafe.Pointer, n uintptr) {
	if n < hugePage {
		return
	}
	skip := (hugePage - uintptr(p)%hugePage) % hugePage
	whole := (n - skip) &^ (hugePage - 1)
	if whole == 0 {
		return
	}
	_ = syscall.Madvise(unsafe.Slice((*byte)(unsafe.Add(p, skip)), whole), syscall.MADV_HUGEPAGE)
}
