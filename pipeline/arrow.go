package pipeline

// This is the only file that imports Apache Arrow, so that moving from
// github.com/apache/arrow/go/v17 to github.com/apache/arrow-go/v18 is an
// edit of the imports below (and Record → RecordBatch, which v18 still
// aliases).

import (
	"encoding/json"
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

// hfFeatures is the datasets Features JSON of a shard's schema. "Sequence"
// is read by datasets 3.x and 4.x alike.
const hfFeatures = `{"input_ids":{"feature":{"dtype":"int32","_type":"Value"},"_type":"Sequence"},"num_bytes":{"dtype":"int64","_type":"Value"}}`

func shardSchema() *arrow.Schema {
	meta := arrow.NewMetadata([]string{"huggingface"}, []string{`{"info":{"features":` + hfFeatures + `}}`})
	return arrow.NewSchema([]arrow.Field{
		{Name: ColumnIDs, Type: arrow.ListOf(arrow.PrimitiveTypes.Int32), Nullable: true},
		{Name: ColumnBytes, Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	}, &meta)
}

// batchWriter writes documents as Arrow IPC stream record batches. It
// builds the buffers itself (no builders), so a batch costs one copy of
// the ids.
type batchWriter struct {
	w        *ipc.Writer
	schema   *arrow.Schema
	maxRows  int
	maxVals  int
	offsets  []int32
	values   []int32
	numBytes []int64
}

func newBatchWriter(w io.Writer, compression Compression, maxRows, maxVals int) *batchWriter {
	schema := shardSchema()
	opts := []ipc.Option{ipc.WithSchema(schema)}
	if compression == CompressionZstd {
		opts = append(opts, ipc.WithZstd())
	}
	return &batchWriter{
		w:       ipc.NewWriter(w, opts...),
		schema:  schema,
		maxRows: maxRows,
		maxVals: maxVals,
		offsets: []int32{0},
	}
}

// append adds one document, writing a batch when it is full.
func (b *batchWriter) append(ids []uint32, numBytes int64) error {
	if len(b.values)+len(ids) > b.maxVals && len(b.numBytes) > 0 {
		if err := b.flush(); err != nil {
			return err
		}
	}
	for _, id := range ids {
		b.values = append(b.values, int32(id))
	}
	b.offsets = append(b.offsets, int32(len(b.values)))
	b.numBytes = append(b.numBytes, numBytes)
	if len(b.numBytes) >= b.maxRows || len(b.values) >= b.maxVals {
		return b.flush()
	}
	return nil
}

func bytesOf[T int32 | int64](s []T) []byte {
	if len(s) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&s[0])), len(s)*int(unsafe.Sizeof(s[0])))
}

// flush writes the pending documents as one record batch.
func (b *batchWriter) flush() error {
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
		return fmt.Errorf("pipeline: writing record batch: %w", err)
	}
	return nil
}

// close flushes and writes the end-of-stream marker.
func (b *batchWriter) close() error {
	if err := b.flush(); err != nil {
		return err
	}
	return b.w.Close()
}

// readShardArrow reads every document of an Arrow IPC stream shard with
// the Arrow library, calling fn with each document's ids (valid during the
// call) and byte count. It is the slow path of the Dataset reader (used for
// compressed shards) and the check that the fast index agrees.
func readShardArrow(r io.Reader, fn func(ids []int32, numBytes int64) error) error {
	rd, err := ipc.NewReader(r, ipc.WithAllocator(memory.DefaultAllocator))
	if err != nil {
		return fmt.Errorf("pipeline: %w", err)
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
		return fmt.Errorf("pipeline: %w", err)
	}
	return nil
}

func checkSchema(s *arrow.Schema) error {
	if s.NumFields() < 2 || s.Field(0).Name != ColumnIDs || !arrow.TypeEqual(s.Field(0).Type, arrow.ListOf(arrow.PrimitiveTypes.Int32)) ||
		s.Field(1).Name != ColumnBytes || s.Field(1).Type.ID() != arrow.INT64 {
		return fmt.Errorf("pipeline: not a tok shard: schema is %v", s)
	}
	return nil
}

// hfFeaturesJSON returns the Features JSON as a value for dataset_info.json.
func hfFeaturesJSON() json.RawMessage { return json.RawMessage(hfFeatures) }
