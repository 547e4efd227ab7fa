// Package tokenizerjson reads and writes HuggingFace tokenizer.json files
// and encodes with them, giving the same ids as HF tokenizers.
//
// A tokenizer.json describes a pipeline, and a [Tokenizer] runs it:
//
//		text → added tokens → normalizer → pre-tokenizer → model → post-processor
//		ids → tokens → decoder → text
//
//	  - Added tokens ("added_tokens") are matched first, leftmost-longest, on
//	    the raw text (normalized:false) or on the normalized text
//	    (normalized:true), with single_word, lstrip and rstrip. As in HF they
//	    are matched whatever add_special_tokens says.
//	  - The normalizer is a [normalize.Normalizer] (package normalize).
//	  - The pre-tokenizer splits with package pretokenize (ByteLevel, Split,
//	    Whitespace, WhitespaceSplit, Metaspace, Punctuation, Digits,
//	    BertPreTokenizer, CharDelimiterSplit, Sequence).
//	  - The model is a [Model]. BPE is built in (on [bpe.Model]); other
//	    families register theirs with [RegisterModel].
//	  - Post-processors (TemplateProcessing, BertProcessing,
//	    RobertaProcessing, ByteLevel, Sequence) add special tokens, only when
//	    [EncodeOptions].AddSpecialTokens asks for them.
//	  - Decoders (ByteLevel, Metaspace, ByteFallback, Fuse, Strip, Replace,
//	    WordPiece, BPEDecoder, CTC, Sequence) turn tokens back into text.
//	    Byte-level vocabularies decode to the exact bytes, invalid UTF-8
//	    included.
//
// [Load] and [Open] read a file; importing the package registers the
// format with [tok.RegisterFormat], so tok.Open("x/tokenizer.json") works.
// [WriteBPE] writes a byte-level BPE vocabulary (from the bpe trainer) as a
// tokenizer.json that HF loads.
package tokenizerjson
