// Package hugemem allocates large buffers of plain data outside the Go
// heap, in memory that the kernel backs with transparent huge pages where
// it can (Linux, madvise), aligned to 2 MiB.
//
// It exists because first touches of fresh memory are expensive on a
// virtual machine: on the development VM a 4 KiB page fault cost about
// 16 µs, so touching 24 MB of new memory took about 96 ms of CPU, and
// 2 MiB pages cut that to 2–40 ms. Buffers that a program fills once and
// then reuses for a whole run (the pipeline's jobs, the shard writer's
// I/O buffers) come from here.
package hugemem

// Page is the alignment of the memory Alloc returns on Linux: the size of
// an x86-64 or arm64 (4 KiB granule) transparent huge page.
const Page = 2 << 20

// Alloc returns n zeroed bytes and the function that frees them. On Linux
// the bytes start at a multiple of Page and huge pages are asked for;
// elsewhere (or when the mapping fails) they come from the Go heap,
// aligned to 4 KiB. The garbage collector does not scan or free them:
// they must hold no Go pointers and must not be used after free.
func Alloc(n int) (buf []byte, free func()) {
	if n <= 0 {
		return nil, func() {}
	}
	if buf, free, ok := allocHuge(n); ok {
		return buf, free
	}
	return allocHeap(n)
}

// allocHeap returns n bytes of Go heap starting at a multiple of 4 KiB (the
// heap does not move objects).
func allocHeap(n int) ([]byte, func()) {
	const align = 4 << 10
	raw := make([]byte, n+align)
	skip := (align - int(addr(raw)%align)) % align
	return raw[skip : skip+n : skip+n], func() {}
}
