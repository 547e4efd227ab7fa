// Package wordpiece implements the WordPiece tokenizer family used by BERT:
// a vocabulary of whole-word pieces and "##"-prefixed continuation pieces,
// encoded greedily longest-match-first, and two trainers that build such a
// vocabulary from word counts.
//
// # Pipeline
//
// The BERT pipeline is
//
//	text → BERT normalizer → BERT pre-tokenizer → WordPiece model → post-processor
//
// The normalizer removes control characters, maps whitespace to spaces, puts
// spaces around CJK ideographs, strips accents and lowercases (the uncased
// models). The pre-tokenizer splits on whitespace and isolates punctuation.
// The model turns each word into pieces; a word that has no segmentation,
// or that is longer than [ModelConfig].MaxInputCharsPerWord characters, becomes
// the unknown token ([UNK]). The post-processor adds [CLS] and [SEP] and the
// type ids. [BERT] runs the whole pipeline with byte offsets into the
// original text.
//
// # Encoding in linear time
//
// [Model] encodes a word with LinMaxMatch, from "Fast WordPiece
// Tokenization" (Song et al., EMNLP 2021): the vocabulary is a trie with
// Aho–Corasick-style failure links and failure pops, so a word of n bytes
// takes O(n) steps, never backtracking. It gives exactly the pieces of the
// plain greedy longest-match-first algorithm of HF tokenizers and of the
// original BERT code, which is kept beside it as [Model.AppendEncodeWordGreedy]
// and fuzzed against it.
//
// # Training
//
// [Trainer] builds a vocabulary from word counts ([NormalizeCounts] turns
// raw pre-token counts into the normalized words it trains on) with one of
// two algorithms. [HF], the default, reproduces HF tokenizers'
// WordPieceTrainer: a BPE trainer over symbols in which every character
// after the first of a word carries the "##" prefix, merging the most
// frequent pair. [Likelihood] is the trainer the WordPiece paper describes:
// it merges the pair whose merge most increases the likelihood of the
// training data, the pair with the highest count(ab) / (count(a)·count(b)).
// HF is the default because it makes the vocabularies HF users expect and
// can be checked against HF itself; Likelihood favours pairs of rare
// symbols (a pair seen once, of symbols seen once, scores 1), so it builds
// rare whole words early.
//
// # Files
//
// [ReadVocabFile] reads vocab.txt (one token per line, the id is the line
// index); [WriteVocab] writes it; [WriteTokenizerJSON] writes an HF
// tokenizer.json with the BERT normalizer, pre-tokenizer, post-processor and
// decoder. Importing the package registers vocab.txt with [tok.Open].
package wordpiece
