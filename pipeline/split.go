package pipeline

import (
	"crypto/sha256"
	"encoding/binary"
)

// SplitOf assigns a document to the training (0) or validation (1) split
// by the sha256 of its text: validation when the first 8 bytes, read as a
// big-endian integer, modulo one million are below valFraction × 1e6. Equal
// texts land in the same split, and the choice depends on nothing but the
// text, so it is the same for every worker count, rank layout and
// resumption.
func SplitOf(text []byte, valFraction float64) uint8 {
	if valFraction <= 0 {
		return 0
	}
	sum := sha256.Sum256(text)
	return splitOfSum(&sum, valFraction)
}

func splitOfSum(sum *[32]byte, valFraction float64) uint8 {
	if valFraction <= 0 {
		return 0
	}
	if binary.BigEndian.Uint64(sum[:8])%1_000_000 < uint64(valFraction*1_000_000) {
		return 1
	}
	return 0
}
