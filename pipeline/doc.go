// Package pipeline encodes corpora into training shards and reads them
// back.
//
// [Encode] reads documents from package corpora, encodes them with a
// [tok.Tokenizer] on a pool of workers and writes Apache Arrow IPC stream
// shards in the layout of Hugging Face datasets' save_to_disk (so
// datasets.load_from_disk opens the result): per split a directory of
// data-XXXXX-of-NNNNN.arrow files with state.json and dataset_info.json, a
// dataset_dict.json, and tok_manifest.json with the tokenizer and corpus
// identities, counts and per-shard checksums. Each shard has an input_ids
// column (list<int32>) and a num_bytes column (int64, the document's UTF-8
// length, for bits per byte).
//
// The stages are:
//
//	inputs → corpora.Pieces → Partition (this rank's share)
//	→ R readers (input r, r+R, ...; jobs in order), read by the workers,
//	each filling a job under a reader's lock and encoding it (AppendEncode)
//	→ writer (input by input, in reading order) → shards per split
//	(internal/directfile) → rank.json
//	→ Finalize → data-XXXXX-of-NNNNN.arrow, state.json, tok_manifest.json
//
// A job is a [corpora.Batch] of about 512 KiB of text (less for the first
// and last jobs, so that all workers start and end together) that a worker
// reads and decompresses into in place (JSON text fields are unescaped
// where they lie) and then encodes, so a document's text is never copied
// between reading, encoding and writing, and the worker finds it in its
// cache; each reader's jobs cycle through its own free list, and buffers
// for long documents come from pools of huge pages that the jobs share.
// Large uncompressed files of lines and large Parquet files are read as
// pieces ([Config.PieceBytes]; a Parquet file by row group), so that one
// file can feed several readers and ranks. The writer hashes each input's documents for its identity and
// each shard's bytes for the manifest (XXH3-128, see [VerifyShard]), and
// writes shards with O_DIRECT where the filesystem allows, syncing as it
// goes. scripts/bench-pipeline.sh compares the whole with the tokenizer
// alone.
//
// Output is deterministic: the writer consumes documents in reading order,
// a shard closes at a token count, and the train/validation choice
// ([SplitOf]) hashes the document text, so shards are byte-identical for
// any number of workers, readers or pieces. A run is resumable: every
// finished shard is synced, renamed into place and recorded in rank.json
// before the next one starts, and a run started again skips the documents
// up to the position (input, index) of the last one in a finished shard.
//
// Work splits across machines by rank ([Partition]): each of W processes
// (Slurm array tasks, Kubernetes Indexed Job pods) encodes a contiguous
// share of the inputs (pieces of large files count as inputs) into its own
// directory with a completion marker, and [Finalize] checks that all
// finished and writes the dataset-level files.
//
// [OpenDataset] reads a finished dataset for training: random access to
// token windows across shards, reading straight from the files (no
// decoding) when shards are uncompressed. [Dataset.Export] writes a split
// in the flat formats other trainers read: nanoGPT .bin, llm.c .bin and
// Megatron .bin/.idx.
//
// Bad input (invalid UTF-8, a bad JSON line, a truncated stream, an empty
// file, an oversized document, a Parquet file without the text column) is a
// *tok.FormatError naming the file and line or offset. It stops the run with
// every finished shard kept, and a run started again with SkipBad resumes
// and counts the skipped records in the manifest. A directory written by
// another tokenizer or with other settings is refused.
//
// All Arrow and Parquet code lives in internal/arrowio.
package pipeline
