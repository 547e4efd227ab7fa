package tokenizerjson

// pieceCache remembers the ids of recent pre-tokens, as HF's models do:
// SentencePiece-style files send one piece per word to the model (a
// Viterbi search for Unigram, merges for BPE), and most words recur.
// Each cache belongs to one scratch, so to one goroutine at a time: no
// locking. It is used on the SentencePiece-style paths only
// (encodeMetaspace, encodeWords); a model's ids for a piece never change,
// so a hit gives what the model would.
type pieceCache struct {
	index map[string]cacheEntry
	ids   []uint32
}

type cacheEntry struct{ start, n uint32 }

const (
	cacheMaxPiece   = 48      // longer pieces are not cached (they rarely recur)
	cacheMaxEntries = 1 << 14 // the cache starts over when it holds this many pieces
)

// appendEncodeCached appends the model's ids of piece, from the cache
// when it is there.
func (t *Tokenizer) appendEncodeCached(dst []uint32, piece []byte, sc *scratch) []uint32 {
	if len(piece) > cacheMaxPiece {
		return t.model.AppendEncodePiece(dst, piece)
	}
	c := &sc.cache
	if e, ok := c.index[string(piece)]; ok {
		return append(dst, c.ids[e.start:e.start+e.n]...)
	}
	n := len(dst)
	dst = t.model.AppendEncodePiece(dst, piece)
	if c.index == nil {
		c.index = make(map[string]cacheEntry)
	} else if len(c.index) >= cacheMaxEntries {
		clear(c.index)
		c.ids = c.ids[:0]
	}
	c.index[string(piece)] = cacheEntry{uint32(len(c.ids)), uint32(len(dst) - n)}
	c.ids = append(c.ids, dst[n:]...)
	return dst
}
