// Package bpe implements byte-pair-encoding tokenizers: the encoding core
// shared by OpenAI's tiktoken encodings (r50k_base, p50k_base, cl100k_base,
// o200k_base), GPT-2 style vocab.json + merges.txt files and the BPE models
// of HuggingFace tokenizer.json files, plus (in train*.go) a trainer.
//
// The pipeline of a [Tokenizer] is
//
//	text → special tokens → pre-tokenizer (regex) → [Model] (BPE per piece) → ids
//
// A [Model] encodes one pre-token at a time with [Model.AppendEncodePiece].
// It has two constructors with different merge semantics:
//
//   - [NewRankModel] (tiktoken): a table of token bytes → rank, rank = id.
//     The adjacent pair whose concatenation has the lowest rank is merged
//     first; a piece that is itself a token is emitted whole.
//   - [NewMergesModel] (HuggingFace): a vocabulary plus an ordered merges
//     list; the adjacent pair whose merge comes first in the list is merged
//     first. Byte-level or character-level initial symbols, unk_token,
//     fuse_unk, byte_fallback, ignore_merges, continuing_subword_prefix and
//     end_of_word_suffix are options.
//
// Both use the same merge engine: a linear scan for short pieces and a heap
// over a linked list for long ones, so a piece of n symbols costs
// O(n log n) whatever its content (tiktoken is quadratic on a long run of
// one letter, openai/tiktoken#195). [encodeNaive] is the readable
// reference the fast paths are fuzzed against.
//
// Files: .tiktoken rank files ([OpenTiktoken]) and vocab.json + merges.txt
// ([OpenGPT2]) are registered with [tok.RegisterFormat], so [tok.Open]
// reads them. tokenizer.json is read by package tokenizerjson, which maps
// its BPE model onto [NewMergesModel].
package bpe
