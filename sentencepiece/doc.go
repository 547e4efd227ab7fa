// Package sentencepiece implements SentencePiece-style tokenizers (Kudo &
// Richardson 2018): the input is a raw character stream in which
// whitespace is an ordinary symbol (▁), segmented by a Unigram language
// model (Kudo 2018) or by BPE whose merge order is given by piece scores.
//
// The stages are:
//
//   - [Normalizer]: the model's normalization rules ([CharsMap], the
//     precompiled_charsmap of a .model file), then whitespace handling
//     (dummy prefix, collapsing, escaping as ▁), with byte alignments back
//     to the input.
//   - [Model]: Viterbi over the lattice of matching pieces (Unigram) or
//     score-ordered merges (BPE), unknown characters as the unknown piece
//     or as <0xNN> byte pieces (byte fallback).
//   - [Load], [Parse], [Model.Save]: SentencePiece .model files (the
//     ModelProto protobuf), read and written with google.golang.org/protobuf.
//
// Ids are identical to SentencePiece's on the golden texts; see the tests.
package sentencepiece
