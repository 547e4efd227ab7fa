package sentencepiece

import (
	"bytes"
	"fmt"
)

// AppendDecode implements tok.Tokenizer: pieces are concatenated with ▁
// written as a space, the dummy-prefix space of the first piece dropped,
// byte pieces written as their raw bytes, control pieces dropped and the
// unknown piece written as the model's unk_surface (" ⁇ "). Unlike
// SentencePiece, bytes that do not form valid UTF-8 are kept as they are
// rather than replaced with U+FFFD, so byte-fallback encodings round-trip.
func (m *Model) AppendDecode(dst []byte, ids []uint32) ([]byte, error) {
	start := len(dst)
	first := true
	for _, id := range ids {
		if int(id) >= len(m.pieces) {
			return dst, fmt.Errorf("sentencepiece: id %d outside vocabulary of %d", id, len(m.pieces))
		}
		p := &m.pieces[id]
		switch p.Type {
		case Control:
			continue
		case Unknown:
			dst = append(dst, m.unkSurfac...)
			first = false
			continue
		case Byte:
			var b byte
			fmt.Sscanf(p.Text, "<0x%02X>", &b)
			dst = append(dst, b)
			first = false
			continue
		}
		text := p.Text
		if first && m.norm.AddDummyPrefix && !m.norm.TreatWhitespaceAsSuffix && len(dst) == start {
			if t, ok := bytes.CutPrefix([]byte(text), []byte(spaceSymbol)); ok {
				text = string(t)
			}
		}
		first = false
		dst = appendUnescaped(dst, text)
	}
	if m.norm.AddDummyPrefix && m.norm.TreatWhitespaceAsSuffix && bytes.HasSuffix(dst[start:], []byte(" ")) {
		dst = dst[:len(dst)-1]
	}
	return dst, nil
}

func appendUnescaped(dst []byte, s string) []byte {
	for len(s) > 0 {
		i := indexString(s, spaceSymbol)
		if i < 0 {
			return append(dst, s...)
		}
		dst = append(dst, s[:i]...)
		dst = append(dst, ' ')
		s = s[i+len(spaceSymbol):]
	}
	return dst
}

func indexString(s, sub string) int {
	return bytes.Index([]byte(s), []byte(sub))
}
