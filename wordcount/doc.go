// Package wordcount counts pre-tokens ("words") of a corpus, in parallel and
// streaming: the corpus is read document by document and only the distinct
// words and their 64-bit counts are held in memory. Trainers (bpe,
// wordpiece) start from these counts.
//
// The stages are
//
//	corpora.Reader → batches of documents → [Splitter] per worker → per-batch counts → merge in batch order
//
// Counting is deterministic whatever [Config.Workers] is: batches are cut
// from the document stream at fixed places and merged in their order, so
// even the optional pruning ([Config.MaxWords]) sees the same sequence.
//
// Counts serialise to a versioned, sorted, zstd-compressed file ([WriteFile],
// [ReadFile]; format in file.go) so that counting can be split across
// processes ([Config.Rank], [Config.WorldSize]) and the partial counts merged
// exactly ([Merge], [ReadFiles]).
package wordcount
