package wordcount

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/klauspost/compress/zstd"
	"github.com/toklabs/tok"
)

// The counts file format, version 1. The whole file is one zstd stream;
// decompressed it is
//
//	magic    "tokwc"                        5 bytes
//	version  uvarint                        1
//	meta     uvarint length, JSON object    Meta plus "docs", "bytes", "tokens"
//	n        uvarint                        number of entries
//	n times: uvarint word length, word bytes, uvarint count (1 .. 2^64-1)
//	crc      uint32 little endian           CRC-32 (IEEE) of everything before it
//
// Entries are sorted by word bytes, strictly ascending, so a reader can
// merge files in one pass and a duplicate or out-of-order entry is an
// error. Offsets in errors are into the decompressed stream.
const (
	fileMagic   = "tokwc"
	fileVersion = 1
	maxWordLen  = 1 << 20 // longer words are refused as corrupt
)

// FileExt is the conventional extension of a counts file.
const FileExt = ".tokwc.zst"

type fileMeta struct {
	Meta
	Docs   int64  `json:"docs"`
	Bytes  int64  `json:"bytes"`
	Tokens uint64 `json:"tokens"`
}

// WriteFile writes c to path atomically (a temporary file in the same
// directory, renamed into place), in the format above. c.Words must be
// sorted by bytes without duplicates, as [Count] and [Merge] return them.
func WriteFile(path string, c *Counts) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp) // no-op after the rename
	bw := bufio.NewWriterSize(f, 1<<20)
	zw, err := zstd.NewWriter(bw, zstd.WithEncoderLevel(zstd.SpeedDefault))
	if err != nil {
		f.Close()
		return err
	}
	if err := Encode(zw, c); err != nil {
		zw.Close()
		f.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := zw.Close(); err != nil {
		f.Close()
		return err
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// Encode writes the uncompressed form of c to w.
func Encode(w io.Writer, c *Counts) error {
	crc := crc32.NewIEEE()
	bw := bufio.NewWriter(io.MultiWriter(w, crc))
	var tmp [binary.MaxVarintLen64]byte
	uv := func(x uint64) { bw.Write(tmp[:binary.PutUvarint(tmp[:], x)]) }
	bw.WriteString(fileMagic)
	uv(fileVersion)
	meta, err := json.Marshal(fileMeta{c.Meta, c.Docs, c.Bytes, c.Tokens})
	if err != nil {
		return err
	}
	uv(uint64(len(meta)))
	bw.Write(meta)
	uv(uint64(len(c.Words)))
	for i, e := range c.Words {
		if i > 0 && c.Words[i-1].Word >= e.Word {
			return fmt.Errorf("wordcount: entries not sorted by bytes at %d (%q after %q)", i, e.Word, c.Words[i-1].Word)
		}
		if e.Count == 0 || len(e.Word) > maxWordLen || len(e.Word) == 0 {
			return fmt.Errorf("wordcount: entry %d (%q) has count 0, or length 0 or over %d", i, e.Word, maxWordLen)
		}
		uv(uint64(len(e.Word)))
		bw.WriteString(e.Word)
		uv(e.Count)
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	binary.LittleEndian.PutUint32(tmp[:4], crc.Sum32())
	_, err = w.Write(tmp[:4])
	return err
}

// ReadFile reads a counts file written by [WriteFile]. A malformed file
// gives a *tok.FormatError naming the file and the offset (in the
// decompressed stream).
func ReadFile(path string) (*Counts, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := zstd.NewReader(bufio.NewReaderSize(f, 1<<20), zstd.WithDecoderConcurrency(1))
	if err != nil {
		return nil, err
	}
	defer zr.Close()
	return Decode(path, zr)
}

// ReadFiles reads and merges several counts files (for example the
// partial counts of all ranks).
// Files are read one at a time and merged into the running total, so
// memory is the total plus one file.
func ReadFiles(paths ...string) (*Counts, error) {
	var acc *Counts
	var metas []Meta
	for _, p := range paths {
		c, err := ReadFile(p)
		if err != nil {
			return nil, err
		}
		metas = append(metas, c.Meta)
		if acc == nil {
			acc = c
			continue
		}
		if acc, err = mergeInto(acc, c); err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
	}
	if acc == nil {
		return Merge()
	}
	if len(metas) > 1 {
		setWholeWorld(acc, metas)
	}
	return acc, nil
}

// decoder reads the uncompressed format, tracking the offset and CRC.
type decoder struct {
	name string
	r    *bufio.Reader
	off  int64
	crc  hash.Hash32
	buf  []byte
	one  [1]byte
}

func (d *decoder) fail(msg string, err error) error {
	if errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	var fe *tok.FormatError
	if errors.As(err, &fe) {
		return err
	}
	return &tok.FormatError{File: d.name, Offset: d.off, Msg: msg, Err: err}
}

func (d *decoder) ReadByte() (byte, error) {
	b, err := d.r.ReadByte()
	if err != nil {
		return 0, err
	}
	d.one[0] = b
	d.crc.Write(d.one[:])
	d.off++
	return b, nil
}

// uvarint reads a uvarint; what names it in errors (with %d for index,
// formatted only on error).
func (d *decoder) uvarint(what string, index uint64) (uint64, error) {
	start := d.off
	x, err := binary.ReadUvarint(d)
	if err != nil {
		d.off = start
		return 0, d.fail("reading "+d.what(what, index), err)
	}
	return x, nil
}

func (d *decoder) what(what string, index uint64) string {
	if strings.Contains(what, "%d") {
		return fmt.Sprintf(what, index)
	}
	return what
}

func (d *decoder) bytes(n int, what string, index uint64) ([]byte, error) {
	if cap(d.buf) < n {
		d.buf = make([]byte, n)
	}
	b := d.buf[:n]
	if _, err := io.ReadFull(d.r, b); err != nil {
		return nil, d.fail("reading "+d.what(what, index), err)
	}
	d.crc.Write(b)
	d.off += int64(n)
	return b, nil
}

// Decode reads the uncompressed form from r; name is used in errors.
func Decode(name string, r io.Reader) (*Counts, error) {
	d := &decoder{name: name, r: bufio.NewReader(r), crc: crc32.NewIEEE()}
	magic, err := d.bytes(len(fileMagic), "magic", 0)
	if err != nil {
		return nil, err
	}
	if string(magic) != fileMagic {
		d.off = 0
		return nil, d.fail(fmt.Sprintf("not a word counts file (magic %q, want %q)", magic, fileMagic), nil)
	}
	v, err := d.uvarint("version", 0)
	if err != nil {
		return nil, err
	}
	if v != fileVersion {
		return nil, d.fail(fmt.Sprintf("unsupported version %d (this build reads %d)", v, fileVersion), nil)
	}
	n, err := d.uvarint("meta length", 0)
	if err != nil {
		return nil, err
	}
	if n > 1<<20 {
		return nil, d.fail(fmt.Sprintf("meta length %d too large", n), nil)
	}
	metaOff := d.off
	mb, err := d.bytes(int(n), "meta", 0)
	if err != nil {
		return nil, err
	}
	var fm fileMeta
	dec := json.NewDecoder(bytes.NewReader(mb))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&fm); err != nil {
		d.off = metaOff
		return nil, d.fail("bad meta JSON", err)
	}
	c := &Counts{Meta: fm.Meta, Docs: fm.Docs, Bytes: fm.Bytes, Tokens: fm.Tokens}
	count, err := d.uvarint("entry count", 0)
	if err != nil {
		return nil, err
	}
	c.Words = make([]Entry, 0, min(count, 1<<16))
	prev := ""
	for i := uint64(0); i < count; i++ {
		entryOff := d.off
		l, err := d.uvarint("length of entry %d", i)
		if err != nil {
			return nil, err
		}
		if l == 0 || l > maxWordLen {
			d.off = entryOff
			return nil, d.fail(fmt.Sprintf("entry %d: word length %d out of range [1, %d]", i, l, maxWordLen), nil)
		}
		wb, err := d.bytes(int(l), "word of entry %d", i)
		if err != nil {
			return nil, err
		}
		w := string(wb)
		if i > 0 && w <= prev {
			d.off = entryOff
			return nil, d.fail(fmt.Sprintf("entry %d (%q) not after %q: entries must be sorted by bytes without duplicates", i, w, prev), nil)
		}
		cnt, err := d.uvarint("count of entry %d", i)
		if err != nil {
			return nil, err
		}
		if cnt == 0 {
			d.off = entryOff
			return nil, d.fail(fmt.Sprintf("entry %d (%q) has count 0", i, w), nil)
		}
		c.Words = append(c.Words, Entry{w, cnt})
		prev = w
	}
	want := d.crc.Sum32()
	var sum [4]byte
	if _, err := io.ReadFull(d.r, sum[:]); err != nil {
		return nil, d.fail("reading checksum", err)
	}
	if got := binary.LittleEndian.Uint32(sum[:]); got != want {
		return nil, d.fail(fmt.Sprintf("checksum mismatch (stored %08x, computed %08x)", got, want), nil)
	}
	d.off += 4
	if _, err := d.r.ReadByte(); err != io.EOF {
		if err == nil {
			return nil, d.fail("trailing data after checksum", nil)
		}
		return nil, d.fail("after checksum", err)
	}
	return c, nil
}
