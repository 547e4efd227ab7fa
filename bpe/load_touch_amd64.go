package bpe

// touchSlot asks the CPU to bring s's cache lines in (PREFETCHT0) and
// returns at once: unlike a load, a prefetch holds up no instruction after
// it, so the cache misses of a whole batch of lookups overlap. A prefetch
// never faults, whatever the address.
//
//go:noescape
func touchSlot(s *wholeSlot)

// touchPair is touchSlot for a pairTable slot.
//
//go:noescape
func touchPair(s *pairSlot)
