// Package corpora reads text corpora as a stream of documents: plain text,
// JSON Lines, Parquet, gzip or zstd compressed, directories and globs,
// stdin, and a built-in default corpus that needs no download.
//
// Corpus.Read returns one document at a time; Corpus.ReadBatch fills a
// Batch with many, reading JSON Lines and line-split text in place (no copy
// of the text beyond decompression), for pipelines that hand batches to
// other goroutines.
package corpora

// Document is one unit of text with where it came from, so that errors and
// shards can name it.
type Document struct {
	Source string // file path, "-" for stdin, or a name for built-in text
	Index  int64  // 0-based index of the document within Source (for a piece of a Parquet file: the row in the whole file)
	Line   int64  // 1-based line where the document starts, 0 if not line-based
	Text   []byte // the text; valid until the next call to Read
}

// Reader yields documents in a deterministic order. Read returns io.EOF
// after the last document. A Reader is not safe for concurrent use.
type Reader interface {
	Read() (Document, error)
}
