// Package lmeval compares tokenizers by what a model learns from them:
// it trains the built-in transformer (package model) on the same training
// text under each tokenizer and scores each model on the same held-out raw
// text in bits per byte, which, unlike per-token perplexity, is comparable
// across vocabularies. Intrinsic measures (package metrics) sit beside it.
//
// The protocol follows ../shared/reference/pipeline-model.md §5: the same
// documents and the same number of training bytes for every tokenizer, the
// same non-embedding model shape, context matched in bytes on request,
// several seeds with mean and spread, and a flag on lossy tokenizers whose
// BPB is optimistic. Results are written as a terminal table, report.md,
// results.json, results.csv and charts in PNG and SVG.
package lmeval
