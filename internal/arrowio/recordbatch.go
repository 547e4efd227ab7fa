package arrowio

import (
	"bytes"
	"encoding/binary"
	"sync"

	"github.com/apache/arrow-go/v18/arrow/ipc"
)

// The Arrow IPC encapsulated message of a shard's record batch, laid out by
// hand so that writing a batch costs no allocation (arrow/go's ipc.Writer
// allocates ~50 objects per batch, building a flatbuffers Builder each
// time).
//
// A message is
//
//	0xFFFFFFFF continuation marker (int32)
//	metadata length (int32, a multiple of 8)
//	Message flatbuffer (the length above)
//	body: each buffer padded with zeros to a multiple of 8 bytes
//
// A shard's batch always has the same shape: three field nodes (the list,
// its int32 values, the int64 column) and six buffers (each column's
// validity bitmap, always absent as nothing is null, then the list offsets,
// the values and the num_bytes values). Every number that varies (row
// count, body length, buffer offsets and lengths, node lengths) sits in a
// fixed-width slot that is never left out (flatbuffers omits a scalar field
// only when it equals the default, and the row count and body length of a
// written batch are never 0), so the flatbuffer is a fixed template with
// those numbers patched in. The templates below reproduce, byte for byte,
// what arrow/go v17's flatbuffers Builder lays out (tests compare whole
// streams with ipc.Writer's). Offsets are from the flatbuffer's start;
// flatbuffers are little-endian, a table starts with the int32 distance
// back to its vtable, a vtable is [its size, the table's size, each
// field's offset in the table] as uint16, and a vector is a uint32 count
// followed by its elements.
//
// Performance notes (BenchmarkBatchWriter_*, 1000-row batches of ~11 ids,
// a 2-core machine shared with other work): through ipc.Writer a batch
// took 47 allocations and 7 Writes, 12.4 ns a document with Append; laid
// out here, 0 allocations and 1 Write, 7.3 ns a document with Append and
// 2.3 with AppendDocs (runs of 256). The message is built in place in
// front of the ids rather than in a separate output buffer, which would
// copy every id a second time; the zstd path does build its own buffer,
// as compression copies anyway.
const (
	metaPlainSize = 232 // flatbuffer of a batch without compression
	metaZstdSize  = 256 // with BodyCompression{codec: ZSTD}
)

// metaLayout locates the patched slots of a template.
type metaLayout struct {
	size       int // flatbuffer bytes (a multiple of 8)
	bodyLength int // Message.bodyLength (int64)
	length     int // RecordBatch.length (int64): rows
	buffers    int // RecordBatch.buffers[0]: 6 × {offset, length int64}
	nodes      int // RecordBatch.nodes[0]: 3 × {length, null_count int64}
}

var (
	plainLayout = metaLayout{size: metaPlainSize, bodyLength: 24, length: 64, buffers: 80, nodes: 184}
	zstdLayout  = metaLayout{size: metaZstdSize, bodyLength: 24, length: 72, buffers: 104, nodes: 208}
)

// Values of the schema's enums (Schema.fbs, Message.fbs).
const (
	fbMetadataV5        = 4 // MetadataVersion.V5
	fbHeaderRecordBatch = 3 // MessageHeader.RecordBatch
	fbCodecZstd         = 1 // CompressionType.ZSTD
)

type fbPut []byte

func (t fbPut) u8(at int, v uint8)   { t[at] = v }
func (t fbPut) u16(at int, v uint16) { binary.LittleEndian.PutUint16(t[at:], v) }
func (t fbPut) u32(at int, v uint32) { binary.LittleEndian.PutUint32(t[at:], v) }
func (t fbPut) vtable(at int, entries ...uint16) {
	for i, e := range entries {
		t.u16(at+2*i, e)
	}
}

// plainTemplate is the Message flatbuffer of a batch without compression.
var plainTemplate = func() []byte {
	t := fbPut(make([]byte, metaPlainSize))
	t.u32(0, 20) // root: Message table at 20 (4..7 padding)
	// Message vtable at 8: 12 bytes, table 22 bytes, version at +20,
	// header_type at +19, header at +12, bodyLength at +4.
	t.vtable(8, 12, 22, 20, 19, 12, 4)
	t.u32(20, 20-8) // Message table at 20
	// 24: bodyLength
	t.u32(32, 52-32) // header: RecordBatch table at 52
	t.u8(39, fbHeaderRecordBatch)
	t.u16(40, fbMetadataV5)
	// RecordBatch vtable at 42: 10 bytes, table 24 bytes, length at +12,
	// nodes at +8, buffers at +4.
	t.vtable(42, 10, 24, 12, 8, 4)
	t.u32(52, 52-42)  // RecordBatch table at 52
	t.u32(56, 76-56)  // buffers: vector at 76
	t.u32(60, 180-60) // nodes: vector at 180
	// 64: length
	t.u32(76, 6)  // 6 buffers from 80 (16 bytes each)
	t.u32(180, 3) // 3 nodes from 184 (176..179 padding)
	return t
}()

// zstdTemplate is the Message flatbuffer of a batch whose buffers are
// compressed with zstd.
var zstdTemplate = func() []byte {
	t := fbPut(make([]byte, metaZstdSize))
	t.u32(0, 20) // root: Message table at 20
	// Message vtable at 8: 12 bytes, table 24 bytes, version at +22,
	// header_type at +21, header at +16, bodyLength at +4.
	t.vtable(8, 12, 24, 22, 21, 16, 4)
	t.u32(20, 20-8) // Message table at 20
	// 24: bodyLength
	t.u32(36, 56-36) // header: RecordBatch table at 56
	t.u8(41, fbHeaderRecordBatch)
	t.u16(42, fbMetadataV5)
	// RecordBatch vtable at 44: 12 bytes, table 30 bytes, length at +16,
	// nodes at +12, buffers at +8, compression at +4.
	t.vtable(44, 12, 30, 16, 12, 8, 4)
	t.u32(56, 56-44)  // RecordBatch table at 56
	t.u32(60, 92-60)  // compression: BodyCompression table at 92
	t.u32(64, 100-64) // buffers: vector at 100
	t.u32(68, 204-68) // nodes: vector at 204
	// 72: length
	// BodyCompression vtable at 86: 6 bytes, table 8 bytes, codec at +7
	// (method is BUFFER, the default, so left out).
	t.vtable(86, 6, 8, 7)
	t.u32(92, 92-86) // BodyCompression table at 92
	t.u8(99, fbCodecZstd)
	t.u32(100, 6) // 6 buffers from 104
	t.u32(204, 3) // 3 nodes from 208 (200..203 padding)
	return t
}()

// putMessageHead writes the continuation marker, the metadata length and
// the Message flatbuffer of a batch of rows documents and vals ids into
// dst (8 + layout size bytes). bufs are the six buffers' {offset, length}
// in the body.
func putMessageHead(dst []byte, template []byte, l *metaLayout, rows, vals, bodyLength int64, bufs *[6][2]int64) {
	le := binary.LittleEndian
	le.PutUint32(dst, 0xFFFFFFFF)
	le.PutUint32(dst[4:], uint32(l.size))
	m := dst[8 : 8+l.size]
	copy(m, template)
	le.PutUint64(m[l.bodyLength:], uint64(bodyLength))
	le.PutUint64(m[l.length:], uint64(rows))
	for i, b := range bufs {
		le.PutUint64(m[l.buffers+16*i:], uint64(b[0]))
		le.PutUint64(m[l.buffers+16*i+8:], uint64(b[1]))
	}
	for i, n := range [3]int64{rows, vals, rows} {
		le.PutUint64(m[l.nodes+16*i:], uint64(n))
		// null_count stays 0 from the template
	}
}

// pad8 rounds n up to a multiple of 8, the IPC alignment of body buffers.
func pad8(n int) int { return (n + 7) &^ 7 }

// endOfStream is the stream's end marker: continuation, metadata length 0.
var endOfStream = [8]byte{0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0}

// schemaMessage is the encapsulated Schema message that starts every
// shard, as arrow/go's ipc.Writer writes it (the schema is constant, so it
// is built once).
var schemaMessage = sync.OnceValue(func() []byte {
	var buf bytes.Buffer
	w := ipc.NewWriter(&buf, ipc.WithSchema(shardSchema()))
	if err := w.Close(); err != nil {
		panic("arrowio: encoding the shard schema: " + err.Error())
	}
	// Close wrote the schema and the end-of-stream marker.
	b := buf.Bytes()
	if !bytes.HasSuffix(b, endOfStream[:]) {
		panic("arrowio: ipc.Writer's stream does not end with the end-of-stream marker")
	}
	return b[:len(b)-len(endOfStream)]
})
