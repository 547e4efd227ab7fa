package corpora

import (
	"fmt"
	"strings"
)

// Split says how a plain-text input is cut into documents.
type Split int

const (
	// SplitLines makes every non-empty line a document (the line ending is
	// not part of the text).
	SplitLines Split = iota
	// SplitParagraphs makes every run of non-blank lines a document; blank
	// lines (empty or only spaces, tabs and carriage returns) separate
	// documents. The text keeps the inner newlines but not the last one.
	SplitParagraphs
	// SplitFiles makes every input file one document.
	SplitFiles
)

var splitNames = [...]string{"line", "paragraph", "file"}

func (s Split) String() string {
	if s >= 0 && int(s) < len(splitNames) {
		return splitNames[s]
	}
	return fmt.Sprintf("Split(%d)", int(s))
}

// ParseSplit parses the names String returns ("line", "paragraph",
// "file"); plurals are accepted too.
func ParseSplit(s string) (Split, error) {
	t := strings.TrimSuffix(strings.ToLower(s), "s")
	for i, n := range splitNames {
		if t == n {
			return Split(i), nil
		}
	}
	return 0, fmt.Errorf("corpora: unknown split %q (want line, paragraph or file)", s)
}

// Format is the record format of an input.
type Format int

const (
	// FormatAuto chooses by file name: *.jsonl and *.ndjson (optionally
	// followed by .gz or .zst) are JSON Lines, *.parquet is Parquet, the rest
	// is plain text. Standard input is JSON Lines when its first line is a
	// JSON object, plain text otherwise.
	FormatAuto Format = iota
	// FormatText is plain text split by Options.Split.
	FormatText
	// FormatJSONL is one JSON object per line; the document is the string
	// field Options.TextField.
	FormatJSONL
	// FormatParquet is a Parquet file whose column Options.TextField holds
	// the documents.
	FormatParquet
)

var formatNames = [...]string{"auto", "text", "jsonl", "parquet"}

func (f Format) String() string {
	if f >= 0 && int(f) < len(formatNames) {
		return formatNames[f]
	}
	return fmt.Sprintf("Format(%d)", int(f))
}

// ParseFormat parses the names String returns.
func ParseFormat(s string) (Format, error) {
	t := strings.ToLower(s)
	if t == "txt" {
		t = "text"
	}
	if t == "json" || t == "ndjson" {
		t = "jsonl"
	}
	for i, n := range formatNames {
		if t == n {
			return Format(i), nil
		}
	}
	return 0, fmt.Errorf("corpora: unknown format %q (want auto, text, jsonl or parquet)", s)
}

// Options controls how inputs are read. The zero value is not useful;
// start from DefaultOptions.
type Options struct {
	// Format of the inputs; default FormatAuto.
	Format Format
	// Split for plain text; default SplitLines.
	Split Split
	// TextField is the JSON Lines field or Parquet column holding the text;
	// default "text".
	TextField string
	// MaxDocBytes bounds one document; a longer one is an error (or a
	// skipped record with SkipBad) and is never held in memory whole.
	// Default 64 MiB.
	MaxDocBytes int
	// SkipBad skips bad records (invalid UTF-8, a bad JSON line, an
	// oversized document, an empty or truncated file) and counts them
	// instead of failing. Default false.
	SkipBad bool
	// AllowInvalidUTF8 passes text that is not valid UTF-8 through instead
	// of treating it as a bad record (for byte-level tokenizers). Default
	// false.
	AllowInvalidUTF8 bool
	// DecodeConcurrency above 1 decompresses zstd inputs on goroutines of
	// their own, ahead of the reader (klauspost/compress's asynchronous
	// stream decoder), which raises reading throughput when several
	// goroutines take turns reading (the pipeline sets 2 or 4). Default
	// 0: the goroutine calling Read or ReadBatch alone.
	// The documents do not depend on it.
	DecodeConcurrency int
}

// DefaultOptions returns the documented defaults.
func DefaultOptions() Options {
	return Options{
		Format:      FormatAuto,
		Split:       SplitLines,
		TextField:   "text",
		MaxDocBytes: 64 << 20,
	}
}

func (o *Options) fill() {
	if o.TextField == "" {
		o.TextField = "text"
	}
	if o.MaxDocBytes <= 0 {
		o.MaxDocBytes = 64 << 20
	}
}
