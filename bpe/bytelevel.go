package bpe

import "unicode/utf8"

// The GPT-2 byte-to-unicode alphabet. Byte-level vocabularies (GPT-2
// vocab.json, tokenizer.json with a ByteLevel pre-tokenizer) write every
// byte as one printable character: the 188 bytes 0x21–0x7E, 0xA1–0xAC and
// 0xAE–0xFF stand for themselves, and the other 68 bytes, in ascending
// order, are written as U+0100, U+0101, … (so a space is "Ġ" U+0120 and a
// newline "Ċ" U+010A).
var (
	byteToRune [256]rune
	runeToByte map[rune]byte
)

func init() {
	runeToByte = make(map[rune]byte, 256)
	n := 0
	for b := 0; b < 256; b++ {
		if (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF) {
			byteToRune[b] = rune(b)
		} else {
			byteToRune[b] = rune(0x100 + n)
			n++
		}
		runeToByte[byteToRune[b]] = byte(b)
	}
}

// ByteLevelDecode converts a token written in the GPT-2 byte alphabet to
// the raw bytes it stands for. ok is false when s holds a character outside
// the alphabet (for example an added token such as "<|endoftext|>" is
// fine, but "▁" is not).
func ByteLevelDecode(s string) (raw []byte, ok bool) {
	raw = make([]byte, 0, len(s))
	for _, r := range s {
		b, found := runeToByte[r]
		if !found {
			return nil, false
		}
		raw = append(raw, b)
	}
	return raw, true
}

// ByteLevelEncode writes raw bytes in the GPT-2 byte alphabet, the form in
// which byte-level vocab.json, merges.txt and tokenizer.json store tokens.
func ByteLevelEncode(raw []byte) string {
	out := make([]byte, 0, 2*len(raw))
	for _, b := range raw {
		out = utf8.AppendRune(out, byteToRune[b])
	}
	return string(out)
}
