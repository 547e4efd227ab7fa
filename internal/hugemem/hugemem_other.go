//go:build !linux

package hugemem

import "unsafe"

// allocHuge is not available: the memory comes from the Go heap.
func allocHuge(int) ([]byte, func(), bool) { return nil, nil, false }

func addr(b []byte) uintptr { return uintptr(unsafe.Pointer(unsafe.SliceData(b))) }
