package sentencepiece

import (
	"bytes"
	"hash/maphash"
	"sync"
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
// sharded by hash and bounded: when a shard is full it stops adding.
type bpeCache struct {
	seed   maphash.Seed
	shards [16]struct {
		sync.RWMutex
		m map[string][]cachedSeg
	}
}

type cachedSeg struct {
	id     int32
	length int32
}

const bpeCacheShardSize = 1 << 13

func newBPECache() *bpeCache {
	c := &bpeCache{seed: maphash.MakeSeed()}
	for i := range c.shards {
		c.shards[i].m = make(map[string][]cachedSeg)
	}
	return c
}

func (c *bpeCache) shard(word []byte) int { return int(maphash.Bytes(c.seed, word) & 15) }

func (c *bpeCache) get(word []byte) ([]cachedSeg, bool) {
	s := &c.shards[c.shard(word)]
	s.RLock()
	v, ok := s.m[string(word)]
	s.RUnlock()
	return v, ok
}

func (c *bpeCache) put(word []byte, v []cachedSeg) {
	s := &c.shards[c.shard(word)]
	s.Lock()
	if len(s.m) < bpeCacheShardSize {
		s.m[string(word)] = v
	}
	s.Unlock()
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
			v := make([]cachedSeg, len(segs)-first)
			for k := first; k < len(segs); k++ {
				v[k-first] = cachedSeg{segs[k].id, segs[k].end - segs[k].start}
				segs[k].start += int32(i)
				segs[k].end += int32(i)
			}
			m.cache.put(word, v)
		}
		i = end
	}
	return segs
}
