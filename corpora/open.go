package corpora

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/toklabs/tok"
)

// Stdin is the spec and Source name of standard input.
const Stdin = "-"

// ErrNoInput is returned when the specs name no file.
var ErrNoInput = errors.New("corpora: no input files")

// Input is one file of a corpus with how to read it.
type Input struct {
	Path   string // file path, or Stdin
	Format Format // FormatAuto is resolved by Open from the name and content
	Split  Split  // for plain text
	Size   int64  // size on disk (of the piece), -1 for stdin
	// A piece of a file (see Pieces): the documents are the lines, or
	// the Parquet row groups, that start at a byte in [Start, End). End
	// 0: the whole file.
	Start, End int64
}

// Expand turns specs (files, directories, globs, or "-" for standard input)
// into the list of input files, in the order of the specs; a directory
// contributes its regular files recursively and a glob its matches, both in
// lexical order, skipping names that start with a dot. Each Input takes its
// Format and Split from opts.
func Expand(specs []string, opts Options) ([]Input, error) {
	var out []Input
	for _, spec := range specs {
		if spec == Stdin {
			out = append(out, Input{Path: Stdin, Format: opts.Format, Split: opts.Split, Size: -1})
			continue
		}
		paths, err := expandOne(spec)
		if err != nil {
			return nil, err
		}
		for _, p := range paths {
			fi, err := os.Stat(p)
			if err != nil {
				return nil, err
			}
			out = append(out, Input{Path: p, Format: opts.Format, Split: opts.Split, Size: fi.Size()})
		}
	}
	if len(out) == 0 {
		return nil, ErrNoInput
	}
	return out, nil
}

func expandOne(spec string) ([]string, error) {
	fi, err := os.Stat(spec)
	switch {
	case err == nil && fi.IsDir():
		return walkDir(spec)
	case err == nil:
		return []string{spec}, nil
	case strings.ContainsAny(spec, "*?["):
		matches, gerr := filepath.Glob(spec)
		if gerr != nil {
			return nil, fmt.Errorf("corpora: %s: %w", spec, gerr)
		}
		sort.Strings(matches)
		var out []string
		for _, m := range matches {
			if strings.HasPrefix(filepath.Base(m), ".") {
				continue
			}
			sub, err := expandOne(m)
			if err != nil {
				return nil, err
			}
			out = append(out, sub...)
		}
		if len(out) == 0 {
			return nil, fmt.Errorf("corpora: %s: %w", spec, ErrNoInput)
		}
		return out, nil
	default:
		return nil, fmt.Errorf("corpora: %w", err)
	}
}

func walkDir(dir string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p != dir && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.Type().IsRegular() {
			out = append(out, p)
		} else if d.Type()&fs.ModeSymlink != 0 {
			if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
				out = append(out, p) // a link to a file (directory links are not followed)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("corpora: %w", err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("corpora: %s: %w", dir, ErrNoInput)
	}
	return out, nil
}

// Open expands specs (see Expand) and returns a Corpus that reads their
// documents in order.
func Open(specs []string, opts Options) (*Corpus, error) {
	opts.fill()
	inputs, err := Expand(specs, opts)
	if err != nil {
		return nil, err
	}
	return OpenInputs(inputs, opts), nil
}

// OpenInputs returns a Corpus over already expanded inputs. Files are
// opened one at a time as reading reaches them.
func OpenInputs(inputs []Input, opts Options) *Corpus {
	opts.fill()
	return &Corpus{inputs: inputs, opts: opts, stdin: os.Stdin, readers: readers{decoders: opts.DecodeConcurrency}}
}

var _ Reader = (*Corpus)(nil)

// Corpus reads the documents of a list of inputs, one input after the
// other. It implements Reader and is not safe for concurrent use.
type Corpus struct {
	inputs  []Input
	opts    Options
	stdin   io.Reader
	next    int
	cur     recordReader
	skipped int64
	lastBad error
	// progress
	doneBytes int64
	counted   int
	curSrc    *source
	readers   readers
	// ReadBatch
	lines     *lineInput // the current input when it is read in place
	batchMode bool
	// pending is a record that did not fit in the last batch (ReadBatch);
	// its text stays valid because the input is not read again until it
	// is taken.
	pending    Document
	hasPending bool
}

// SetStdin replaces the reader used for the "-" input (for tests).
func (c *Corpus) SetStdin(r io.Reader) { c.stdin = r }

// Inputs returns the inputs in reading order.
func (c *Corpus) Inputs() []Input { return c.inputs }

// InputIndex returns the index in Inputs of the input that the last
// document came from (-1 before the first).
func (c *Corpus) InputIndex() int { return c.next - 1 }

// BytesRead returns how many bytes of the inputs, as stored (compressed),
// have been read so far: the sizes of finished inputs plus the position in
// the current one. It is meant for progress and ETA.
func (c *Corpus) BytesRead() int64 {
	n := c.doneBytes
	if (c.cur != nil || c.lines != nil) && c.curSrc != nil {
		n += c.curSrc.raw.n.Load()
	}
	return n
}

// Skipped returns how many bad records were skipped so far (only with
// Options.SkipBad).
func (c *Corpus) Skipped() int64 { return c.skipped }

// LastSkipped returns the error of the last skipped record, or nil.
func (c *Corpus) LastSkipped() error { return c.lastBad }

// Read returns the next document, or io.EOF after the last one. Errors
// about the content are *tok.FormatError values naming the file and the
// line or offset.
func (c *Corpus) Read() (Document, error) {
	if c.batchMode {
		return Document{}, errMixedReads
	}
	for {
		if c.cur == nil {
			c.countDone()
			if c.next >= len(c.inputs) {
				return Document{}, io.EOF
			}
			in := c.inputs[c.next]
			c.next++
			rr, err := c.open(in)
			if err == errEmptyPiece {
				continue
			}
			if err != nil {
				var fe *tok.FormatError
				if errors.As(err, &fe) && c.opts.SkipBad {
					c.skipInput(in, err)
					continue
				}
				return Document{}, err
			}
			c.cur = rr
		}
		if doc, ok, err := c.nextRecord(); ok || err != nil {
			return doc, err
		}
	}
}

// nextRecord reads the next record of the current input: ok with a
// document; neither ok nor an error when the input ended (it is closed) or
// a bad record was skipped; or the error.
func (c *Corpus) nextRecord() (doc Document, ok bool, err error) {
	doc, err = c.cur.next()
	if err == nil {
		return doc, true, nil
	}
	if err == io.EOF {
		c.cur.close()
		c.cur = nil
		return Document{}, false, nil
	}
	var be *badRecord
	if errors.As(err, &be) {
		if c.opts.SkipBad {
			c.skip(be.err)
			if be.fatal {
				c.cur.close()
				c.cur = nil
			}
			return Document{}, false, nil
		}
		return Document{}, false, be.err
	}
	return Document{}, false, err
}

// countDone adds the sizes of finished inputs to the progress count.
func (c *Corpus) countDone() {
	for ; c.counted < c.next; c.counted++ {
		if sz := c.inputs[c.counted].Size; sz > 0 {
			c.doneBytes += sz
		}
	}
	c.curSrc = nil
}

func (c *Corpus) skip(err error) {
	c.skipped++
	c.lastBad = err
}

// skipInput skips an input that cannot be opened. Such an error is about
// the whole file (a Parquet file without the text column, say), so only
// the whole file or its first piece counts it: Skipped is the same however
// the file is cut into pieces and the pieces spread over ranks.
func (c *Corpus) skipInput(in Input, err error) {
	if in.Start == 0 {
		c.skipped++
	}
	c.lastBad = err
}

// Close releases the open file, if any, and the decompressor.
func (c *Corpus) Close() error {
	var err error
	if c.cur != nil {
		err = c.cur.close()
		c.cur = nil
	}
	if c.lines != nil {
		err = c.lines.src.close()
		c.lines = nil
	}
	if c.readers.zr != nil {
		c.readers.zr.Close()
		c.readers.zr = nil
	}
	return err
}

// badRecord wraps a content error that SkipBad may skip. fatal means the
// rest of the input cannot be read (a truncated stream).
type badRecord struct {
	err   *tok.FormatError
	fatal bool
}

func (b *badRecord) Error() string { return b.err.Error() }

// recordReader yields the documents of one input.
type recordReader interface {
	next() (Document, error)
	close() error
}

func (c *Corpus) open(in Input) (recordReader, error) {
	src, format, err := c.openInput(in)
	if err != nil {
		return nil, err
	}
	return c.newRecordReader(src, format, in)
}

// openInput opens an input's bytes and resolves its format.
func (c *Corpus) openInput(in Input) (*source, Format, error) {
	src, err := openSource(in, c.stdin, &c.readers)
	if err != nil {
		return nil, 0, err
	}
	format := in.Format
	if format == FormatAuto {
		format = detectFormat(in.Path, src, c.opts.TextField)
	}
	c.curSrc = src
	if src.empty() {
		src.close()
		if in.End > 0 {
			return nil, 0, errEmptyPiece
		}
		return nil, 0, &tok.FormatError{File: in.Path, Offset: 0, Msg: "empty file"}
	}
	return src, format, nil
}

func (c *Corpus) newRecordReader(src *source, format Format, in Input) (recordReader, error) {
	switch format {
	case FormatJSONL:
		return newJSONLReader(src, &c.opts), nil
	case FormatParquet:
		src.close()
		return openParquet(in, &c.opts)
	default:
		return newTextReader(src, in.Split, &c.opts), nil
	}
}

// detectFormat applies FormatAuto's rules.
func detectFormat(path string, src *source, field string) Format {
	name := strings.ToLower(filepath.Base(path))
	for _, ext := range []string{".gz", ".zst", ".zstd"} {
		name = strings.TrimSuffix(name, ext)
	}
	switch {
	case strings.HasSuffix(name, ".jsonl"), strings.HasSuffix(name, ".ndjson"):
		return FormatJSONL
	case strings.HasSuffix(name, ".parquet"):
		return FormatParquet
	case path == Stdin:
		if src.looksJSONL(field) {
			return FormatJSONL
		}
	}
	return FormatText
}
