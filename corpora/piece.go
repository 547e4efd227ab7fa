package corpora

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
)

// Pieces splits each input larger than pieceBytes that can be split into
// pieces of pieceBytes bytes (the last one shorter), so that one large file
// can be read by several readers and ranks at once. Each piece is an Input
// with the file's Path and its byte range [Start, End). The pieces depend
// only on the file's size and pieceBytes, and together they hold the
// file's documents in order, each exactly once:
//
//   - A file read a document per line (uncompressed JSON Lines, or plain
//     text with SplitLines): a piece's documents are the lines that start
//     within its range. Document.Source is Input.Name ("path@start"), and
//     Document.Index and Line count from the piece's first line.
//   - A Parquet file: a piece's documents are the rows of the row groups
//     that start within its range (a row group starts at its first page,
//     see arrowio.RowGroupStarts), so a piece may hold no row group and
//     then has no document. Document.Source is Input.Name too, but
//     Document.Index stays the row number in the whole file, as when the
//     file is read whole.
//
// Other inputs (compressed, paragraphs or whole files as documents,
// standard input, a Parquet file without its magic bytes at both ends) are
// returned as they are, as are all inputs when pieceBytes <= 0.
func Pieces(inputs []Input, pieceBytes int64, opts Options) ([]Input, error) {
	if pieceBytes <= 0 {
		return inputs, nil
	}
	var out []Input
	for _, in := range inputs {
		ok, err := splittable(in, opts)
		if err != nil {
			return nil, err
		}
		if !ok || in.Size <= pieceBytes {
			out = append(out, in)
			continue
		}
		for start := int64(0); start < in.Size; start += pieceBytes {
			p := in
			p.Start, p.End = start, min(start+pieceBytes, in.Size)
			p.Size = p.End - p.Start
			out = append(out, p)
		}
	}
	return out, nil
}

// splittable reports whether in is an uncompressed file of lines or a
// Parquet file.
func splittable(in Input, opts Options) (bool, error) {
	if in.Path == Stdin || in.End > 0 {
		return false, nil
	}
	format := in.Format
	if format == FormatAuto {
		format = detectFormat(in.Path, nil, opts.TextField)
	}
	parquet := format == FormatParquet
	if !parquet && format != FormatJSONL && !(format == FormatText && in.Split == SplitLines) {
		return false, nil
	}
	f, err := os.Open(in.Path)
	if err != nil {
		return false, fmt.Errorf("corpora: %w", err)
	}
	defer f.Close()
	var magic [4]byte
	n, err := io.ReadFull(f, magic[:])
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return false, fmt.Errorf("corpora: %s: %w", in.Path, err)
	}
	if parquet {
		// A file without the magic at both ends (truncated, compressed)
		// is left whole: reading it gives one error, not one a piece.
		var tail [4]byte
		if n < 4 || string(magic[:]) != parquetMagic || in.Size < 12 {
			return false, nil
		}
		if _, err := f.ReadAt(tail[:], in.Size-4); err != nil && err != io.EOF {
			return false, fmt.Errorf("corpora: %s: %w", in.Path, err)
		}
		return string(tail[:]) == parquetMagic, nil
	}
	return DetectCompression(magic[:n]) == None, nil
}

// parquetMagic begins and ends a Parquet file.
const parquetMagic = "PAR1"

// isParquetPiece reports whether in is a piece of a Parquet file.
func isParquetPiece(in Input) bool {
	if in.End <= 0 || in.Path == Stdin {
		return false
	}
	return in.Format == FormatParquet || in.Format == FormatAuto && detectFormat(in.Path, nil, "") == FormatParquet
}

// Name names the input in errors and document sources: its path, and for a
// piece of a file also the byte where the piece starts ("big.jsonl@1073741824").
// Line numbers in a piece count from its first line.
func (in Input) Name() string {
	if in.End > 0 {
		return fmt.Sprintf("%s@%d", in.Path, in.Start)
	}
	return in.Path
}

// errEmptyPiece: no line starts within a piece (one line spans it), so it
// has no document.
var errEmptyPiece = errors.New("corpora: no line starts in the piece")

// openPiece returns a reader of the lines of f that start in the piece in,
// and the offset of the first of them.
func openPiece(f *os.File, in Input) (io.Reader, int64, error) {
	if in.Start < 0 || in.End <= in.Start {
		return nil, 0, fmt.Errorf("corpora: %s: bad byte range [%d, %d)", in.Path, in.Start, in.End)
	}
	r, first, err := LineRange(f, in.Start, in.End)
	if err != nil {
		return nil, 0, fmt.Errorf("corpora: %s: %w", in.Path, err)
	}
	return r, first, nil
}

// LineRange returns a reader of the lines of r that start at a byte offset
// in [start, end), each whole with its newline, and the offset where the
// first of them starts (end or more when none does: the reader is then
// empty). The ranges [0, a), [a, b), ..., [z, size) of a file together
// give every line exactly once: several processes can each read one.
func LineRange(r io.ReaderAt, start, end int64) (io.Reader, int64, error) {
	first := max(start, 0)
	if first > 0 {
		// A line starts at first when the byte before it ends a line.
		pos := first - 1
		buf := make([]byte, 64<<10)
		for {
			if pos >= end {
				return eofReader{}, pos, nil // no line starts before end
			}
			n, err := r.ReadAt(buf, pos)
			if i := bytes.IndexByte(buf[:n], '\n'); i >= 0 {
				first = pos + int64(i) + 1
				break
			}
			pos += int64(n)
			if err == io.EOF {
				return eofReader{}, pos, nil
			}
			if err != nil {
				return nil, 0, err
			}
		}
	}
	if first >= end {
		return eofReader{}, first, nil
	}
	return &lineRangeReader{r: io.NewSectionReader(r, first, 1<<62), pos: first, end: end}, first, nil
}

type eofReader struct{}

func (eofReader) Read([]byte) (int, error) { return 0, io.EOF }

// lineRangeReader reads from pos, a line start, to the end of the last
// line that starts before end: through the first newline at or after
// end-1.
type lineRangeReader struct {
	r        io.Reader
	pos, end int64
	done     bool
}

func (l *lineRangeReader) Read(p []byte) (int, error) {
	if l.done {
		return 0, io.EOF
	}
	n, err := l.r.Read(p)
	if k := l.end - 1 - l.pos; k < int64(n) {
		if i := bytes.IndexByte(p[max(k, 0):n], '\n'); i >= 0 {
			n = int(max(k, 0)) + i + 1
			l.done, err = true, nil
		}
	}
	l.pos += int64(n)
	return n, err
}
