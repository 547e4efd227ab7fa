package bpe

import (
	"bytes"
	"errors"
	"fmt"
	"math/bits"
	"strings"
)

// Building a rank model fast (NewRankModel). Every command that uses a
// tiktoken vocabulary pays this once, before the first byte is encoded.
//
// Performance notes (BenchmarkOpenTiktoken; the tables are those the
// encoder reads, only the way they are filled changed):
//
//   - The whole map's keys are substrings of one string holding every
//     token's bytes: one allocation instead of one per token, and the
//     duplicate check is the map's length after the insert (one hash per
//     token instead of two).
//   - Every token of a rank model is its own canonical id, so the
//     whole-token table takes every token of 1 to 16 bytes without
//     asking the map.
//   - Both tables are filled in slot order: the entries (slot, id) or
//     (left, right, id) are first collected into a slice and bucketed by
//     slot with an in-place American-flag pass, then inserted bucket by
//     bucket, so the inserts walk the 6–16 MB tables nearly sequentially
//     instead of missing the cache (and the TLB) on each one. Linear
//     probing finds the same entries whatever the insertion order; the
//     occupied slots, and hence every probe sequence's length, do not
//     depend on it either.

// rankKeys builds the whole map of a rank table: token bytes → rank, and
// the ids of the one-byte tokens. Its errors are those of NewRankModel, in
// the same order (the first offending rank).
func (m *Model) rankKeys(tokens [][]byte) error {
	total := 0
	for _, t := range tokens {
		total += len(t)
	}
	var sb strings.Builder
	sb.Grow(total)
	for _, t := range tokens {
		sb.Write(t)
	}
	all := sb.String()
	off := 0
	for id, t := range tokens {
		if t == nil {
			continue
		}
		if len(t) == 0 {
			return &TokenError{Index: id, Token: "", Err: errors.New("empty token")}
		}
		before := len(m.whole)
		m.whole[all[off:off+len(t)]] = uint32(id)
		off += len(t)
		if len(m.whole) == before {
			prev := firstEqual(tokens[:id], t)
			return &TokenError{Index: id, Token: string(t), Err: fmt.Errorf("%w: same bytes as rank %d", ErrDuplicateToken, prev)}
		}
		if len(t) == 1 {
			m.byteIDs[t[0]] = int32(id)
		}
	}
	return nil
}

// firstEqual is the first index of tokens holding t, -1 if none.
func firstEqual(tokens [][]byte, t []byte) int {
	for i, u := range tokens {
		if u != nil && bytes.Equal(u, t) {
			return i
		}
	}
	return -1
}

// bucketBits is log2 of the slots per bucket when filling a table in slot
// order: 256 slots are 4 KB of pairTable, 6 KB of wholeTable.
const bucketBits = 8

// flagSort reorders vals in place so that bucket(v) is non-decreasing
// (American flag sort: one counting pass, then each value is swapped
// straight into its bucket's next free place). bucket must return values
// below nb.
func flagSort(vals []uint64, nb int, bucket func(uint64) int) {
	if nb <= 1 {
		return
	}
	next := make([]int, nb+1)
	for _, v := range vals {
		next[bucket(v)+1]++
	}
	for b := 1; b <= nb; b++ {
		next[b] += next[b-1]
	}
	end := make([]int, nb)
	copy(end, next[1:])
	for b := range nb {
		for next[b] < end[b] {
			v := vals[next[b]]
			for {
				vb := bucket(v)
				if vb == b {
					vals[next[b]] = v
					next[b]++
					break
				}
				vals[next[vb]], v = v, vals[next[vb]]
				next[vb]++
			}
		}
	}
}

// newRankWholeTable is newWholeTable for a rank model, whose every token
// may be emitted whole and is the whole map's entry for its bytes: it
// holds every token of 1 to 16 bytes, inserted in slot order.
func newRankWholeTable(tokens [][]byte, scratch []uint64) *wholeTable {
	count := 0
	for _, tk := range tokens {
		if len(tk) > 0 && len(tk) <= wholeTableMax {
			count++
		}
	}
	size := 64
	for size < 2*count {
		size <<= 1
	}
	t := &wholeTable{slots: make([]wholeSlot, size), shift: uint8(64 - bits.TrailingZeros(uint(size)))}
	if len(tokens) >= 1<<32 {
		for id, tk := range tokens {
			if len(tk) > 0 && len(tk) <= wholeTableMax {
				t.insert(tk, uint32(id))
			}
		}
		return t
	}
	// slot<<32 | id, bucketed by slot.
	order := scratch[:0]
	for id, tk := range tokens {
		if len(tk) > 0 && len(tk) <= wholeTableMax {
			lo, hi := wordKey(tk)
			order = append(order, t.index(lo, hi, len(tk))<<32|uint64(id))
		}
	}
	flagSort(order, max(size>>bucketBits, 1), func(v uint64) int { return int(v >> (32 + bucketBits)) })
	mask := uint64(size - 1)
	for _, v := range order {
		id := uint32(v)
		tk := tokens[id]
		lo, hi := wordKey(tk)
		for i := v >> 32; ; i = (i + 1) & mask {
			if t.slots[i].n == 0 {
				t.slots[i] = wholeSlot{lo: lo, hi: hi, n: uint32(len(tk)), id: id}
				break
			}
		}
	}
	return t
}

// insert adds a token that is not in the table yet.
func (t *wholeTable) insert(tk []byte, id uint32) {
	lo, hi := wordKey(tk)
	mask := uint64(len(t.slots) - 1)
	for i := t.index(lo, hi, len(tk)); ; i = (i + 1) & mask {
		if t.slots[i].n == 0 {
			t.slots[i] = wholeSlot{lo: lo, hi: hi, n: uint32(len(tk)), id: id}
			return
		}
	}
}

// packBits is the width of each of left, right and merged id in a packed
// rank merge (3×21 bits in a uint64); larger vocabularies take the direct
// path.
const packBits = 21

// rankScratch is room for the entries that newRankWholeTable and
// rankMerges bucket by slot, one after the other.
func rankScratch(tokens [][]byte) []uint64 {
	if len(tokens) > 1<<packBits {
		return nil
	}
	return make([]uint64, 0, len(tokens)*5/2)
}

// rankMerges derives the merges of a rank model into m.pairs: every way to
// split a token into two tokens is a pair that merges into it, with the
// token's rank as priority. m.whole and m.short must be built.
func (m *Model) rankMerges(tokens [][]byte, scratch []uint64) {
	if len(tokens) > 1<<packBits {
		m.rankMergesDirect(tokens)
		return
	}
	// Real vocabularies have 2.2–2.4 merges per token (r50k, cl100k,
	// o200k); scratch holds the whole-token table's order before.
	packed := scratch[:0]
	m.eachRankMerge(tokens, func(a, b, id uint32) {
		packed = append(packed, uint64(a)<<(2*packBits)|uint64(b)<<packBits|uint64(id))
	})
	// Every pair is distinct (a+b is the bytes of one token only), so the
	// table ends as large as set's growing would have made it.
	t := newPairTable(max(2*len(tokens), len(packed)))
	t.n = len(packed)
	const idMask = 1<<packBits - 1
	keyOf := func(v uint64) uint64 { return (v>>(2*packBits))<<32 | (v>>packBits)&idMask }
	shift := t.shift + bucketBits
	flagSort(packed, max(len(t.slots)>>bucketBits, 1), func(v uint64) int {
		return int((keyOf(v) * 0x9E3779B97F4A7C15) >> shift)
	})
	mask := uint64(len(t.slots) - 1)
	for _, v := range packed {
		key := keyOf(v)
		id := v & idMask
		for i := t.index(key); ; i = (i + 1) & mask {
			s := &t.slots[i]
			if s.key == emptyPair {
				s.key, s.val = key, id<<32|id
				break
			}
		}
	}
	m.pairs = t
}

// rankMergesDirect is rankMerges inserting each merge as it is found (for
// vocabularies too large to pack a merge into a word).
func (m *Model) rankMergesDirect(tokens [][]byte) {
	m.pairs = newPairTable(2 * len(tokens))
	m.eachRankMerge(tokens, func(a, b, id uint32) {
		m.pairs.set(uint64(a)<<32|uint64(b), uint64(id)<<32|uint64(id))
	})
}

// eachRankMerge calls f for every split of a token into two tokens (in
// no particular order).
func (m *Model) eachRankMerge(tokens [][]byte, f func(a, b, id uint32)) {
	s := rankSplitter{m: m, t: m.short, tokens: tokens, f: f}
	for id, tk := range tokens {
		for k := 1; k < len(tk); k++ {
			if k > wholeTableMax {
				// Longer prefixes are rare (tokens of over 16 bytes).
				if a, ok := m.whole[string(tk[:k])]; ok {
					if b, ok := m.rankID(tk[k:]); ok {
						f(a, b, uint32(id))
					}
				}
				continue
			}
			s.addPrefix(uint32(id), uint32(k))
		}
	}
	s.flush()
}

// rankSplitter looks the parts of splits up in the whole-token table in
// batches: each query's first slot is loaded when the query is queued
// (the loads are independent, so the CPU overlaps their cache misses) and
// the probes run when the batch is full, by then mostly from the cache.
// One query at a time spent most of its time waiting for memory: the
// table is 6 MB for cl100k, 12 MB for o200k, and a load builds 2M lookups.
type rankSplitter struct {
	m      *Model
	t      *wholeTable
	tokens [][]byte
	f      func(a, b, id uint32)
	sink   uint32 // keeps the touching loads
	np, ns int
	pre    [rankBatch]rankQuery
	suf    [rankBatch]rankQuery
}

// rankQuery is the lookup of one part of a split of token id at k.
type rankQuery struct {
	lo, hi uint64
	slot   uint64
	n      uint32
	id, k  uint32
	left   uint32 // the id of the prefix (suffix queries)
}

const rankBatch = 64

func (s *rankSplitter) query(q *rankQuery, part []byte) {
	q.lo, q.hi = wordKey(part)
	q.n = uint32(len(part))
	q.slot = s.t.index(q.lo, q.hi, len(part))
	s.sink += s.t.slots[q.slot].n
}

func (s *rankSplitter) addPrefix(id, k uint32) {
	q := &s.pre[s.np]
	q.id, q.k = id, k
	s.query(q, s.tokens[id][:k])
	s.np++
	if s.np == rankBatch {
		s.flush()
	}
}

// flush resolves the queued prefixes, queues the suffixes of those that
// are tokens, and resolves them.
func (s *rankSplitter) flush() {
	for i := range s.np {
		q := &s.pre[i]
		a, ok := s.t.find(q)
		if !ok {
			continue
		}
		suffix := s.tokens[q.id][q.k:]
		if len(suffix) > wholeTableMax {
			if b, ok := s.m.whole[string(suffix)]; ok {
				s.f(a, b, q.id)
			}
			continue
		}
		r := &s.suf[s.ns]
		r.id, r.left = q.id, a
		s.query(r, suffix)
		s.ns++
	}
	s.np = 0
	for i := range s.ns {
		r := &s.suf[i]
		if b, ok := s.t.find(r); ok {
			s.f(r.left, b, r.id)
		}
	}
	s.ns = 0
}

// find is lookup for a query whose key and first slot are computed.
func (t *wholeTable) find(q *rankQuery) (uint32, bool) {
	mask := uint64(len(t.slots) - 1)
	for i := q.slot; ; i = (i + 1) & mask {
		s := &t.slots[i]
		if s.n == q.n && s.lo == q.lo && s.hi == q.hi {
			return s.id, true
		}
		if s.n == 0 {
			return 0, false
		}
	}
}
