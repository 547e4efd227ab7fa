package bpe

import (
	"encoding/binary"
	"math/bits"
)

// wholeTable answers the whole-piece question (is this piece a token that
// may be emitted without BPE?) for pieces of at most 16 bytes, which are
// nearly all pieces of real text. The token bytes are stored in the slot,
// so a lookup touches one cache line; the Go map it stands in front of
// costs two or three (control word, slot, key bytes elsewhere). Longer
// pieces fall back to the map.
type wholeTable struct {
	slots []wholeSlot
	shift uint8
}

type wholeSlot struct {
	lo, hi uint64 // the token's key words (see wordKey)
	n      uint32 // token length; 0 = empty slot
	id     uint32
}

const wholeTableMax = 16

// wordKey packs a piece of at most 16 bytes into two words: shorter than
// 8 bytes into lo (hi 0); otherwise its first and its last 8 bytes, which
// together with the length determine it.
func wordKey(p []byte) (lo, hi uint64) {
	n := len(p)
	if n >= 8 {
		return binary.LittleEndian.Uint64(p), binary.LittleEndian.Uint64(p[n-8:])
	}
	for i := 0; i < n; i++ {
		lo |= uint64(p[i]) << (8 * i)
	}
	return lo, 0
}

func (t *wholeTable) index(lo, hi uint64, n int) uint64 {
	h := (lo ^ bits.RotateLeft64(hi, 29) ^ uint64(n)<<58) * 0x9E3779B97F4A7C15
	return h >> t.shift
}

// newWholeTable holds every token of at most 16 bytes that a whole-piece
// hit may emit.
func newWholeTable(m *Model) *wholeTable {
	count := 0
	for id, tk := range m.tokens {
		if m.wholeEligible(uint32(id), tk) {
			count++
		}
	}
	size := 64
	for size < 2*count {
		size <<= 1
	}
	t := &wholeTable{slots: make([]wholeSlot, size), shift: uint8(64 - bits.TrailingZeros(uint(size)))}
	mask := uint64(size - 1)
	for id, tk := range m.tokens {
		if !m.wholeEligible(uint32(id), tk) {
			continue
		}
		lo, hi := wordKey(tk)
		for i := t.index(lo, hi, len(tk)); ; i = (i + 1) & mask {
			if t.slots[i].n == 0 {
				t.slots[i] = wholeSlot{lo: lo, hi: hi, n: uint32(len(tk)), id: uint32(id)}
				break
			}
		}
	}
	return t
}

// wholeEligible: a token of 1 to 16 bytes that is the whole map's entry
// for its bytes and may be emitted whole.
func (m *Model) wholeEligible(id uint32, tk []byte) bool {
	if len(tk) == 0 || len(tk) > wholeTableMax || !m.wholeAllowed(id) {
		return false
	}
	wid, ok := m.whole[string(tk)]
	return ok && wid == id
}

// lookup returns the id of a piece of 1 to 16 bytes.
func (t *wholeTable) lookup(piece []byte) (uint32, bool) {
	lo, hi := wordKey(piece)
	n := uint32(len(piece))
	mask := uint64(len(t.slots) - 1)
	for i := t.index(lo, hi, len(piece)); ; i = (i + 1) & mask {
		s := &t.slots[i]
		if s.n == n && s.lo == lo && s.hi == hi {
			return s.id, true
		}
		if s.n == 0 {
			return 0, false
		}
	}
}
