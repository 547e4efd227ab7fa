// Package normalize rewrites text before it is split into pre-tokens, as
// the normalizers of HuggingFace tokenizers do: Unicode normalization forms
// ([NFC], [NFD], [NFKC], [NFKD]), [Lowercase], [Strip], [StripAccents],
// [Replace], [Prepend], [Append], [Nmt], [ByteLevel], the BERT cleaner
// ([Bert]) and a [Sequence] of them.
//
// Every [Normalizer] has two entry points. Normalize appends the normalized
// text and nothing else; it is the fast path used when only ids are wanted.
// NormalizeAligned also records, for every output byte, the byte range of
// the input it comes from (a [tok.Span]), so that token offsets can be
// mapped back to the caller's text. An inserted byte (the spaces
// [Bert] puts around CJK characters, a [Prepend] prefix) is aligned with the
// input character it was inserted for.
//
// Text is processed one UTF-8 character at a time. A byte that is not part
// of valid UTF-8 is copied unchanged and aligned with itself, so that a
// byte-level tokenizer still round-trips invalid input.
//
// Normalizers hold no mutable state and are safe for concurrent use.
//
// The SentencePiece "precompiled charsmap" normalizer lives with the
// sentencepiece family; it plugs in by implementing [Normalizer].
package normalize
