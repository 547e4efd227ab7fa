//go:build !amd64

package bpe

// touchSlot prefetches s on amd64; elsewhere it does nothing (the batched
// lookups then cost what single ones do).
func touchSlot(s *wholeSlot) {}

// touchPair is touchSlot for a pairTable slot.
func touchPair(s *pairSlot) {}
