package bpe

import (
	"fmt"
	"math/bits"
	"runtime"
	"sync"
	"sync/atomic"
)

// Building a merges model fast (NewMergesModel: GPT-2 vocab.json +
// merges.txt, tokenizer.json BPE).
//
// Performance notes (BenchmarkOpenGPT2, shared 2-core machine):
//
//   - The tokens' bytes live in one array and the whole map's keys are
//     substrings of one string: two allocations instead of two per token;
//     the byte alphabet is decoded through a 324-entry table instead of a
//     map lookup per character.
//   - A byte-level or character-level vocabulary never maps two names to
//     the same bytes (the decoding is one-to-one), so the whole-token
//     table takes the ids that went into the whole map without asking the
//     map again (newWholeTable asks it twice per token); filled in
//     prefetched batches like a rank model's.
//   - The whole-piece check (BPE of every token: is the result the token
//     itself?) runs on GOMAXPROCS goroutines (computeWholeOKFrom).

// runeByte[r] is the byte that character r of the GPT-2 byte alphabet
// stands for, -1 for a character outside it (all alphabet characters are
// below 0x144).
var runeByte = func() (t [0x144]int16) {
	for i := range t {
		t[i] = -1
	}
	for b := 0; b < 256; b++ {
		t[byteToRuneAt(b)] = int16(b)
	}
	return t
}()

// byteToRuneAt is byteToRune[b], computed (package initialisation order
// does not promise byteToRune is filled when runeByte is).
func byteToRuneAt(b int) rune {
	if (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF) {
		return rune(b)
	}
	n := 0
	for c := 0; c < b; c++ {
		if !((c >= 0x21 && c <= 0x7E) || (c >= 0xA1 && c <= 0xAC) || (c >= 0xAE && c <= 0xFF)) {
			n++
		}
	}
	return rune(0x100 + n)
}

// appendByteLevelDecode is ByteLevelDecode appending to dst; on a
// character outside the alphabet it returns dst unchanged and false.
func appendByteLevelDecode(dst []byte, s string) ([]byte, bool) {
	n := len(dst)
	for _, r := range s {
		if r >= 0x144 || runeByte[r] < 0 {
			return dst[:n], false
		}
		dst = append(dst, byte(runeByte[r]))
	}
	return dst, true
}

// mergesTokens fills m.tokens and m.whole from vocab: each name's bytes
// (its byte-alphabet decoding for a byte-level model; a name outside the
// alphabet keeps its UTF-8 and stays out of the whole map). It returns
// the set of ids in the whole map, nil if two names had the same bytes
// (then the whole map is what the last one made it, as before).
func (m *Model) mergesTokens(vocab map[string]uint32, byteLevel bool) (inWhole []uint64, err error) {
	total := 0
	for name := range vocab {
		total += len(name)
	}
	store := make([]byte, 0, total)
	offs := make([]uint32, len(m.tokens)) // offset in store of each whole-map id
	inWhole = make([]uint64, (len(m.tokens)+63)/64)
	for name, id := range vocab {
		if m.tokens[id] != nil {
			other := string(m.tokens[id])
			for n, i := range vocab {
				if i == id && n != name {
					other = n
					break
				}
			}
			return nil, &TokenError{Index: int(id), Token: name, Err: fmt.Errorf("%w: %q has it too", ErrDuplicateID, other)}
		}
		start := len(store)
		if byteLevel {
			var ok bool
			if store, ok = appendByteLevelDecode(store, name); !ok {
				// Not expressible in the byte alphabet (an added token kept
				// in the vocabulary): decodes as its UTF-8, never matched.
				m.tokens[id] = []byte(name)
				continue
			}
		} else {
			store = append(store, name...)
		}
		m.tokens[id] = store[start:len(store):len(store)] // non-nil even when empty
		offs[id] = uint32(start)
		inWhole[id/64] |= 1 << (id % 64)
	}
	keys := string(store)
	unique := true
	for id, w := range inWhole {
		for ; w != 0; w &= w - 1 {
			id := uint32(id*64 + bits.TrailingZeros64(w))
			before := len(m.whole)
			m.whole[keys[offs[id]:int(offs[id])+len(m.tokens[id])]] = id
			unique = unique && len(m.whole) > before
		}
	}
	if !unique {
		return nil, nil
	}
	return inWhole, nil
}

// newMergesWholeTable is newWholeTable for a merges model whose whole map
// holds exactly the ids of inWhole (each the entry of its own bytes).
func newMergesWholeTable(m *Model, inWhole []uint64) *wholeTable {
	return buildWholeTable(m.tokens, func(id uint32) bool {
		return inWhole[id/64]&(1<<(id%64)) != 0 && m.wholeAllowed(id)
	})
}

// computeWholeOKFrom is computeWholeOK for a model whose whole map holds
// exactly the ids of inWhole: the ids are split among up to GOMAXPROCS
// goroutines in chunks of 1024 (each writes its own words of wholeOK), and
// each token's bytes are encoded where they lie, without a copy. It was
// the largest part of building a 200k-token merges model (hf-gpt4o: ~90
// of ~250 ms). The result does not depend on the number of goroutines.
func (m *Model) computeWholeOKFrom(inWhole []uint64) {
	m.wholeOK = make([]uint64, len(inWhole))
	const chunkWords = 16
	var next atomic.Int64
	work := func() {
		var buf []uint32
		for {
			lo := int(next.Add(chunkWords)) - chunkWords
			if lo >= len(inWhole) {
				return
			}
			for wi := lo; wi < min(lo+chunkWords, len(inWhole)); wi++ {
				for w := inWhole[wi]; w != 0; w &= w - 1 {
					id := uint32(wi*64 + bits.TrailingZeros64(w))
					buf = m.encodeSlow(buf[:0], m.tokens[id])
					if len(buf) == 1 && buf[0] == id {
						m.wholeOK[wi] |= 1 << (id % 64)
					}
				}
			}
		}
	}
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), 8) - 1 {
		wg.Go(work)
	}
	work()
	wg.Wait()
}
