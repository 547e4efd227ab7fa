package pipeline

import (
	"bytes"
	"errors"
	"fmt"
	"github.com/toklabs/tok/internal/arrowio"
	"io"
	"path/filepath"
	"sort"
	"sync"
)

// Dataset is a finished shard set opened for reading: the splits' token
// streams with random access, without loading the shards. Each split's
// tokens are its documents' ids concatenated in order (with the EOS id
// after each document when the dataset was encoded with one).
//
// A Dataset and its Splits are safe for concurrent use.
type Dataset struct {
	dir      string
	manifest *Manifest
	mu       sync.Mutex
	splits   map[string]*Split
}

// OpenDataset opens the finished dataset in dir (one with tok_manifest.json).
func OpenDataset(dir string) (*Dataset, error) {
	var m Manifest
	if err := readJSON(filepath.Join(dir, ManifestFile), &m); err != nil {
		return nil, fmt.Errorf("pipeline: %s is not a finished dataset (run tok finalize?): %w", dir, err)
	}
	if m.Format != manifestFormat && m.Format != manifestFormatV1 {
		return nil, fmt.Errorf("pipeline: %s: unknown manifest format %q", dir, m.Format)
	}
	return &Dataset{dir: dir, manifest: &m, splits: map[string]*Split{}}, nil
}

// Manifest returns the dataset's manifest.
func (d *Dataset) Manifest() *Manifest { return d.manifest }

// SplitNames lists the dataset's splits.
func (d *Dataset) SplitNames() []string {
	var s []string
	for k := range d.manifest.Splits {
		s = append(s, k)
	}
	sort.Strings(s)
	return s
}

// Split opens a split ("train" or "validation"), indexing its shards on
// first use.
func (d *Dataset) Split(name string) (*Split, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if s, ok := d.splits[name]; ok {
		return s, nil
	}
	sm, ok := d.manifest.Splits[name]
	if !ok {
		return nil, fmt.Errorf("pipeline: dataset %s has no split %q (has %v)", d.dir, name, d.SplitNames())
	}
	s := &Split{name: name, manifest: sm}
	for _, sh := range sm.Shards {
		ix, err := indexShard(filepath.Join(d.dir, name, sh.File))
		if err != nil {
			s.Close()
			return nil, err
		}
		if ix.tokens != sh.Tokens || ix.docs != sh.Documents {
			s.Close()
			return nil, fmt.Errorf("pipeline: %s: %d tokens in %d documents, manifest says %d in %d", ix.path, ix.tokens, ix.docs, sh.Tokens, sh.Documents)
		}
		s.shards = append(s.shards, ix)
		s.starts = append(s.starts, s.tokens)
		s.docStarts = append(s.docStarts, s.docs)
		s.tokens += ix.tokens
		s.docs += ix.docs
	}
	d.splits[name] = s
	return s, nil
}

// Close closes the shard files of every opened split.
func (d *Dataset) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, s := range d.splits {
		s.Close()
	}
	d.splits = map[string]*Split{}
	return nil
}

// Split is one split's token stream.
type Split struct {
	name      string
	manifest  *SplitManifest
	shards    []*shardIndex
	starts    []int64 // first token of each shard
	docStarts []int64 // first document of each shard
	tokens    int64
	docs      int64

	mu    sync.Mutex // guards the slow path's cache
	cache struct {
		shard, batch int
		ids          []int32
		offsets      []int32
		numBytes     []int64
		ok           bool
	}
}

// Name returns "train" or "validation".
func (s *Split) Name() string { return s.name }

// NumTokens is the length of the split's token stream.
func (s *Split) NumTokens() int64 { return s.tokens }

// NumDocuments is the number of documents.
func (s *Split) NumDocuments() int64 { return s.docs }

// NumBytes is the UTF-8 byte count of the documents' text (for bits per
// byte).
func (s *Split) NumBytes() int64 { return s.manifest.Bytes }

// ErrOutOfRange is returned for a window or document past the end.
var ErrOutOfRange = errors.New("pipeline: out of range")

// ReadWindow appends the n tokens starting at token offset to dst. The
// window may span documents, batches and shards.
func (s *Split) ReadWindow(offset int64, n int, dst []int32) ([]int32, error) {
	if offset < 0 || n < 0 || offset+int64(n) > s.tokens {
		return dst, fmt.Errorf("%w: tokens [%d, %d) of %d", ErrOutOfRange, offset, offset+int64(n), s.tokens)
	}
	for n > 0 {
		si := sort.Search(len(s.starts), func(i int) bool { return s.starts[i] > offset }) - 1
		sh := s.shards[si]
		local := offset - s.starts[si]
		bi := sort.Search(len(sh.batches), func(i int) bool { return sh.batches[i].firstToken > local }) - 1
		b := &sh.batches[bi]
		inBatch := local - b.firstToken
		k := int(min(int64(n), b.tokens-inBatch))
		var err error
		if b.compressed {
			dst, err = s.appendSlow(dst, si, bi, int(inBatch), k)
		} else {
			// Fast path: the ids lie in the file as little-endian int32.
			dst = growInt32(dst, k)
			err = readInt32s(sh.f, b.valuesAt+4*inBatch, dst[len(dst)-k:])
		}
		if err != nil {
			return dst, fmt.Errorf("pipeline: %s: %w", sh.path, err)
		}
		offset += int64(k)
		n -= k
	}
	return dst, nil
}

// Document appends the ids of document i to dst and returns its byte
// count.
func (s *Split) Document(i int64, dst []int32) ([]int32, int64, error) {
	if i < 0 || i >= s.docs {
		return dst, 0, fmt.Errorf("%w: document %d of %d", ErrOutOfRange, i, s.docs)
	}
	si, bi, row := s.locate(i)
	sh := s.shards[si]
	b := &sh.batches[bi]
	if b.compressed {
		s.mu.Lock()
		defer s.mu.Unlock()
		if err := s.loadSlow(si, bi); err != nil {
			return dst, 0, err
		}
		c := &s.cache
		return append(dst, c.ids[c.offsets[row]:c.offsets[row+1]]...), c.numBytes[row], nil
	}
	var off [2]int32
	if err := readInt32s(sh.f, b.offsetsAt+4*row, off[:]); err != nil {
		return dst, 0, err
	}
	var nb [2]int32
	if err := readInt32s(sh.f, b.numBytesAt+8*row, nb[:]); err != nil {
		return dst, 0, err
	}
	numBytes := int64(uint32(nb[0])) | int64(nb[1])<<32
	k := int(off[1] - off[0])
	if k < 0 || int64(off[1]) > b.tokens {
		return dst, 0, fmt.Errorf("pipeline: %s: bad list offsets in row %d", sh.path, b.firstDoc+row)
	}
	dst = growInt32(dst, k)
	if err := readInt32s(sh.f, b.valuesAt+4*int64(off[0]), dst[len(dst)-k:]); err != nil {
		return dst, 0, err
	}
	return dst, numBytes, nil
}

// locate finds document i (0 <= i < NumDocuments): its shard, batch and
// row in the batch.
func (s *Split) locate(i int64) (si, bi int, row int64) {
	si = sort.Search(len(s.docStarts), func(k int) bool { return s.docStarts[k] > i }) - 1
	sh := s.shards[si]
	local := i - s.docStarts[si]
	bi = sort.Search(len(sh.batches), func(k int) bool { return sh.batches[k].firstDoc > local }) - 1
	return si, bi, local - sh.batches[bi].firstDoc
}

// DocumentStart returns the token offset in the split where document i
// begins.
func (s *Split) DocumentStart(i int64) (int64, error) {
	if i == s.docs {
		return s.tokens, nil
	}
	if i < 0 || i > s.docs {
		return 0, fmt.Errorf("%w: document %d of %d", ErrOutOfRange, i, s.docs)
	}
	si, bi, row := s.locate(i)
	sh := s.shards[si]
	b := &sh.batches[bi]
	if b.compressed {
		s.mu.Lock()
		defer s.mu.Unlock()
		if err := s.loadSlow(si, bi); err != nil {
			return 0, err
		}
		return s.starts[si] + b.firstToken + int64(s.cache.offsets[row]), nil
	}
	var off [1]int32
	if err := readInt32s(sh.f, b.offsetsAt+4*row, off[:]); err != nil {
		return 0, err
	}
	return s.starts[si] + b.firstToken + int64(off[0]), nil
}

func growInt32(dst []int32, k int) []int32 {
	if cap(dst)-len(dst) < k {
		nd := make([]int32, len(dst), len(dst)+k+len(dst)/4)
		copy(nd, dst)
		dst = nd
	}
	return dst[:len(dst)+k]
}

// appendSlow serves compressed batches: the batch is decoded with the
// Arrow library once and kept until another batch is needed.
func (s *Split) appendSlow(dst []int32, si, bi, start, k int) ([]int32, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.loadSlow(si, bi); err != nil {
		return dst, err
	}
	return append(dst, s.cache.ids[start:start+k]...), nil
}

func (s *Split) loadSlow(si, bi int) error {
	c := &s.cache
	if c.ok && c.shard == si && c.batch == bi {
		return nil
	}
	sh := s.shards[si]
	b := sh.batches[bi]
	head := make([]byte, sh.schemaEnd)
	if _, err := sh.f.ReadAt(head, 0); err != nil {
		return err
	}
	body := make([]byte, b.msgEnd-b.msgStart)
	if _, err := sh.f.ReadAt(body, b.msgStart); err != nil {
		return err
	}
	c.ok = false
	c.ids, c.offsets, c.numBytes = c.ids[:0], append(c.offsets[:0], 0), c.numBytes[:0]
	err := arrowio.ReadShard(io.MultiReader(bytes.NewReader(head), bytes.NewReader(body)), func(ids []int32, nb int64) error {
		c.ids = append(c.ids, ids...)
		c.offsets = append(c.offsets, int32(len(c.ids)))
		c.numBytes = append(c.numBytes, nb)
		return nil
	})
	if err != nil {
		return fmt.Errorf("pipeline: %s: %w", sh.path, err)
	}
	c.shard, c.batch, c.ok = si, bi, true
	return nil
}

// Close closes the split's shard files.
func (s *Split) Close() error {
	for _, sh := range s.shards {
		sh.f.Close()
	}
	return nil
}
