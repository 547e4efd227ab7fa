package sentencepiece

import (
	"bytes"
	"hash/maphash"
	"sync/atomic"
)

// BPE on a whole sentence can be split into words when no piece has ▁
// after a character other than ▁ (every piece is a run of ▁ followed by
// text without ▁, as in all SentencePiece models trained with
// split_by_whitespace): then no merge crosses the boundary between a
// non-▁ character and the ▁ after it, merges in different words never
// interact, and encoding word by word gives the same result as the whole
// sentence. Words repeat, so their segmentations are cached.
//
// Performance notes: on Llama 2's model and English text the cache took
// single-thread encoding from about 2x spm_encode's throughput to the
// figure in the package benchmarks; without splitting, the heap over a
// 20 kB line dominates.

// wordSplittable reports whether every piece is ▁* followed by non-▁
// text, so BPE can run word by word.
func wordSplittable(pieces []Piece) bool {
	sp := []byte(spaceSymbol)
	for _, p := range pieces {
		switch p.Type {
		case Normal, UserDefined, Unused:
		default:
			continue
		}
		b := []byte(p.Text)
		for bytes.HasPrefix(b, sp) {
			b = b[len(sp):]
		}
		if bytes.Contains(b, sp) {
			return false
		}
	}
	return true
}

// bpeCache maps a word to its segmentation (ids and piece lengths). It is
// a 4-way set-associative table of atomic pointers: a word may sit in the
// four slots of the set its hash chooses; a read is one hash and up to
// four loads and string compares, with no lock. A write takes a free slot
// of the set or replaces one chosen by the hash, so memory is bounded.
// Entries are immutable once stored, so any goroutine may read them; a
// slot read while another goroutine replaces it gives the old or the new
// entry, both correct, so the output never depends on the cache.
//
// Performance notes: the first version was 16 shards of map[string] under
// sync.RWMutex, filled until 8192 words per shard; its map lookups,
// second hash and lock atomics were about 15% of encoding time on Llama 2
// and multilingual text. A direct-mapped table (one slot per word) of the
// same size missed on ~10% of English words through collisions, and each
// miss reruns BPE on the word: it was slower than the maps.
type bpeCache struct {
	seed  maphash.Seed
	slots [bpeCacheSets * bpeCacheWays]atomic.Pointer[bpeCacheEntry]
}

type bpeCacheEntry struct {
	word string
	segs []cachedSeg
}

type cachedSeg struct {
	id     int32
	length int32
}

// The table holds 64k words: 512 kB of pointers plus the entries.
const (
	bpeCacheSets = 1 << 14 // a power of two
	bpeCacheWays = 4
)

// bpeCacheMaxWord is the longest word cached: longer "words" (a line of
// CJK text has no spaces) rarely repeat and would only evict short ones.
const bpeCacheMaxWord = 64

func newBPECache() *bpeCache {
	return &bpeCache{seed: maphash.MakeSeed()}
}

// set returns the slots word may occupy and the hash bits left over.
func (c *bpeCache) set(word []byte) ([]atomic.Pointer[bpeCacheEntry], uint64) {
	h := maphash.Bytes(c.seed, word)
	i := int(h&(bpeCacheSets-1)) * bpeCacheWays
	return c.slots[i : i+bpeCacheWays], h >> 32
}

func (c *bpeCache) get(word []byte) ([]cachedSeg, bool) {
	if len(word) > bpeCacheMaxWord {
		return nil, false
	}
	set, _ := c.set(word)
	for i := range set {
		e := set[i].Load()
		if e == nil {
			break // ways fill in order and are never emptied
		}
		if e.word == string(word) {
			return e.segs, true
		}
	}
	return nil, false
}

func (c *bpeCache) put(word []byte, v []cachedSeg) {
	if len(word) > bpeCacheMaxWord {
		return
	}
	set, h := c.set(word)
	e := &bpeCacheEntry{word: string(word), segs: v}
	for i := range set {
		if set[i].CompareAndSwap(nil, e) {
			return
		}
	}
	set[h%bpeCacheWays].Store(e)
}

// nextWordEnd returns the end of the word that starts at i: the position
// of the first ▁ that follows a character other than ▁.
func nextWordEnd(norm []byte, i int) int {
	sp := spaceSymbol
	j := i
	for j+3 <= len(norm) && string(norm[j:j+3]) == sp {
		j += 3
	}
	for j < len(norm) {
		k := bytes.Index(norm[j:], []byte(sp))
		if k < 0 {
			return len(norm)
		}
		if k > 0 {
			return j + k
		}
		j += 3
	}
	return len(norm)
}

// segmentBPEWords is segmentBPE word by word through the cache.
func (m *Model) segmentBPEWords(st *encodeState, norm []byte, segs []segment) []segment {
	for i := 0; i < len(norm); {
		end := nextWordEnd(norm, i)
		word := norm[i:end]
		if cached, ok := m.cache.get(word); ok {
			at := int32(i)
			for _, c := range cached {
				segs = append(segs, segment{id: c.id, start: at, end: at + c.length})
				at += c.length
			}
		} else {
			first := len(segs)
			segs = m.segmentBPEDropout(st, word, segs, 0, nil)
			var v []cachedSeg
			if len(word) <= bpeCacheMaxWord {
				v = make([]cachedSeg, len(segs)-first)
			}
			for k := first; k < len(segs); k++ {
				if v != nil {
					v[k-first] = cachedSeg{segs[k].id, segs[k].end - segs[k].start}
				}
				segs[k].start += int32(i)
				segs[k].end += int32(i)
			}
			if v != nil {
				m.cache.put(word, v)
			}
		}
		i = end
	}
	return segs
}
