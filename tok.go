// Package tok holds what every tokenizer family in this module has in
// common: the [Tokenizer] interface that bpe, wordpiece and sentencepiece
// implement, and [Open], the loader that recognises a vocabulary file by its
// name and content and hands it to the family that reads it.
//
// The data flow of every tokenizer is the same:
//
//	text → normalize → pre-tokenize → model → ids
//
// and decoding is its inverse: ids → token bytes → decoder → text.
//
// Families register their file formats with [RegisterFormat] from an init
// function, as image/png does for image.Decode. A program that wants every
// format imports them for their side effects; cmd/tok does.
package tok

// Tokenizer turns text into token ids and back.
//
// Implementations are safe for concurrent use by multiple goroutines unless
// their documentation says otherwise; encoding state lives in the caller's
// buffers, not in the Tokenizer.
type Tokenizer interface {
	// AppendEncode appends the ids of text to dst and returns the extended
	// slice. Special-token strings in text are handled as the format's
	// reference tool does by default (see the implementation's doc).
	AppendEncode(dst []uint32, text []byte) []uint32

	// AppendDecode appends the bytes of ids to dst. For a tokenizer that
	// covers every byte string, AppendDecode(nil, AppendEncode(nil, x))
	// equals x. An id outside the vocabulary is an error.
	AppendDecode(dst []byte, ids []uint32) ([]byte, error)

	// VocabSize is one more than the largest id the tokenizer can produce.
	VocabSize() int

	// TokenToID returns the id of a token, written as it appears in the
	// vocabulary file, and whether it exists.
	TokenToID(token string) (uint32, bool)

	// IDToToken returns the token of an id, written as it appears in the
	// vocabulary file, and whether the id exists.
	IDToToken(id uint32) (string, bool)

	// SpecialTokens lists the special (added, control) tokens, in id order.
	SpecialTokens() []SpecialToken
}

// SpecialToken is a token that is matched whole in the text before the
// model runs (for example <|endoftext|>, [CLS], <s>).
type SpecialToken struct {
	Content string
	ID      uint32
}

// EncodeString is AppendEncode for a string into a fresh slice.
func EncodeString(t Tokenizer, s string) []uint32 {
	return t.AppendEncode(nil, []byte(s))
}

// DecodeString decodes ids into a string.
func DecodeString(t Tokenizer, ids []uint32) (string, error) {
	b, err := t.AppendDecode(nil, ids)
	return string(b), err
}
