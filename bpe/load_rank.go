package bpe

import (
	"bytes"
	"errors"
	"fmt"
	"math/bits"
	"strings"
	"unsafe"
)

// Building a rank model fast (NewRankModel). Every command that uses a
// tiktoken vocabulary pays this once, before the first byte is encoded.
//
// Performance notes (BenchmarkOpenTiktoken, BenchmarkNewRankModel_phases;
// the tables are those the encoder reads, only the way they are filled
// changed; shared 2-core machine, so noisy):
//
//   - The whole map's keys are substrings of one string holding every
//     token's bytes: one allocation instead of one per token (cl100k:
//     100290 → ~300 allocs per load), and the duplicate check is the
//     map's length after the insert (one hash per token instead of two).
//   - Every token of a rank model is its own canonical id, so the
//     whole-token table takes every token of 1 to 16 bytes without
//     asking the map (newWholeTable asks it twice per token).
//   - The loads of the 6–16 MB tables are batched: each operation's slot
//     is prefetched (touchSlot, touchPair) when the operation is queued,
//     and the batch of 32 runs when full, by then from the cache. One
//     operation at a time spent most of its time waiting for memory.
//     Whole-token table: 5.7 → 2.7 ms (cl100k), 15 → 5.7 ms (o200k);
//     split lookups (2M for o200k): 28 → 21 ms, 85 → 50 ms.
//   - The whole map is built on a second goroutine while the tables are
//     filled; they need it only for the splits with a part of over 16
//     bytes, done in a pass of their own afterwards. tok encode of 12
//     bytes: cl100k 0.16–0.17 → 0.12–0.14 s, o200k 0.23–0.29 → 0.21–0.25 s.
//   - The pair and whole-token tables ask for transparent huge pages
//     before they are filled (adviseHuge): in a fresh process most of the
//     load was page faults. tok encode of 12 bytes with o200k: 13.4k → 7.3k
//     minor faults, 0.31 → 0.22–0.26 s; cl100k 7.4k → 4.9k, 0.16–0.18 →
//     0.13–0.15 s; same maximum RSS. Advising the parser's rank and byte
//     arrays too saved ~800 more faults for no clear time: not kept.
//   - Rejected: a bit filter (8 bits per token, L2-resident) in front of
//     the split lookups, to skip the probes of parts that are no token:
//     no measurable change (o200k lookups 43–45 ms either way).
//   - Rejected: inserting in slot order (entries collected into a slice,
//     bucketed by slot with an American-flag pass, then inserted): slower
//     than the prefetched batches (merges of o200k 75–92 vs 69–72 ms) and
//     2–4 MB of scratch.
//
// Linear probing finds the same entries whatever the insertion order, and
// the occupied slots (hence every probe sequence's length) do not depend
// on it either.

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

// newRankWholeTable is newWholeTable for a rank model, whose every token
// may be emitted whole and is the whole map's entry for its bytes: it
// holds every token of 1 to 16 bytes.
func newRankWholeTable(tokens [][]byte) *wholeTable {
	return buildWholeTable(tokens, nil)
}

// buildWholeTable makes the whole-token table of the tokens of 1 to 16
// bytes whose id is eligible (nil: all); an eligible token must be the
// only one with its bytes.
func buildWholeTable(tokens [][]byte, eligible func(id uint32) bool) *wholeTable {
	count := 0
	for id, tk := range tokens {
		if len(tk) > 0 && len(tk) <= wholeTableMax && (eligible == nil || eligible(uint32(id))) {
			count++
		}
	}
	size := 64
	for size < 2*count {
		size <<= 1
	}
	t := &wholeTable{slots: make([]wholeSlot, size), shift: uint8(64 - bits.TrailingZeros(uint(size)))}
	adviseHuge(unsafe.Pointer(&t.slots[0]), uintptr(size)*unsafe.Sizeof(wholeSlot{}))
	var batch [rankBatch]rankQuery
	n := 0
	for id, tk := range tokens {
		if len(tk) == 0 || len(tk) > wholeTableMax || (eligible != nil && !eligible(uint32(id))) {
			continue
		}
		q := &batch[n]
		q.lo, q.hi = wordKey(tk)
		q.n, q.id = uint32(len(tk)), uint32(id)
		q.slot = t.index(q.lo, q.hi, len(tk))
		touchSlot(&t.slots[q.slot])
		n++
		if n == rankBatch {
			t.insertBatch(batch[:n])
			n = 0
		}
	}
	t.insertBatch(batch[:n])
	return t
}

// insertBatch adds tokens that are not in the table yet.
func (t *wholeTable) insertBatch(qs []rankQuery) {
	mask := uint64(len(t.slots) - 1)
	for _, q := range qs {
		for i := q.slot; ; i = (i + 1) & mask {
			if t.slots[i].n == 0 {
				t.slots[i] = wholeSlot{lo: q.lo, hi: q.hi, n: q.n, id: q.id}
				break
			}
		}
	}
}

// rankMerges derives the merges of a rank model into m.pairs: every way to
// split a token into two tokens is a pair that merges into it, with the
// token's rank as priority. m.whole and m.short must be built.
func (m *Model) rankMerges(tokens [][]byte) {
	ins := newRankPairInserter(len(tokens))
	m.eachRankMerge(tokens, ins.add)
	m.pairs = ins.finish()
}

// rankPairInserter fills a pair table with rank merges in batches whose
// slots are prefetched.
type rankPairInserter struct {
	t     *pairTable
	n     int
	batch [rankBatch]pairSlot
}

func newRankPairInserter(tokens int) *rankPairInserter {
	return &rankPairInserter{t: newPairTable(2 * tokens)}
}

func (p *rankPairInserter) add(a, b, id uint32) {
	key := uint64(a)<<32 | uint64(b)
	p.batch[p.n] = pairSlot{key, uint64(id)<<32 | uint64(id)}
	touchPair(&p.t.slots[p.t.index(key)])
	p.n++
	if p.n == rankBatch {
		p.flush()
	}
}

func (p *rankPairInserter) flush() {
	for _, s := range p.batch[:p.n] {
		p.t.set(s.key, s.val)
	}
	p.n = 0
}

func (p *rankPairInserter) finish() *pairTable {
	p.flush()
	return p.t
}

// eachRankMerge calls f for every split of a token into two tokens (in
// no particular order). m.whole and m.short must be built.
func (m *Model) eachRankMerge(tokens [][]byte, f func(a, b, id uint32)) {
	m.eachShortRankMerge(tokens, f)
	m.eachLongRankMerge(tokens, f)
}

// eachShortRankMerge calls f for every split of a token into two tokens
// of at most 16 bytes each; it reads m.short only, not m.whole.
func (m *Model) eachShortRankMerge(tokens [][]byte, f func(a, b, id uint32)) {
	s := rankSplitter{t: m.short, tokens: tokens, f: f}
	for id, tk := range tokens {
		for k := max(1, len(tk)-wholeTableMax); k < len(tk) && k <= wholeTableMax; k++ {
			s.addPrefix(uint32(id), uint32(k))
		}
	}
	s.flush()
}

// eachLongRankMerge calls f for every split of a token into two tokens of
// which one is longer than 16 bytes (rare: tokens of 18 bytes or more).
func (m *Model) eachLongRankMerge(tokens [][]byte, f func(a, b, id uint32)) {
	for id, tk := range tokens {
		if len(tk) <= wholeTableMax+1 {
			continue
		}
		for k := 1; k < len(tk); k++ {
			if k <= wholeTableMax && len(tk)-k <= wholeTableMax {
				continue // eachShortRankMerge's
			}
			if a, ok := m.rankID(tk[:k]); ok {
				if b, ok := m.rankID(tk[k:]); ok {
					f(a, b, uint32(id))
				}
			}
		}
	}
}

// rankSplitter looks the parts of splits up in the whole-token table in
// batches: each query's slot is prefetched when the query is queued and
// the probes run when the batch is full, by then mostly from the cache.
// One query at a time spent most of its time waiting for memory: the
// table is 6 MB for cl100k, 12 MB for o200k, and a load makes 2M lookups.
type rankSplitter struct {
	t      *wholeTable
	tokens [][]byte
	f      func(a, b, id uint32)
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

const rankBatch = 32

func (s *rankSplitter) query(q *rankQuery, part []byte) {
	q.lo, q.hi = wordKey(part)
	q.n = uint32(len(part))
	q.slot = s.t.index(q.lo, q.hi, len(part))
	touchSlot(&s.t.slots[q.slot])
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
