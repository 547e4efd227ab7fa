package normalize

import (
	"unicode/utf8"

	"github.com/toklabs/tok"
)

// byteToRune is GPT-2's bytes_to_unicode table: the 188 printable bytes
// (0x21–0x7E, 0xA1–0xAC, 0xAE–0xFF) map to themselves, the other 68 bytes,
// in ascending order, to U+0100, U+0101, …
var byteToRune [256]rune

// runeToByte inverts byteToRune for runes below 0x144; -1 elsewhere.
var runeToByte [0x144]int16

func init() {
	for i := range runeToByte {
		runeToByte[i] = -1
	}
	next := rune(0x100)
	for b := 0; b < 256; b++ {
		if (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF) {
			byteToRune[b] = rune(b)
		} else {
			byteToRune[b] = next
			next++
		}
		runeToByte[byteToRune[b]] = int16(b)
	}
}

// ByteLevelRune returns the character GPT-2's byte-level alphabet uses for
// byte b (space is 'Ġ', U+0120).
func ByteLevelRune(b byte) rune { return byteToRune[b] }

// ByteLevelByte returns the byte that GPT-2's byte-level alphabet writes as
// r, and false if r is not in that alphabet.
func ByteLevelByte(r rune) (byte, bool) {
	if r < 0 || int(r) >= len(runeToByte) || runeToByte[r] < 0 {
		return 0, false
	}
	return byte(runeToByte[r]), true
}

// AppendByteLevel appends the byte-level spelling of src (every byte, valid
// UTF-8 or not, becomes one character of the alphabet) to dst.
func AppendByteLevel(dst, src []byte) []byte {
	for _, b := range src {
		dst = utf8.AppendRune(dst, byteToRune[b])
	}
	return dst
}

// DecodeByteLevel appends to dst the bytes that the byte-level string s
// spells. Characters outside the alphabet are copied as they are; ok is
// false if there was any.
func DecodeByteLevel(dst []byte, s string) (out []byte, ok bool) {
	ok = true
	for _, r := range s {
		if b, in := ByteLevelByte(r); in {
			dst = append(dst, b)
		} else {
			ok = false
			dst = utf8.AppendRune(dst, r)
		}
	}
	return dst, ok
}

// ByteLevel is HF's ByteLevel normalizer: every byte of the text is
// replaced by its character in GPT-2's byte-level alphabet.
type ByteLevel struct{}

// Normalize implements [Normalizer].
func (ByteLevel) Normalize(dst, src []byte) []byte { return AppendByteLevel(dst, src) }

// NormalizeAligned implements [Normalizer]. Each output character is
// aligned with the input byte it spells.
func (ByteLevel) NormalizeAligned(dst []byte, align []tok.Span, src []byte) ([]byte, []tok.Span) {
	for i, b := range src {
		n := len(dst)
		dst = utf8.AppendRune(dst, byteToRune[b])
		for range len(dst) - n {
			align = append(align, tok.Span{Start: i, End: i + 1})
		}
	}
	return dst, align
}
