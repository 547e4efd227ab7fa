package sentencepiece

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"unicode/utf8"
)

// CharsMap is a compiled SentencePiece normalization table: the
// precompiled_charsmap blob stored in a model's NormalizerSpec (and in HF
// tokenizer.json files as the "Precompiled" normalizer, base64-encoded).
//
// The blob is a little-endian uint32 giving the size in bytes of a
// double-array trie (darts-clone layout, one uint32 per unit), the trie,
// then a pool of NUL-terminated replacement strings. The trie maps an input
// byte sequence to the offset of its replacement in the pool.
//
// API for other normalizers (tokenizerjson's Precompiled uses it):
//
//	m, err := sentencepiece.ParseCharsMap(blob)
//	repl, n := m.Lookup(text)          // longest rule at the start of text
//	out, align := m.AppendNormalize(nil, nil, text) // whole text, with byte alignments
//
// A CharsMap is immutable and safe for concurrent use.
type CharsMap struct {
	units []uint32
	pool  []byte
	blob  []byte     // the serialized form, kept for writing the model again
	ascii [128]uint8 // asciiSelf* flags of each ASCII byte (see normASCII)
	// keepBMP has bit r set when the BMP character r (U+0080..U+FFFF, not
	// a surrogate) normalizes to itself whatever follows: no rule matches
	// a prefix of its UTF-8 bytes (or the one that matches all of them
	// gives them back) and no longer rule starts with them.
	keepBMP *[1 << 16 / 64]uint64
}

// keepsRune reports whether the BMP character r (>= U+0080) normalizes
// to its own bytes whatever follows (see CharsMap.keepBMP).
func (m *CharsMap) keepsRune(r rune) bool {
	if m == nil {
		return true
	}
	return m.keepBMP[r>>6]&(1<<(r&63)) != 0
}

// computeBMP fills m.keepBMP by walking the trie along the UTF-8 bytes of
// every BMP character from U+0080 (about 63k walks of at most 3 steps).
func (m *CharsMap) computeBMP() {
	m.keepBMP = new([1 << 16 / 64]uint64)
	units := m.units
	n := uint32(len(units))
	root := unitOffset(units[0])
	var buf [3]byte
	for r := rune(0x80); r < 1<<16; r++ {
		if r >= 0xD800 && r < 0xE000 {
			continue
		}
		b := utf8.AppendRune(buf[:0], r)
		keep := true
		pos := root
		for i, c := range b {
			pos ^= uint32(c)
			if pos >= n || unitLabel(units[pos]) != uint32(c) {
				break // no rule goes further: no match, or none longer
			}
			u := units[pos]
			pos ^= unitOffset(u)
			if pos >= n {
				keep = !unitHasLeaf(u)
				break
			}
			if unitHasLeaf(u) {
				if i < len(b)-1 {
					keep = false // a rule for part of the character
					break
				}
				v := unitValue(units[pos])
				if string(m.pool[v:int(v)+indexByte(m.pool[v:], 0)]) != string(b) {
					keep = false
					break
				}
			}
			if i == len(b)-1 {
				// A longer rule may start with the whole character.
				for d := uint32(1); d < 256; d++ {
					if child := pos ^ d; child < n && unitLabel(units[child]) == d {
						keep = false
						break
					}
				}
			}
		}
		if keep {
			m.keepBMP[r>>6] |= 1 << (r & 63)
		}
	}
}

// identityASCII is the ASCII table of the nil (identity) map.
var identityASCII = func() (t [128]uint8) {
	for c := range t {
		t[c] = asciiSelfNext | asciiSelfAny
	}
	return t
}()

// asciiFlags returns, for each ASCII byte, whether Lookup gives that byte
// itself consuming one byte: always (asciiSelfAny), or when it is followed
// by an ASCII byte or nothing (asciiSelfNext).
func (m *CharsMap) asciiFlags() *[128]uint8 {
	if m == nil {
		return &identityASCII
	}
	return &m.ascii
}

// computeASCII fills m.ascii from the trie: a byte keeps itself when no
// rule for it alone says otherwise, and no longer rule starts with it
// (asciiSelfAny) or none continues with an ASCII byte (asciiSelfNext).
func (m *CharsMap) computeASCII() {
	units := m.units
	n := uint32(len(units))
	root := unitOffset(units[0])
	for c := range uint32(128) {
		pos := root ^ c
		if pos >= n || unitLabel(units[pos]) != c {
			m.ascii[c] = asciiSelfNext | asciiSelfAny
			continue
		}
		u := units[pos]
		base := pos ^ unitOffset(u)
		if base >= n {
			if !unitHasLeaf(u) {
				m.ascii[c] = asciiSelfNext | asciiSelfAny
			}
			continue
		}
		if unitHasLeaf(u) {
			v := unitValue(units[base])
			r := m.pool[v : int(v)+indexByte(m.pool[v:], 0)]
			if len(r) != 1 || uint32(r[0]) != c {
				continue
			}
		}
		asciiChild, anyChild := false, false
		for d := uint32(1); d < 256; d++ { // keys hold no NUL; label 0 marks a value unit
			if child := base ^ d; child < n && unitLabel(units[child]) == d {
				anyChild = true
				asciiChild = asciiChild || d < 0x80
			}
		}
		if !asciiChild {
			m.ascii[c] |= asciiSelfNext
		}
		if !anyChild {
			m.ascii[c] |= asciiSelfAny
		}
	}
}

// ErrCharsMap is wrapped by the errors ParseCharsMap returns.
var ErrCharsMap = errors.New("sentencepiece: malformed precompiled_charsmap")

// ParseCharsMap reads a precompiled_charsmap blob. An empty blob gives a
// nil map, which normalizes nothing (the "identity" rule).
func ParseCharsMap(blob []byte) (*CharsMap, error) {
	if len(blob) == 0 {
		return nil, nil
	}
	if len(blob) < 4 {
		return nil, fmt.Errorf("%w: %d bytes, need at least 4", ErrCharsMap, len(blob))
	}
	size := binary.LittleEndian.Uint32(blob)
	rest := blob[4:]
	if uint64(size) > uint64(len(rest)) || size%4 != 0 || size == 0 {
		return nil, fmt.Errorf("%w: trie size %d does not fit in %d bytes", ErrCharsMap, size, len(rest))
	}
	m := &CharsMap{units: make([]uint32, size/4), pool: rest[size:], blob: blob}
	for i := range m.units {
		m.units[i] = binary.LittleEndian.Uint32(rest[4*i:])
	}
	// Every value the trie can return must point inside the pool and the
	// string there must be terminated; checking it once here keeps Lookup
	// free of bounds failures.
	if err := m.validate(); err != nil {
		return nil, err
	}
	m.computeASCII()
	m.computeBMP()
	return m, nil
}

// Bytes returns the serialized blob.
func (m *CharsMap) Bytes() []byte {
	if m == nil {
		return nil
	}
	return m.blob
}

// darts-clone unit layout.
func unitHasLeaf(u uint32) bool  { return (u>>8)&1 == 1 }
func unitValue(u uint32) uint32  { return u & (1<<31 - 1) }
func unitLabel(u uint32) uint32  { return u & (1<<31 | 0xFF) }
func unitOffset(u uint32) uint32 { return (u >> 10) << ((u & (1 << 9)) >> 6) }

func (m *CharsMap) validate() error {
	// Every unit that a walk can reach as a node has bit 31 clear (its
	// label is a byte), and only the leaf bit sends a lookup to a value
	// unit, so checking every such unit covers all reachable leaves. Value
	// units (bit 31 set) and unused units (zero) are skipped. One linear
	// pass; the former depth-first walk tried 255 labels per node and
	// took ~20 ms on nmt_nfkc, a third of loading ALBERT.
	n := uint32(len(m.units))
	lastNUL := bytes.LastIndexByte(m.pool, 0)
	for i, u := range m.units {
		if u>>31 != 0 || !unitHasLeaf(u) {
			continue
		}
		base := uint32(i) ^ unitOffset(u)
		if base >= n {
			return fmt.Errorf("%w: leaf %d outside trie", ErrCharsMap, base)
		}
		v := unitValue(m.units[base])
		if int(v) >= len(m.pool) {
			return fmt.Errorf("%w: replacement offset %d outside pool of %d bytes", ErrCharsMap, v, len(m.pool))
		}
		if int(v) > lastNUL {
			return fmt.Errorf("%w: replacement at %d is not terminated", ErrCharsMap, v)
		}
	}
	return nil
}

func indexByte(b []byte, c byte) int {
	for i, x := range b {
		if x == c {
			return i
		}
	}
	return -1
}

// longestMatch returns the pool offset and length of the longest key in
// the trie that is a prefix of s, or length 0.
func (m *CharsMap) longestMatch(s []byte) (value uint32, length int) {
	units := m.units
	n := uint32(len(units))
	pos := unitOffset(units[0])
	for i := 0; i < len(s); i++ {
		c := uint32(s[i])
		pos ^= c
		if pos >= n {
			return
		}
		u := units[pos]
		if unitLabel(u) != c {
			return
		}
		pos ^= unitOffset(u)
		if pos >= n {
			return
		}
		if unitHasLeaf(u) {
			value, length = unitValue(units[pos]), i+1
		}
	}
	return
}

// replacementChar is what SentencePiece emits for a byte that does not
// start a valid UTF-8 sequence; it consumes that one byte.
var replacementChar = []byte("\uFFFD")

// Lookup normalizes the start of s: it returns the replacement of the
// longest rule matching a prefix of s and the number of bytes it consumes.
// Without a match it returns the first UTF-8 character unchanged, or
// U+FFFD consuming one byte when s does not start with valid UTF-8. A nil
// map only does the latter. s must not be empty.
func (m *CharsMap) Lookup(s []byte) (repl []byte, n int) {
	if m != nil {
		if v, l := m.longestMatch(s); l > 0 {
			end := int(v) + indexByte(m.pool[v:], 0)
			return m.pool[v:end], l
		}
	}
	if s[0] < utf8.RuneSelf {
		return s[:1], 1
	}
	r, size := utf8.DecodeRune(s)
	if r == utf8.RuneError && size <= 1 {
		return replacementChar, 1
	}
	return s[:size], size
}

// AppendNormalize applies Lookup over all of text, appending the result to
// dst and, for every byte appended, the offset in text of the input it came
// from to align. It does none of the whitespace handling of [Normalizer].
func (m *CharsMap) AppendNormalize(dst []byte, align []int, text []byte) ([]byte, []int) {
	for i := 0; i < len(text); {
		repl, n := m.Lookup(text[i:])
		dst = append(dst, repl...)
		for range repl {
			align = append(align, i)
		}
		i += n
	}
	return dst, align
}

// FirstMatch returns the replacement of the shortest rule that matches a
// prefix of s. HuggingFace's Precompiled normalizer uses it (applied to a
// whole grapheme or character, not to the matched prefix alone); for
// SentencePiece's own longest-match semantics use Lookup.
func (m *CharsMap) FirstMatch(s []byte) (repl []byte, ok bool) {
	if m == nil {
		return nil, false
	}
	units := m.units
	n := uint32(len(units))
	pos := unitOffset(units[0])
	for i := 0; i < len(s); i++ {
		c := uint32(s[i])
		pos ^= c
		if pos >= n {
			return nil, false
		}
		u := units[pos]
		if unitLabel(u) != c {
			return nil, false
		}
		pos ^= unitOffset(u)
		if pos >= n {
			return nil, false
		}
		if unitHasLeaf(u) {
			v := unitValue(units[pos])
			end := int(v) + indexByte(m.pool[v:], 0)
			return m.pool[v:end], true
		}
	}
	return nil, false
}
