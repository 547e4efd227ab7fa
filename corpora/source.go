package corpora

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sync/atomic"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"github.com/toklabs/tok"
)

// Compression is how an input's bytes are compressed, detected by content.
type Compression int

const (
	None Compression = iota
	Gzip
	Zstd
)

func (c Compression) String() string {
	switch c {
	case Gzip:
		return "gzip"
	case Zstd:
		return "zstd"
	}
	return "none"
}

var (
	gzipMagic = []byte{0x1f, 0x8b}
	zstdMagic = []byte{0x28, 0xb5, 0x2f, 0xfd}
)

// DetectCompression reports the compression of a stream from its first
// bytes.
func DetectCompression(head []byte) Compression {
	switch {
	case bytes.HasPrefix(head, zstdMagic):
		return Zstd
	case bytes.HasPrefix(head, gzipMagic):
		return Gzip
	}
	return None
}

const readBufSize = 1 << 20

// source is an opened input: the decompressed bytes behind a bufio.Reader,
// with counters for error offsets.
type source struct {
	name string
	file *os.File // nil for stdin
	raw  *countingReader
	comp Compression
	br   *bufio.Reader
	// unbuffered is what br reads: ReadBatch reads from it straight into
	// the batch once br holds nothing more.
	unbuffered io.Reader
	off        int64 // decompressed bytes consumed by the record reader
	atEOF      bool
}

// countingReader counts the bytes read from an input. Atomic: with
// Options.DecodeConcurrency a zstd decoder's goroutine reads ahead while
// the caller asks how far reading is (Corpus.BytesRead).
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// readers holds the buffered readers that a Corpus reuses from one input
// to the next, so many small files do not each allocate a megabyte.
type readers struct {
	head, br *bufio.Reader
	zr       *zstd.Decoder // reset for each zstd input
	decoders int           // Options.DecodeConcurrency
}

func openSource(in Input, stdin io.Reader, rs *readers) (*source, error) {
	path := in.Path
	s := &source{name: in.Name()}
	var r io.Reader
	if path == Stdin {
		r = stdin
	} else {
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("corpora: %w", err)
		}
		s.file = f
		r = f
		if in.End > 0 && !isParquetPiece(in) { // Parquet: openParquet reads the range
			if r, s.off, err = openPiece(f, in); err != nil {
				f.Close()
				return nil, err
			}
		}
	}
	s.raw = &countingReader{r: r}
	if rs.head == nil {
		rs.head = bufio.NewReaderSize(s.raw, 64<<10)
		rs.br = bufio.NewReaderSize(nil, readBufSize)
	}
	head := rs.head
	head.Reset(s.raw)
	magic, _ := head.Peek(4)
	s.comp = DetectCompression(magic)
	if in.End > 0 && s.comp != None {
		s.close()
		return nil, &tok.FormatError{File: path, Offset: in.Start, Msg: "a byte range of a compressed file cannot be read"}
	}
	var dec io.Reader = head
	switch s.comp {
	case Gzip:
		zr, err := gzip.NewReader(head)
		if err != nil {
			s.close()
			return nil, &tok.FormatError{File: path, Offset: 0, Msg: "bad gzip header", Err: err}
		}
		dec = zr
	case Zstd:
		if rs.zr == nil {
			zr, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(max(1, rs.decoders)), zstd.WithDecoderMaxWindow(1<<30))
			if err != nil {
				s.close()
				return nil, fmt.Errorf("corpora: %s: %w", path, err)
			}
			rs.zr = zr
		}
		if err := rs.zr.Reset(head); err != nil {
			s.close()
			return nil, &tok.FormatError{File: path, Offset: 0, Msg: "bad zstd stream", Err: err}
		}
		dec = rs.zr
	}
	s.unbuffered = &errWrap{s: s, r: dec}
	s.br = rs.br
	s.br.Reset(s.unbuffered)
	return s, nil
}

// errWrap turns decompression errors into FormatErrors naming the file and
// the compressed offset.
type errWrap struct {
	s *source
	r io.Reader
}

func (e *errWrap) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err != nil && err != io.EOF {
		if _, ok := err.(*tok.FormatError); !ok {
			msg := "read error"
			if e.s.comp != None {
				msg = fmt.Sprintf("truncated or corrupt %s stream", e.s.comp)
			}
			err = &tok.FormatError{File: e.s.name, Offset: e.s.raw.n.Load(), Msg: msg, Err: err}
		}
	}
	return n, err
}

// empty reports whether the decompressed content has no bytes.
func (s *source) empty() bool {
	_, err := s.br.Peek(1)
	return err == io.EOF
}

// looksJSONL reports whether the first line is a JSON object with field.
func (s *source) looksJSONL(field string) bool {
	head, _ := s.br.Peek(64 << 10)
	head = bytes.TrimLeft(head, " \t\r\n")
	if len(head) == 0 || head[0] != '{' {
		return false
	}
	if i := bytes.IndexByte(head, '\n'); i >= 0 {
		head = head[:i]
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(head, &m) != nil {
		return false
	}
	_, ok := m[field]
	return ok
}

func (s *source) close() error {
	if s.file != nil {
		err := s.file.Close()
		s.file = nil
		return err
	}
	return nil
}
