//go:build !linux

package directfile

import "unsafe"

// allocBuffers returns n bytes from the Go heap starting at a multiple of
// BlockSize (the heap does not move objects); nothing needs freeing.
func allocBuffers(n int) ([]byte, func(), error) {
	raw := make([]byte, n+BlockSize)
	skip := (BlockSize - int(uintptr(unsafe.Pointer(&raw[0]))%BlockSize)) % BlockSize
	return raw[skip : skip+n : skip+n], func() {}, nil
}
