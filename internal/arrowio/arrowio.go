// Package arrowio holds every use of Apache Arrow in tok: the Arrow IPC
// stream writer and reader of the pipeline's shards and the Parquet string
// column reader of package corpora. Moving from
// github.com/apache/arrow/go/v17 to github.com/apache/arrow-go/v18 is an edit
// of this package's imports (and Record → RecordBatch, which v18 still
// aliases), nothing else.
package arrowio

import (
	"fmt"
	"io"
	"unsafe"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/ipc"
	"github.com/apache/arrow/go/v17/arrow/memory"
)

// Column names of a shard.
const (
	ColumnIDs   = "input_ids" // list<int32>: the token ids of a document
	ColumnBytes = "num_bytes" // int64: the document's length in UTF-8 bytes
)

// FeaturesJSON is the datasets Features JSON of a shard's schema. "Sequence"
// is read by datasets 3.x and 4.x alike.
const FeaturesJSON = `{"input_ids":{"feature":{"dtype":"int32","_type":"Value"},"_type":"Sequence"},"num_bytes":{"dtype":"int64","_type":"Value"}}`

func shardSchema() *arrow.Schema {
	meta := arrow.NewMetadata([]string{"huggingface"}, []string{`{"info":{"features":` + FeaturesJSON + `}}`})
	return arrow.NewSchema([]arrow.Field{
		{Name: ColumnIDs, Type: arrow.ListOf(arrow.PrimitiveTypes.Int32), Nullable: true},
		{Name: ColumnBytes, Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	}, &meta)
}

// BatchWriter writes documents as Arrow IPC stream record batches. It
// builds the buffers itself (no builders), so a batch costs one copy of
// the ids.
type BatchWriter struct {
	w        *ipc.Writer
	schema   *arrow.Schema
	maxRows  int
	maxVals  int
	offsets  []int32
	values   []int32
	numBytes []int64
}

// NewBatchWriter writes a stream to w; with zstd every buffer is compressed.
// A batch is written when it holds maxRows documents or maxVals ids.
func NewBatchWriter(w io.Writer, zstd bool, maxRows, maxVals int) *BatchWriter {
	schema := shardSchema()
	opts := []ipc.Option{ipc.WithSchema(schema)}
	if zstd {
		opts = append(opts, ipc.WithZstd())
	}
	return &BatchWriter{
		w:       ipc.NewWriter(w, opts...),
		schema:  schema,
		maxRows: maxRows,
		maxVals: maxVals,
		offsets: []int32{0},
		// Start at up to 1M ids and grow by doubling to the batch limit.
		values: make([]int32, 0, min(maxVals, 1<<20)),
	}
}

// Append adds one document, writing a batch when it is full.
func (b *BatchWriter) Append(ids []uint32, numBytes int64) error {
	if len(b.values)+len(ids) > b.maxVals && len(b.numBytes) > 0 {
		if err := b.Flush(); err != nil {
			return err
		}
	}
	if need := len(b.values) + len(ids); need > cap(b.values) {
		// Grow once to the batch limit rather than by small steps.
		nv := make([]int32, len(b.values), max(need, b.maxVals))
		copy(nv, b.values)
		b.values = nv
	}
	// Ids below 2^31 have the same bits as uint32 and int32: copy them whole.
	if len(ids) > 0 {
		b.values = append(b.values, unsafe.Slice((*int32)(unsafe.Pointer(&ids[0])), len(ids))...)
	}
	b.offsets = append(b.offsets, int32(len(b.values)))
	b.numBytes = append(b.numBytes, numBytes)
	if len(b.numBytes) >= b.maxRows || len(b.values) >= b.maxVals {
		return b.Flush()
	}
	return nil
}

func bytesOf[T int32 | int64](s []T) []byte {
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
	vals := array.NewData(arrow.PrimitiveTypes.Int32, len(b.values),
		[]*memory.Buffer{nil, memory.NewBufferBytes(bytesOf(b.values))}, nil, 0, 0)
	listData := array.NewData(b.schema.Field(0).Type, n,
		[]*memory.Buffer{nil, memory.NewBufferBytes(bytesOf(b.offsets))}, []arrow.ArrayData{vals}, 0, 0)
	list := array.NewListData(listData)
	nbData := array.NewData(arrow.PrimitiveTypes.Int64, n,
		[]*memory.Buffer{nil, memory.NewBufferBytes(bytesOf(b.numBytes))}, nil, 0, 0)
	nb := array.NewInt64Data(nbData)
	rec := array.NewRecord(b.schema, []arrow.Array{list, nb}, int64(n))
	err := b.w.Write(rec)
	rec.Release()
	list.Release()
	nb.Release()
	listData.Release()
	vals.Release()
	nbData.Release()
	b.offsets = b.offsets[:1]
	b.values = b.values[:0]
	b.numBytes = b.numBytes[:0]
	if err != nil {
		return fmt.Errorf("arrowio: writing record batch: %w", err)
	}
	return nil
}

// Close flushes and writes the end-of-stream marker.
func (b *BatchWriter) Close() error {
	if err := b.Flush(); err != nil {
		return err
	}
	return b.w.Close()
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
