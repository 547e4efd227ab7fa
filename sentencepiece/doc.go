// Package sentencepiece implements SentencePiece-style tokenizers (Kudo &
// Richardson 2018): the input is a raw character stream in which
// whitespace is an ordinary symbol (▁), segmented by a Unigram language
// model (Kudo 2018) or by BPE whose merge order is given by piece scores.
// Ids are identical to SentencePiece's (see the golden tests).
//
// Encoding stages:
//
//   - [Normalizer]: the model's normalization rules ([CharsMap], the
//     precompiled_charsmap of a .model file; [BuildCharsMap] and
//     [NormalizationRule] make them), then whitespace handling (dummy
//     prefix, collapsing, escaping as ▁), with byte alignments back to the
//     input.
//   - [Model]: Viterbi over the lattice of matching pieces (Unigram) or
//     score-ordered merges (BPE, word by word with a cache when the
//     vocabulary allows it), unknown characters as the unknown piece or as
//     <0xNN> byte pieces (byte fallback). [Model] implements tok.Tokenizer
//     and is registered with tok.Open for .model files.
//   - [Sampler] and [Model.NBest]: subword regularization (lattice or
//     n-best sampling, BPE-dropout) and n-best segmentations.
//   - [Load], [Parse], [Model.Save], [Model.SaveVocab]: SentencePiece .model
//     files (the ModelProto protobuf, read and written with
//     google.golang.org/protobuf) and the readable .vocab.
//   - [HFUnigram]: the Unigram model as HuggingFace tokenizers runs it, for
//     tokenizer.json files (package tokenizerjson).
//
// Encoding speed comes from a few fast paths, each with a naive reference
// it is fuzzed against: Normalize copies runs of characters the charsmap
// leaves alone (an ASCII table and a BMP bitset built at load;
// normalizeNaive looks every character up), Viterbi and BPE look pieces
// up in a double-array trie (segmentUnigramNaive uses the vocabulary
// map), BPE caches the segmentation of each ▁-word in a lock-free table,
// and scratch buffers are pooled so encoding does not allocate.
// BenchmarkModel_AppendEncode and scripts/bench-spm.sh (side by side with
// spm_encode) measure it.
//
// Training ([TrainConfig], [CountWords], [TrainFromCounts], [Train]):
//
//	corpus lines → normalize → count ▁-words (streaming, parallel; or a
//	reservoir sample; or merged counts files) → character coverage →
//	Unigram: seeds from a suffix array over the distinct words weighted by
//	their counts → EM (Bayesian M-step) and pruning by likelihood loss
//	BPE: most frequent valid pair merged, score −(merge order)
//	→ .model (+ .vocab, tokenizer.json)
//
// Memory is bounded by the distinct words, not the corpus: SentencePiece
// keeps every sentence and a suffix array over all of them (about 20 bytes
// per corpus character). Results do not depend on the number of workers.
package sentencepiece
