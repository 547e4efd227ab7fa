package bpe

import "sync"

// Performance notes
//
// Measured on the shared 2-core machine (noisy); see bench_test.go.
//
//   - Whole-piece hit first: most English pre-tokens are one token, so a
//     single map lookup on the piece's bytes skips BPE entirely, as tiktoken
//     does. For merges models the hit is only taken for tokens that BPE
//     reaches from their own bytes (wholeOK, computed at construction).
//   - Pieces of at most linearMax symbols use mergeLinear: the tiktoken
//     scheme (rescan the pair priorities after each merge), O(n·m), on
//     stack arrays, no allocation. Longer pieces use mergeHeap (a binary
//     heap of (priority, position) over a doubly linked list, stale entries
//     skipped on pop), O(n log n). Pieces of bucketMin (4096) symbols or
//     more use mergeBuckets (one lazily sorted bucket per priority, a small
//     heap of priorities): on a 1 MB run of one letter the binary heap of
//     ~1M entries cost 870–960 ns of CPU per byte (a cache miss per level
//     of every pop). Buckets of 16-byte entries (position, pair, merged
//     id) brought that to ~270 ns/byte (3.6 vs 2.6 CPU-MB/s at 1 vs 10 MB:
//     page faults of 2 GB of growing slices); buckets of bare positions
//     (the pair is re-checked on pop) give 7.6 and 9.0 CPU-MB/s at 1 and
//     10 MB of one letter, 10.6 and 9.8 at 100 KB and 1 MB of spaces, 15.4
//     and 15.6 at 0.5 and 5 MB of digits: linear
//     (BenchmarkModel_AppendEncodePiece_pathological). tiktoken is
//     quadratic here.
//   - Pair lookups go through pairTable (open addressing, at most half
//     full) instead of a Go map: about 3× faster per lookup in an A/B
//     micro-benchmark of 1M mostly-missing keys (22 vs 83 ns/lookup).
//   - Whole-piece hits on pieces of at most 16 bytes go through
//     wholeTable, which keeps the token bytes in the slot (one cache line
//     per lookup) instead of the Go map (control word, slot, key bytes).
//     Interleaved A/B on cl100k English, model only, CPU-time MB/s:
//     map 27.9, 20.3, 30.0; wholeTable 43.1, 26.7, 46.8 (≈1.5×).
//   - Byte-level pieces take their first round of pair merges from a dense
//     65536-entry table (bytePairs, 512 KB) instead of hashing: +7% on the
//     multilingual text (cl100k, model only, CPU-MB/s 11.9/11.3/11.6 →
//     12.9/12.0/12.7, interleaved), no clear change on code.
//   - Rejected: a small direct-mapped "hot table" of the 4096 lowest-id
//     tokens (≤16 bytes, L2-resident) in front of the whole-piece map.
//     Interleaved A/B on cl100k English, model only, CPU-time MB/s:
//     without 30.8, 22.1, 33.8; with 21.0, 20.9, 25.3. The Go map's
//     entries for frequent pieces are already in cache (Zipf), so the
//     extra hashing only added cost.
//   - Not done: a piece → ids cache (tiktoken rejected one too: "treat the
//     set of tokens as a cache"); the whole-piece hit covers most pieces.

// linearMax is the longest piece (in initial symbols) merged by the linear
// scan; longer pieces use the heap.
const linearMax = 128

// AppendEncodePiece appends the ids of one pre-token to dst and returns
// the extended slice. piece may hold any bytes (invalid UTF-8 included).
func (m *Model) AppendEncodePiece(dst []uint32, piece []byte) []uint32 {
	if len(piece) == 0 {
		return dst
	}
	if len(piece) <= wholeTableMax {
		if id, ok := m.short.lookup(piece); ok {
			return append(dst, id)
		}
	} else if id, ok := m.whole[string(piece)]; ok && m.wholeAllowed(id) {
		return append(dst, id)
	}
	return m.encodeSlow(dst, piece)
}

func (m *Model) wholeAllowed(id uint32) bool {
	return m.wholeOK == nil || m.wholeOK[id/64]&(1<<(id%64)) != 0
}

// encodeSlow runs BPE on a piece that was not a whole-piece hit.
func (m *Model) encodeSlow(dst []uint32, piece []byte) []uint32 {
	if len(piece) <= linearMax {
		var buf [linearMax + 2]uint32 // +2: byte fallback of a prefixed/suffixed unit may grow it
		var syms []uint32
		if m.bytePath {
			// Byte-level: the first round of pair lookups comes from the
			// dense byte-pair table, without hashing.
			syms = buf[:len(piece)]
			var vals [linearMax]uint64
			for i, b := range piece {
				syms[i] = uint32(m.byteIDs[b])
				if i > 0 {
					vals[i-1] = m.bytePairs[int(piece[i-1])<<8|int(b)]
				}
			}
			return append(dst, m.mergeLinearFrom(syms, vals[:max(len(syms)-1, 0)])...)
		} else {
			syms = m.appendInitialSymbols(buf[:0], piece)
		}
		if len(syms) <= linearMax {
			var vals [linearMax]uint64
			syms = m.mergeLinear(syms, vals[:])
			return append(dst, syms...)
		}
		return append(dst, m.mergeHeap(syms)...)
	}
	syms := m.appendInitialSymbols(make([]uint32, 0, len(piece)), piece)
	switch {
	case len(syms) <= linearMax:
		var vals [linearMax]uint64
		return append(dst, m.mergeLinear(syms, vals[:])...)
	case len(syms) < bucketMin:
		return append(dst, m.mergeHeap(syms)...)
	}
	return append(dst, m.mergeBuckets(syms)...)
}

// allBytes reports whether every byte has a one-byte token.
func (m *Model) allBytes() bool {
	for _, id := range m.byteIDs {
		if id < 0 {
			return false
		}
	}
	return true
}

// pairValue returns priority<<32 | merged id for the adjacent ids a, b,
// or noMerge.
func (m *Model) pairValue(a, b uint32) uint64 {
	return m.pairs.get(uint64(a)<<32 | uint64(b))
}

// appendInitialSymbols splits a piece into the symbols BPE starts from:
// one per byte (byte-level) or per UTF-8 character, with the continuing
// subword prefix on all but the first and the end-of-word suffix on the
// last; a unit missing from the vocabulary becomes its <0xNN> byte-fallback
// tokens or the unk token (fused when asked), or is dropped when the model
// has neither, as HuggingFace does.
func (m *Model) appendInitialSymbols(syms []uint32, piece []byte) []uint32 {
	if m.kind == rankKind {
		for _, b := range piece {
			syms = append(syms, uint32(m.byteIDs[b]))
		}
		return syms
	}
	unk := int32(-1) // pending unk id (HF keeps one pending to fuse runs)
	var key []byte
	var keyBuf [32]byte
	for i := 0; i < len(piece); {
		n := 1
		if !m.byteLevel {
			n = validRuneLen(piece[i:])
		}
		unit := piece[i : i+n]
		first, last := i == 0, i+n == len(piece)
		i += n
		id := int32(-1)
		if m.prefix == "" && m.suffix == "" {
			if n == 1 && m.byteIDs[unit[0]] >= 0 {
				id = m.byteIDs[unit[0]]
			} else if v, ok := m.whole[string(unit)]; ok {
				id = int32(v)
			}
			key = unit
		} else {
			key = keyBuf[:0]
			if !first {
				key = append(key, m.prefix...)
			}
			key = append(key, unit...)
			if last {
				key = append(key, m.suffix...)
			}
			if v, ok := m.whole[string(key)]; ok {
				id = int32(v)
			}
		}
		if id >= 0 {
			if unk >= 0 {
				syms = append(syms, uint32(unk))
				unk = -1
			}
			syms = append(syms, uint32(id))
			continue
		}
		if m.byteFallback {
			all := true
			for _, b := range key {
				if m.fallbackIDs[b] < 0 {
					all = false
					break
				}
			}
			if all {
				for _, b := range key {
					syms = append(syms, uint32(m.fallbackIDs[b]))
				}
				continue
			}
		}
		if m.unkID >= 0 {
			if unk >= 0 && !m.fuseUnk {
				syms = append(syms, uint32(unk))
			}
			unk = m.unkID
		}
	}
	if unk >= 0 {
		syms = append(syms, uint32(unk))
	}
	return syms
}

// mergeLinear merges syms in place by repeatedly scanning for the pair of
// lowest priority (leftmost on ties); vals is scratch of at least
// len(syms) entries. It is O(n·merges) but cache-friendly, the better
// choice for the short pieces that make up almost all text.
func (m *Model) mergeLinear(syms []uint32, vals []uint64) []uint32 {
	n := len(syms)
	if n < 2 {
		return syms
	}
	vals = vals[:n-1]
	for i := 0; i < n-1; i++ {
		vals[i] = m.pairValue(syms[i], syms[i+1])
	}
	return m.mergeLinearFrom(syms, vals)
}

// mergeLinearFrom is mergeLinear with vals[i] already holding the merge of
// syms[i], syms[i+1] (len(vals) = len(syms)-1).
func (m *Model) mergeLinearFrom(syms []uint32, vals []uint64) []uint32 {
	if len(syms) < 2 {
		return syms
	}
	for {
		best, bi := uint64(noMerge), -1
		for i, v := range vals {
			if v < best {
				best, bi = v, i
			}
		}
		if bi < 0 {
			return syms
		}
		syms[bi] = uint32(best)
		copy(syms[bi+1:], syms[bi+2:])
		syms = syms[:len(syms)-1]
		copy(vals[bi:], vals[bi+1:])
		vals = vals[:len(vals)-1]
		if bi > 0 {
			vals[bi-1] = m.pairValue(syms[bi-1], syms[bi])
		}
		if bi < len(vals) {
			vals[bi] = m.pairValue(syms[bi], syms[bi+1])
		}
	}
}

// heapEntry is a candidate merge of the symbol at pos with its right
// neighbour; key is priority<<32 | pos, so the heap pops the lowest
// priority, leftmost first. left and right are the ids the pair had when
// pushed; an entry whose symbols changed since is stale and skipped.
type heapEntry struct {
	key         uint64
	left, right uint32
	merged      uint32
}

// heapScratch is the reusable working memory of mergeHeap.
type heapScratch struct {
	next, prev []int32
	h          []heapEntry
}

var heapScratchPool = sync.Pool{New: func() any { return new(heapScratch) }}

// mergeHeap merges syms with a min-heap of candidate pairs over a doubly
// linked list: O(n log n) for a piece of n symbols.
func (m *Model) mergeHeap(syms []uint32) []uint32 {
	n := len(syms)
	if n < 2 {
		return syms
	}
	sc := heapScratchPool.Get().(*heapScratch)
	defer func() {
		if cap(sc.h) <= 1<<20 {
			heapScratchPool.Put(sc)
		}
	}()
	if cap(sc.next) < n {
		sc.next = make([]int32, n)
		sc.prev = make([]int32, n)
	}
	next := sc.next[:n] // -1 at the end
	prev := sc.prev[:n] // -1 at the start, -2 once merged away
	linkSymbols(next, prev)
	h := sc.h[:0]
	defer func() { sc.h = h[:0] }()
	push := func(pos int32) {
		r := next[pos]
		if r < 0 {
			return
		}
		v := m.pairValue(syms[pos], syms[r])
		if v == noMerge {
			return
		}
		h = append(h, heapEntry{key: v&^0xFFFFFFFF | uint64(pos), left: syms[pos], right: syms[r], merged: uint32(v)})
		// sift up
		j := len(h) - 1
		for j > 0 {
			p := (j - 1) / 2
			if h[p].key <= h[j].key {
				break
			}
			h[p], h[j] = h[j], h[p]
			j = p
		}
	}
	for i := range n - 1 {
		push(int32(i))
	}
	for len(h) > 0 {
		e := h[0]
		last := len(h) - 1
		h[0] = h[last]
		h = h[:last]
		// sift down
		for j := 0; ; {
			l := 2*j + 1
			if l >= len(h) {
				break
			}
			c := l
			if r := l + 1; r < len(h) && h[r].key < h[l].key {
				c = r
			}
			if h[j].key <= h[c].key {
				break
			}
			h[j], h[c] = h[c], h[j]
			j = c
		}
		pos := int32(e.key & 0xFFFFFFFF)
		if prev[pos] == -2 || syms[pos] != e.left {
			continue
		}
		r := next[pos]
		if r < 0 || syms[r] != e.right {
			continue
		}
		syms[pos] = e.merged
		unlinkRight(next, prev, pos, r)
		if p := prev[pos]; p >= 0 {
			push(p)
		}
		push(pos)
	}
	return collectLinked(syms, next)
}

// The heap and bucket merges keep a piece's symbols as a doubly linked
// list over arrays: next[i] is the following live symbol (-1 at the end),
// prev[i] the preceding one (-1 at the start, -2 once i was merged away).

// linkSymbols links n = len(next) symbols in order.
func linkSymbols(next, prev []int32) {
	for i := range next {
		next[i] = int32(i + 1)
		prev[i] = int32(i - 1)
	}
	next[len(next)-1] = -1
}

// unlinkRight removes symbol r, the right neighbour of pos, after the two
// were merged into pos.
func unlinkRight(next, prev []int32, pos, r int32) {
	nr := next[r]
	next[pos] = nr
	if nr >= 0 {
		prev[nr] = pos
	}
	prev[r] = -2
}

// collectLinked compacts the live symbols, in order, to the front of syms.
func collectLinked(syms []uint32, next []int32) []uint32 {
	out := syms[:0]
	for i := int32(0); i >= 0; i = next[i] {
		out = append(out, syms[i])
	}
	return out
}
