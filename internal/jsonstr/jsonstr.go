// Package jsonstr decodes JSON strings as encoding/json does, without
// reflection or allocation beyond the output: the fast paths of the JSON
// Lines reader (package corpora) and of the vocab.json parser (package bpe)
// share it.
package jsonstr

import (
	"encoding/binary"
	"math/bits"
	"unicode/utf16"
	"unicode/utf8"
)

const (
	ones8 = 0x0101010101010101
	high8 = 0x8080808080808080
)

// Special returns the index of the first byte at or after i that ends a
// run of plain string bytes: a quote, a backslash or a control byte
// (len(b) if none). It tests eight bytes at a time: a byte of v is zero
// exactly where (v-ones)&^v has its high bit set, counting from the lowest
// byte (borrows only mark bytes above a real zero), and a byte is below
// 0x20 where (v-0x20 in every byte)&^v does.
func Special(b []byte, i int) int {
	for ; i+8 <= len(b); i += 8 {
		v := binary.LittleEndian.Uint64(b[i:])
		q := v ^ ('"' * ones8)
		s := v ^ ('\\' * ones8)
		m := ((q - ones8) &^ q) | ((s - ones8) &^ s) | ((v - 0x20*ones8) &^ v)
		if m &= high8; m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
	}
	for ; i < len(b); i++ {
		if c := b[i]; c == '"' || c == '\\' || c < 0x20 {
			return i
		}
	}
	return len(b)
}

// Append decodes the JSON string whose body starts at b[i] (just after its
// opening quote), appends it to dst, and returns dst and the index after
// the closing quote. ok is false where encoding/json rejects the string
// (an unterminated string, a control byte, a bad escape). An escaped lone
// surrogate becomes U+FFFD, as in encoding/json; bytes that are not UTF-8
// are copied as they are (encoding/json would replace them: callers that
// must match it check the UTF-8 themselves).
func Append(dst, b []byte, i int) (out []byte, next int, ok bool) {
	for {
		// Copy the run up to the next quote, backslash or control byte.
		start := i
		i = Special(b, i)
		dst = append(dst, b[start:i]...)
		if i >= len(b) || b[i] < 0x20 {
			return dst, i, false
		}
		if b[i] == '"' {
			return dst, i + 1, true
		}
		// An escape.
		var ok bool
		if dst, i, ok = DecodeEscape(dst, b, i); !ok {
			return dst, i, false
		}
	}
}

// DecodeEscape appends the character of the escape at b[i] (a backslash)
// to dst and returns dst and the index after the escape: a \u surrogate
// pair makes one rune of two escapes, and a lone half is U+FFFD, as in
// encoding/json. ok is false for a bad or cut escape. dst may end where
// b[i:] starts: the character is read before it is written, and is never
// longer than its escape.
func DecodeEscape(dst, b []byte, i int) (out []byte, next int, ok bool) {
	if i+1 >= len(b) {
		return dst, i, false
	}
	c := b[i+1]
	i += 2
	switch c {
	case '"', '\\', '/':
		return append(dst, c), i, true
	case 'b':
		return append(dst, '\b'), i, true
	case 'f':
		return append(dst, '\f'), i, true
	case 'n':
		return append(dst, '\n'), i, true
	case 'r':
		return append(dst, '\r'), i, true
	case 't':
		return append(dst, '\t'), i, true
	case 'u':
		r, ok := Hex4(b, i)
		if !ok {
			return dst, i, false
		}
		i += 4
		if utf16.IsSurrogate(r) {
			// A pair makes one rune; a lone half is U+FFFD.
			if i+1 < len(b) && b[i] == '\\' && b[i+1] == 'u' {
				if r2, ok := Hex4(b, i+2); ok {
					if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
						return utf8.AppendRune(dst, dec), i + 6, true
					}
				}
			}
			r = utf8.RuneError
		}
		return utf8.AppendRune(dst, r), i, true
	}
	return dst, i, false
}

// Hex4 reads the four hex digits of a \u escape at b[i:].
func Hex4(b []byte, i int) (rune, bool) {
	if i+4 > len(b) {
		return 0, false
	}
	var r rune
	for _, c := range b[i : i+4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}
