// Package tokenizerjson reads and writes HuggingFace tokenizer.json files
// and encodes with them, giving the same ids as HF tokenizers (npm
// tokenizers 0.23.2, its Rust core; see the parity tests).
//
// A tokenizer.json describes a pipeline, and a [Tokenizer] runs it:
//
//	text → added tokens → normalizer → pre-tokenizer → model → post-processor
//	ids → tokens → decoder → text
//
// The stages:
//
//   - Added tokens ("added_tokens") are matched first, leftmost-longest, on
//     the raw text (normalized:false) or on the normalized text
//     (normalized:true), with single_word, lstrip and rstrip. As in HF they
//     are matched whatever add_special_tokens says, and their ids are the
//     ones HF gives them (the model's id for a token already in the
//     vocabulary, the next free id otherwise), not the ids written in the
//     file.
//   - The normalizer is a normalize.Normalizer (package normalize). Other
//     packages add normalizer types with [RegisterNormalizer].
//   - The pre-tokenizer splits with package pretokenize: ByteLevel, Split,
//     Whitespace, WhitespaceSplit, Metaspace, Punctuation, Digits,
//     BertPreTokenizer, CharDelimiterSplit, UnicodeScripts, Sequence.
//     Under a final ByteLevel the model receives raw bytes when it can
//     ([ByteLevelModel]), GPT-2's byte alphabet otherwise.
//   - The model is a [Model]: BPE (on bpe.Model) and WordLevel are built
//     in; other families register theirs with [RegisterModel].
//   - Post-processors (TemplateProcessing, BertProcessing,
//     RobertaProcessing, ByteLevel, Sequence) add special tokens, only when
//     [EncodeOptions].AddSpecialTokens asks for them; truncation and
//     padding (the file's or [EncodeOptions]') apply in [Tokenizer.Encode].
//   - Decoders (ByteLevel, Metaspace, ByteFallback, Fuse, Strip, Replace,
//     WordPiece, BPEDecoder, CTC, Sequence) turn tokens back into text.
//     Byte-level vocabularies decode to the exact bytes, invalid UTF-8
//     included (HF would substitute U+FFFD).
//
// [Tokenizer.AppendEncode] is the fast path (ids only, no special tokens
// added, no truncation); [Tokenizer.Encode] gives an [Encoding] with byte
// offsets into the input, type ids, the special-tokens and attention
// masks.
//
// AppendEncode keeps no alignment, and SentencePiece-style files take
// shortcuts there: a Metaspace pre-tokenizer (alone or after
// WhitespaceSplit) rewrites and splits the text in one pass; the
// Precompiled normalizer looks characters that are grapheme clusters
// alone up in a table; the Replace regexes the converters write
// (` {2,}`, `\A +|[ ▁]+\z`) are hand-written matchers; a BPE model
// without pre-tokenizer (Llama 2, Mistral) gets a line cut into ▁-words
// when its merges cannot join across the cut; and the pieces' ids are
// cached per goroutine. Encode takes the first three with alignment. The
// fuzz tests in fastpath_test.go hold each shortcut to the general path.
//
// Performance notes (AppendEncode, one core, line by line, the machine
// shared: scripts/bench-tokjson.sh, which also runs HF's tokenizers and
// package sentencepiece on the .model). ALBERT converted with `tok
// convert`: 4.0 → 36–38 MB/s on English (package sentencepiece 22–35),
// 5.2 → 36 MB/s on eight other languages (sentencepiece 55); Llama 2
// converted: 9.3 → 51 MB/s on English (sentencepiece 40), 32 on 8 MB of
// en-large (sentencepiece 23); HF's Rust core through its Node binding
// runs 1–2 MB/s on all of them. Before, the time was in the general
// path's per-byte alignment slices (Metaspace), the regex engine
// (Replace), uniseg for every character (Precompiled) and whole-line BPE
// merges (Llama 2). Left: on words the cache does not hold (long CJK
// runs, rare words), about a third of the time is the Unigram Viterbi
// search or the BPE merges (packages sentencepiece and bpe) and a fifth
// the cache's map. Encode (offsets): 2 → 3–4 MB/s, most of the rest
// allocation. Rejected: a cache of 65536 pieces instead of 16384 (within noise
// on 8 MB of English); cutting BPE lines into words on the Encode path
// too (the offsets of unknown tokens would change).
//
// [Open], [Load] and [Parse] read a file; malformed input gives a
// *tok.FormatError with the line and column, or the JSON path of the bad
// component. Importing the package registers the format with
// tok.RegisterFormat, so tok.Open("x/tokenizer.json") works.
// [WriteBPE] writes a byte-level BPE vocabulary (from the bpe trainer) as a
// tokenizer.json that HF loads; [WriteSentencePiece] (with
// [WriteSentencePieceBPE] and [WriteUnigram]) converts a SentencePiece
// .model into HF's layout for it; [Tokenizer.WriteTo] writes a loaded file
// back.
//
// A Tokenizer is safe for concurrent use by multiple goroutines.
package tokenizerjson
