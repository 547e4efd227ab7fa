package pipeline

// SplitOf assigns a document to the training (0) or validation (1) split
// by a 64-bit FNV-1a hash of its text: validation when the hash modulo one
// million is below valFraction × 1e6. Equal texts land in the same split,
// and the choice depends on nothing but the text, so it is the same for
// every worker count, rank layout and resumption.
func SplitOf(text []byte, valFraction float64) uint8 {
	if valFraction <= 0 {
		return 0
	}
	const (
		offset64 = 14695981039346656037
		prime64  = 1099511628211
	)
	h := uint64(offset64)
	for _, c := range text {
		h ^= uint64(c)
		h *= prime64
	}
	if h%1_000_000 < uint64(valFraction*1_000_000) {
		return 1
	}
	return 0
}
