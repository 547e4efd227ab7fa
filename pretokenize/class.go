package pretokenize

// Character classes of the built-in patterns, looked up in one byte per
// character: a static table for ASCII, a 64 KB table for the Basic
// Multilingual Plane built on first use, and the unicode package for the
// rest. They are Go's unicode tables, the same ones regexp2 uses.

import (
	"sync"
	"unicode"
	"unicode/utf8"
)

// Class bits.
const (
	cL  = 1 << iota // \p{L}
	cN              // \p{N}
	cS              // \s (unicode.IsSpace)
	cNL             // \r or \n
	cU              // [\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}] (o200k's "upper")
	cW              // [\p{Ll}\p{Lm}\p{Lo}\p{M}] (o200k's "lower")
	cP              // BERT punctuation (IsBertPunctuation), for Bert
)

// Derived classes.
const (
	notP = cL | cN | cNL // [^\r\n\p{L}\p{N}] is class&notP == 0
	notO = cL | cN | cS  // [^\s\p{L}\p{N}] is class&notO == 0
)

var upperish = []*unicode.RangeTable{unicode.Lu, unicode.Lt, unicode.Lm, unicode.Lo, unicode.M}
var lowerish = []*unicode.RangeTable{unicode.Ll, unicode.Lm, unicode.Lo, unicode.M}

// classOf computes the class of r from the unicode tables (the slow path).
func classOf(r rune) uint8 {
	var c uint8
	if unicode.IsLetter(r) {
		c |= cL
	}
	if unicode.IsNumber(r) {
		c |= cN
	}
	if unicode.IsSpace(r) {
		c |= cS
	}
	if r == '\r' || r == '\n' {
		c |= cNL
	}
	if unicode.In(r, upperish...) {
		c |= cU
	}
	if unicode.In(r, lowerish...) {
		c |= cW
	}
	if IsBertPunctuation(r) {
		c |= cP
	}
	return c
}

// cMulti marks, in byteClass, the bytes that start (or are not) a
// multi-byte character; no real class has it (cL..cP use seven bits).
const cMulti = 1 << 7

// byteClass is the class of each ASCII byte, and cMulti for the others. It
// has 256 entries so that indexing by a byte needs no bounds check.
var byteClass = func() (t [256]uint8) {
	for c := range t {
		if c < utf8.RuneSelf {
			t[c] = classOf(rune(c))
		} else {
			t[c] = cMulti
		}
	}
	return t
}()

var (
	bmpOnce  sync.Once
	bmpClass *[1 << 16]uint8
)

func buildBMP() {
	t := new([1 << 16]uint8)
	for r := rune(0); r < 1<<16; r++ {
		t[r] = classOf(r)
	}
	bmpClass = t
}

// classAt returns the class and the size in bytes of the character at
// text[i]. An invalid byte is U+FFFD (a symbol: class 0) of size 1.
// bmpClass must be built (every matcher calls bmpOnce.Do(buildBMP) first).
func classAt(text []byte, i int) (cls uint8, size int) {
	cls, size = byteClass[text[i]], 1
	if cls == cMulti {
		cls, size = classAtSlow(text, i)
	}
	return cls, size
}

func classAtSlow(text []byte, i int) (uint8, int) {
	r, size := utf8.DecodeRune(text[i:])
	if r < 1<<16 {
		return bmpClass[r], size
	}
	return classOf(r), size
}

// runEnd returns the end of the run of characters from i whose class has a
// bit of mask set (want) or has none (!want).
func runEnd(text []byte, i int, mask uint8, want bool) int {
	for i < len(text) {
		cls, size := byteClass[text[i]], 1
		if cls == cMulti {
			cls, size = classAtSlow(text, i)
		}
		if (cls&mask != 0) != want {
			break
		}
		i += size
	}
	return i
}
