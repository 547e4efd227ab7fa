//go:build !linux

package bpe

import "unsafe"

// adviseHuge asks for transparent huge pages on Linux; elsewhere it does
// nothing.
func adviseHuge(p unsafe.Pointer, n uintptr) {}
