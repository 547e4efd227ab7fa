// Package arrowio holds every use of Apache Arrow in tok: the Arrow IPC
// stream writer and reader of the pipeline's shards and the Parquet string
// column reader of package corpora.
//
// The writer lays out the record batch messages itself (recordbatch.go),
// without arrow/go's per-batch allocations; the stream's schema message
// comes from arrow/go's ipc.Writer, and the tests hold every stream, byte
// for byte, to what ipc.Writer writes for the same batches.
//
// It uses github.com/apache/arrow-go/v18 (v17, github.com/apache/arrow/go,
// until session 5): v17's Parquet reader died of out-of-memory on a
// corrupt dictionary index (it grew its dictionary to the index, up to
// ~50 GB; FuzzStringColumn_Bytes found it), which v18 checks. The move was
// this package's imports; the stream tests show v18 writes the same bytes.
package arrowio

import (
	"encoding/binary"
	"fmt"
	"io"
	"slices"
	"unsafe"

	"github.com/klauspost/compress/zstd"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Column names of a shard.
const (
	ColumnIDs   = "input_ids" // list<int32>: the token ids of a document
	ColumnBytes = "num_bytes" // int64: the document's length in UTF-8 bytes
)

// FeaturesJSON is the datasets Features JSON of a shard's schema. "Sequence"
// is read by datasets 3.x and 4.x alike.
const FeaturesJSON = `{"input_ids":{"feature":{"dtype":"int32","_type":"Value"},"_type":"Sequence"},"num_bytes":{"dtype":"int64","_type":"Value"}}`

// shardSchema is the schema of every shard.
func shardSchema() *arrow.Schema {
	meta := arrow.NewMetadata([]string{"huggingface"}, []string{`{"info":{"features":` + FeaturesJSON + `}}`})
	return arrow.NewSchema([]arrow.Field{
		{Name: ColumnIDs, Type: arrow.ListOf(arrow.PrimitiveTypes.Int32), Nullable: true},
		{Name: ColumnBytes, Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	}, &meta)
}

// BatchWriter writes documents as Arrow IPC stream record batches. It
// lays out each batch's message itself into buffers it reuses (see
// recordbatch.go), so a batch costs one copy of the ids, no allocation and
// one Write to w (the stream's first batch adds one Write for the schema).
// The stream is byte for byte what arrow/go's ipc.Writer writes for the
// same batches. A BatchWriter is not safe for concurrent use.
type BatchWriter struct {
	w       io.Writer
	zstd    bool
	maxRows int
	maxVals int
	started bool // the schema is written
	closed  bool

	// buf holds the pending batch's ids (as int32: ids below 2^31 have the
	// same bits as uint32) from buf[head:]. The head bytes before them are
	// kept free for the message's prefix, continuation marker to list
	// offsets of up to rowsCap documents, so that the whole message is
	// laid out in place and written with one Write.
	buf      []byte
	head     int
	vals     int     // ids pending: len(buf) == head+4*vals
	rowsCap  int     // documents the head has room for
	valsCap  int     // ids buf has room for, keeping room for the tail
	offsets  []int32 // len(numBytes)+1 list offsets, from 0
	numBytes []int64

	enc *zstd.Encoder // with zstd, made at the first batch
	out appendWriter  // with zstd, the message being built

	ref       *ipc.Writer // when set, batches go through flushIPC (tests)
	refSchema *arrow.Schema
}

// NewBatchWriter writes a stream to w; with zstd every buffer is compressed.
// A batch is written when it holds maxRows documents or maxVals ids.
func NewBatchWriter(w io.Writer, zstd bool, maxRows, maxVals int) *BatchWriter {
	b := &BatchWriter{
		w:        w,
		zstd:     zstd,
		maxRows:  maxRows,
		maxVals:  maxVals,
		offsets:  []int32{0},
		numBytes: make([]int64, 0, max(0, min(maxRows, 1<<16))),
	}
	// Start at up to 1M ids and grow by doubling to the batch limit.
	b.reserve(max(1, min(maxRows, 1<<16)), min(max(maxVals, 0), 1<<20))
	return b
}

// newBatchWriterIPC returns a BatchWriter that writes through arrow/go's
// ipc.Writer (flushIPC): the reference the tests compare streams with.
func newBatchWriterIPC(w io.Writer, zstd bool, maxRows, maxVals int) *BatchWriter {
	b := NewBatchWriter(w, zstd, maxRows, maxVals)
	b.refSchema = shardSchema()
	opts := []ipc.Option{ipc.WithSchema(b.refSchema)}
	if zstd {
		opts = append(opts, ipc.WithZstd())
	}
	b.ref = ipc.NewWriter(w, opts...)
	return b
}

// metaLayout returns the layout of this writer's batch messages.
func (b *BatchWriter) metaLayout() (*metaLayout, []byte) {
	if b.zstd {
		return &zstdLayout, zstdTemplate
	}
	return &plainLayout, plainTemplate
}

// reserve makes room for batches of rows documents and vals ids (moving
// the pending ids when the head grows).
func (b *BatchWriter) reserve(rows, vals int) {
	l, _ := b.metaLayout()
	rows = max(rows, b.rowsCap)
	head := pad8(8 + l.size + 4*(rows+1))
	vals = max(vals, b.vals)
	// The tail holds the values' padding and num_bytes at Flush.
	need := head + 4*vals + 8 + 8*rows
	if head != b.head || need > cap(b.buf) {
		nb := make([]byte, head, max(need, cap(b.buf)))
		if b.buf != nil {
			nb = append(nb, b.buf[b.head:]...)
		}
		b.buf, b.head = nb, head
	}
	b.rowsCap = rows
	b.valsCap = (cap(b.buf) - head - 8 - 8*rows) / 4
}

// grow makes room for rows documents and vals ids.
func (b *BatchWriter) grow(rows, vals int) {
	r, v := b.rowsCap, b.valsCap
	if rows > r {
		r = max(rows, min(2*r, b.maxRows))
	}
	if vals > v {
		// Doubling past maxVals too: documents longer than a batch come
		// one after another in long-document corpora, and growing to
		// each exactly copied and faulted in fresh memory every time.
		v = max(vals, min(2*v, max(b.maxVals, vals+vals/2)))
	}
	b.reserve(r, v)
}

// Append adds one document, writing a batch when it is full.
func (b *BatchWriter) Append(ids []uint32, numBytes int64) error {
	vals := b.vals + len(ids)
	if vals > b.maxVals && len(b.numBytes) > 0 {
		if err := b.Flush(); err != nil {
			return err
		}
		vals = len(ids)
	}
	n := len(b.numBytes) + 1
	if n > b.rowsCap || vals > b.valsCap {
		b.grow(n, vals)
	}
	b.buf = append(b.buf, bytesOf(ids)...)
	b.vals = vals
	b.offsets = append(b.offsets, int32(vals))
	b.numBytes = append(b.numBytes, numBytes)
	if n >= b.maxRows || vals >= b.maxVals {
		return b.Flush()
	}
	return nil
}

// AppendDocs adds len(numBytes) documents whose ids lie back to back in
// ids: document k holds ids[ends[k-1]-base : ends[k]-base], with ends[-1]
// taken as base. It writes batches exactly as calling Append for each
// document would (same stream bytes), copying the ids of all the
// documents that go into one batch at once. ends must be nondecreasing,
// from base, with ends[len(ends)-1]-base == len(ids); when they are not,
// AppendDocs returns an error (the documents before the bad end are
// appended).
func (b *BatchWriter) AppendDocs(ids []uint32, ends []int, base int, numBytes []int64) error {
	if len(ends) != len(numBytes) {
		return fmt.Errorf("arrowio: AppendDocs: %d ends for %d documents", len(ends), len(numBytes))
	}
	if len(ends) > 0 && ends[len(ends)-1]-base != len(ids) {
		return fmt.Errorf("arrowio: AppendDocs: documents end at %d, ids hold %d", ends[len(ends)-1]-base, len(ids))
	}
	start := 0 // ids index of document i's first id
	for i := 0; i < len(ends); {
		vals := b.vals
		end := ends[i] - base
		if end < start {
			return b.endsError(i, end, start)
		}
		// Document i goes in as Append would take it.
		if vals+end-start > b.maxVals && len(b.numBytes) > 0 {
			if err := b.Flush(); err != nil {
				return err
			}
			vals = 0
		}
		// Then each next document that Append would add to the same
		// batch: the batch is not full after the previous document
		// (rows, or ids reaching limit in ids indexes) and the next one's
		// ids fit.
		n0 := len(b.numBytes)
		rows := min(len(ends)-i, max(b.maxRows-n0, 1))
		if n0+rows > b.rowsCap {
			b.grow(n0+rows, vals)
		}
		b.offsets = slices.Grow(b.offsets, rows)
		offs := b.offsets[n0+1 : n0+1+rows]
		delta := vals - start // the list offset of ids[x] is x+delta
		limit := b.maxVals - delta
		offs[0] = int32(end + delta)
		prev, k := end, 1
		for ; k < rows; k++ {
			e := ends[i+k] - base
			if prev >= limit || e > limit {
				break
			}
			if e < prev {
				return b.endsError(i+k, e, prev)
			}
			offs[k] = int32(e + delta)
			prev = e
		}
		vals += prev - start
		if vals > b.valsCap {
			b.grow(n0+k, vals)
		}
		b.offsets = b.offsets[:n0+1+k]
		b.buf = append(b.buf, bytesOf(ids[start:prev])...)
		b.vals = vals
		b.numBytes = append(b.numBytes, numBytes[i:i+k]...)
		i, start = i+k, prev
		if len(b.numBytes) >= b.maxRows || vals >= b.maxVals {
			if err := b.Flush(); err != nil {
				return err
			}
		}
	}
	return nil
}

func (b *BatchWriter) endsError(doc, end, start int) error {
	return fmt.Errorf("arrowio: AppendDocs: document %d ends at %d, before it starts at %d", doc, end, start)
}

func bytesOf[T uint32 | int32 | int64](s []T) []byte {
	if len(s) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&s[0])), len(s)*int(unsafe.Sizeof(s[0])))
}

// Flush writes the pending documents as one record batch.
func (b *BatchWriter) Flush() error {
	n := len(b.numBytes)
	if n == 0 {
		return nil
	}
	var err error
	switch {
	case b.ref != nil:
		err = b.flushIPC()
	case b.zstd:
		err = b.flushZstd()
	default:
		err = b.flushPlain()
	}
	b.buf = b.buf[:b.head]
	b.vals = 0
	b.offsets = b.offsets[:1]
	b.numBytes = b.numBytes[:0]
	if err != nil {
		return fmt.Errorf("arrowio: writing record batch: %w", err)
	}
	return nil
}

func (b *BatchWriter) writeSchema() error {
	if b.started {
		return nil
	}
	b.started = true
	_, err := b.w.Write(schemaMessage())
	return err
}

// flushPlain writes the batch uncompressed: the message prefix and the
// list offsets go into buf's head, right before the ids, and the padding
// and num_bytes after them, so the message is written as it lies.
func (b *BatchWriter) flushPlain() error {
	if err := b.writeSchema(); err != nil {
		return err
	}
	l, template := b.metaLayout()
	rows, vals := len(b.numBytes), b.vals
	offLen, valLen, nbLen := 4*(rows+1), 4*vals, 8*rows
	b.buf = append(b.buf, zeros[:pad8(valLen)-valLen]...)
	b.buf = append(b.buf, bytesOf(b.numBytes)...)
	offAt := b.head - pad8(offLen)
	start := offAt - 8 - l.size
	copy(b.buf[offAt:], bytesOf(b.offsets))
	clear(b.buf[offAt+offLen : b.head])
	o1 := int64(pad8(offLen))
	o2 := o1 + int64(pad8(valLen))
	bufs := [6][2]int64{{0, 0}, {0, int64(offLen)}, {o1, 0}, {o1, int64(valLen)}, {o2, 0}, {o2, int64(nbLen)}}
	putMessageHead(b.buf[start:], template, l, int64(rows), int64(vals), o2+int64(nbLen), &bufs)
	_, err := b.w.Write(b.buf[start:])
	return err
}

// flushZstd writes the batch with each non-empty buffer compressed as
// ipc.WithZstd does: its uncompressed length (int64) then one zstd frame,
// written by a default klauspost encoder as one stream.
func (b *BatchWriter) flushZstd() error {
	if err := b.writeSchema(); err != nil {
		return err
	}
	if b.enc == nil {
		enc, err := zstd.NewWriter(nil)
		if err != nil {
			return err
		}
		b.enc = enc
	}
	l, template := b.metaLayout()
	rows, vals := len(b.numBytes), b.vals
	prefix := 8 + l.size
	out := &b.out
	out.b = append(out.b[:0], zeros[:prefix]...)
	var bufs [6][2]int64
	for i, data := range [3][]byte{bytesOf(b.offsets), b.buf[b.head:], bytesOf(b.numBytes)} {
		at := len(out.b) - prefix
		bufs[2*i] = [2]int64{int64(at), 0}
		bufs[2*i+1] = [2]int64{int64(at), 0}
		if len(data) == 0 {
			continue
		}
		out.b = binary.LittleEndian.AppendUint64(out.b, uint64(len(data)))
		b.enc.Reset(out)
		if _, err := b.enc.Write(data); err != nil {
			return err
		}
		if err := b.enc.Close(); err != nil {
			return err
		}
		size := len(out.b) - prefix - at
		bufs[2*i+1][1] = int64(size)
		out.b = append(out.b, zeros[:pad8(size)-size]...)
	}
	putMessageHead(out.b, template, l, int64(rows), int64(vals), int64(len(out.b)-prefix), &bufs)
	_, err := b.w.Write(out.b)
	return err
}

var zeros [512]byte

// appendWriter is an io.Writer appending to b.
type appendWriter struct{ b []byte }

func (a *appendWriter) Write(p []byte) (int, error) {
	a.b = append(a.b, p...)
	return len(p), nil
}

// flushIPC writes the batch with arrow/go's ipc.Writer: the slow path the
// tests hold the others to, byte for byte.
func (b *BatchWriter) flushIPC() error {
	n := len(b.numBytes)
	var valBytes []byte
	if len(b.buf) > b.head {
		valBytes = b.buf[b.head:]
	}
	schema := b.refSchema
	vals := array.NewData(arrow.PrimitiveTypes.Int32, b.vals,
		[]*memory.Buffer{nil, memory.NewBufferBytes(valBytes)}, nil, 0, 0)
	listData := array.NewData(schema.Field(0).Type, n,
		[]*memory.Buffer{nil, memory.NewBufferBytes(bytesOf(b.offsets))}, []arrow.ArrayData{vals}, 0, 0)
	list := array.NewListData(listData)
	nbData := array.NewData(arrow.PrimitiveTypes.Int64, n,
		[]*memory.Buffer{nil, memory.NewBufferBytes(bytesOf(b.numBytes))}, nil, 0, 0)
	nb := array.NewInt64Data(nbData)
	rec := array.NewRecord(schema, []arrow.Array{list, nb}, int64(n))
	err := b.ref.Write(rec)
	rec.Release()
	list.Release()
	nb.Release()
	listData.Release()
	vals.Release()
	nbData.Release()
	return err
}

// Close flushes and writes the end-of-stream marker.
func (b *BatchWriter) Close() error {
	if b.closed {
		return nil
	}
	if err := b.Flush(); err != nil {
		return err
	}
	b.closed = true
	if b.ref != nil {
		return b.ref.Close()
	}
	if err := b.writeSchema(); err != nil {
		return err
	}
	_, err := b.w.Write(endOfStream[:])
	return err
}

// ReadShard reads every document of an Arrow IPC stream shard, calling fn
// with each document's ids (valid during the call) and byte count.
func ReadShard(r io.Reader, fn func(ids []int32, numBytes int64) error) error {
	rd, err := ipc.NewReader(r, ipc.WithAllocator(memory.DefaultAllocator))
	if err != nil {
		return fmt.Errorf("arrowio: %w", err)
	}
	defer rd.Release()
	if err := checkSchema(rd.Schema()); err != nil {
		return err
	}
	for rd.Next() {
		rec := rd.Record()
		list := rec.Column(0).(*array.List)
		vals := list.ListValues().(*array.Int32).Int32Values()
		nb := rec.Column(1).(*array.Int64).Int64Values()
		for i := 0; i < list.Len(); i++ {
			start, end := list.ValueOffsets(i)
			if err := fn(vals[start:end], nb[i]); err != nil {
				return err
			}
		}
	}
	if err := rd.Err(); err != nil {
		return fmt.Errorf("arrowio: %w", err)
	}
	return nil
}

func checkSchema(s *arrow.Schema) error {
	if s.NumFields() < 2 || s.Field(0).Name != ColumnIDs || !arrow.TypeEqual(s.Field(0).Type, arrow.ListOf(arrow.PrimitiveTypes.Int32)) ||
		s.Field(1).Name != ColumnBytes || s.Field(1).Type.ID() != arrow.INT64 {
		return fmt.Errorf("arrowio: not a tok shard: schema is %v", s)
	}
	return nil
}
