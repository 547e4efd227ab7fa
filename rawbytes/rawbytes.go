// Package rawbytes is the byte-level baseline tokenizer: every byte is its
// own token, id = byte value, vocabulary 256. It needs no vocabulary file
// and is lossless on every byte string, so it is the yardstick that
// learned tokenizers are compared with.
package rawbytes

import (
	"fmt"
	"strconv"

	"github.com/toklabs/tok"
)

// Tokenizer is the raw-byte tokenizer. The zero value is ready to use and
// safe for concurrent use.
type Tokenizer struct{}

var _ tok.Tokenizer = Tokenizer{}

// AppendEncode appends one id per byte of text.
func (Tokenizer) AppendEncode(dst []uint32, text []byte) []uint32 {
	for _, b := range text {
		dst = append(dst, uint32(b))
	}
	return dst
}

// AppendDecode appends the byte of each id; ids above 255 are an error.
func (Tokenizer) AppendDecode(dst []byte, ids []uint32) ([]byte, error) {
	for i, id := range ids {
		if id > 255 {
			return dst, fmt.Errorf("rawbytes: id %d at position %d is outside the vocabulary of 256", id, i)
		}
		dst = append(dst, byte(id))
	}
	return dst, nil
}

// VocabSize is 256.
func (Tokenizer) VocabSize() int { return 256 }

// TokenToID parses the token names IDToToken gives: "<0xNN>".
func (Tokenizer) TokenToID(token string) (uint32, bool) {
	if len(token) != 6 || token[:3] != "<0x" || token[5] != '>' {
		return 0, false
	}
	v, err := strconv.ParseUint(token[3:5], 16, 8)
	if err != nil {
		return 0, false
	}
	return uint32(v), true
}

// IDToToken names byte b "<0xNN>" with two upper-case hex digits, as
// SentencePiece names its byte-fallback pieces.
func (Tokenizer) IDToToken(id uint32) (string, bool) {
	if id > 255 {
		return "", false
	}
	return fmt.Sprintf("<0x%02X>", id), true
}

// SpecialTokens returns nil: the byte tokenizer has none.
func (Tokenizer) SpecialTokens() []tok.SpecialToken { return nil }
