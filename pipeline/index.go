package pipeline

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"unsafe"

	"github.com/toklabs/tok"
)

// This file reads the framing of an Arrow IPC stream shard without the
// Arrow library: the message headers (flatbuffers) give, for every record
// batch, where its buffers lie in the file. With uncompressed shards the
// Dataset reader then reads token windows straight from the file with
// ReadAt, never decoding a whole batch. The layout facts come from the
// Arrow columnar format spec (Message.fbs, Schema.fbs, the encapsulated
// message format).

// batchIndex locates one record batch of a shard.
type batchIndex struct {
	rows       int64
	tokens     int64
	firstToken int64 // index of the batch's first token within the shard
	firstDoc   int64 // index of the batch's first document within the shard
	offsetsAt  int64 // file offset of the list offsets buffer (int32 × rows+1)
	valuesAt   int64 // file offset of the ids buffer (int32 × tokens)
	numBytesAt int64 // file offset of the num_bytes buffer (int64 × rows)
	msgStart   int64 // the whole message, for the slow path
	msgEnd     int64
	compressed bool
}

type shardIndex struct {
	path       string
	f          *os.File
	schemaEnd  int64 // the schema message is [0, schemaEnd)
	batches    []batchIndex
	tokens     int64
	docs       int64
	compressed bool
}

const (
	msgHeaderSchema      = 1
	msgHeaderRecordBatch = 3
)

var errShardFormat = errors.New("not an Arrow IPC stream of tok shards")

// indexShard scans the messages of the shard at path.
func indexShard(path string) (*shardIndex, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	ix, err := scanShard(f, fi.Size(), path)
	if err != nil {
		f.Close()
		return nil, err
	}
	ix.f = f
	return ix, nil
}

// scanShard reads the message framing of a shard of size bytes.
func scanShard(f io.ReaderAt, size int64, path string) (*shardIndex, error) {
	ix := &shardIndex{path: path}
	bad := func(off int64, msg string) error {
		return &tok.FormatError{File: path, Offset: off, Msg: msg, Err: errShardFormat}
	}
	var pos int64
	var head [8]byte
	var meta []byte
	for {
		start := pos
		if _, err := f.ReadAt(head[:4], pos); err != nil {
			return nil, bad(pos, "truncated stream (no end-of-stream marker)")
		}
		pos += 4
		metaLen := int64(int32(binary.LittleEndian.Uint32(head[:4])))
		if metaLen == -1 { // continuation marker, then the length
			if _, err := f.ReadAt(head[:4], pos); err != nil {
				return nil, bad(pos, "truncated message length")
			}
			pos += 4
			metaLen = int64(int32(binary.LittleEndian.Uint32(head[:4])))
		}
		if metaLen == 0 {
			break // end of stream
		}
		if metaLen < 0 || metaLen > 1<<26 || pos+metaLen > size {
			return nil, bad(start, fmt.Sprintf("bad message length %d", metaLen))
		}
		if int64(cap(meta)) < metaLen {
			meta = make([]byte, metaLen)
		}
		meta = meta[:metaLen]
		if _, err := f.ReadAt(meta, pos); err != nil {
			return nil, bad(pos, "truncated message metadata")
		}
		pos += metaLen
		m, err := parseMessage(meta)
		if err != nil {
			return nil, bad(start, err.Error())
		}
		bodyAt := pos
		if m.bodyLen > size-pos {
			return nil, bad(start, "message body past the end of the file")
		}
		pos += m.bodyLen
		switch m.header {
		case msgHeaderSchema:
			if len(ix.batches) > 0 || ix.schemaEnd != 0 {
				return nil, bad(start, "second schema message")
			}
			ix.schemaEnd = pos
		case msgHeaderRecordBatch:
			if ix.schemaEnd == 0 {
				return nil, bad(start, "record batch before the schema")
			}
			if len(m.buffers) != 6 {
				return nil, bad(start, fmt.Sprintf("record batch has %d buffers, want 6 (input_ids, num_bytes)", len(m.buffers)))
			}
			if m.length < 0 {
				return nil, bad(start, "negative row count")
			}
			for _, b := range m.buffers {
				if b[0] < 0 || b[1] < 0 || b[0] > m.bodyLen || b[1] > m.bodyLen-b[0] {
					return nil, bad(start, "buffer outside the message body")
				}
			}
			for _, n := range m.nodes {
				if n < 0 {
					return nil, bad(start, "negative node length")
				}
			}
			b := batchIndex{
				rows:       m.length,
				firstToken: ix.tokens,
				firstDoc:   ix.docs,
				offsetsAt:  bodyAt + m.buffers[1][0],
				valuesAt:   bodyAt + m.buffers[3][0],
				numBytesAt: bodyAt + m.buffers[5][0],
				msgStart:   start,
				msgEnd:     pos,
				compressed: m.compressed,
			}
			if m.compressed {
				ix.compressed = true
				if len(m.nodes) < 2 {
					return nil, bad(start, "record batch without the ids node")
				}
				b.tokens = m.nodes[1]
			} else {
				b.tokens = m.buffers[3][1] / 4
				if m.buffers[1][1] < 4*(m.length+1) || m.buffers[5][1] < 8*m.length {
					return nil, bad(start, "record batch buffers shorter than its rows")
				}
			}
			ix.batches = append(ix.batches, b)
			ix.tokens += b.tokens
			ix.docs += b.rows
		default:
			return nil, bad(start, fmt.Sprintf("unexpected message type %d", m.header))
		}
	}
	if ix.schemaEnd == 0 {
		return nil, bad(0, "no schema message")
	}
	return ix, nil
}

type message struct {
	header     uint8
	bodyLen    int64
	length     int64      // rows of a record batch
	nodes      []int64    // field node lengths
	buffers    [][2]int64 // offset, length within the body
	compressed bool
}

// fb is a minimal flatbuffers table reader.
type fb struct {
	b   []byte
	pos int
}

func (t fb) u32(p int) (uint32, bool) {
	if p < 0 || p+4 > len(t.b) {
		return 0, false
	}
	return binary.LittleEndian.Uint32(t.b[p:]), true
}

// field returns the position of field i, or 0 when absent.
func (t fb) field(i int) int {
	so, ok := t.u32(t.pos)
	if !ok {
		return 0
	}
	vt := t.pos - int(int32(so))
	if vt < 0 || vt+4 > len(t.b) {
		return 0
	}
	vtSize := int(binary.LittleEndian.Uint16(t.b[vt:]))
	o := 4 + 2*i
	if o+2 > vtSize || vt+o+2 > len(t.b) {
		return 0
	}
	off := int(binary.LittleEndian.Uint16(t.b[vt+o:]))
	if off == 0 {
		return 0
	}
	return t.pos + off
}

func (t fb) int64At(p int) int64 {
	if p <= 0 || p+8 > len(t.b) {
		return 0
	}
	return int64(binary.LittleEndian.Uint64(t.b[p:]))
}

// deref follows an offset field to the table or vector it points to.
func (t fb) deref(p int) (int, bool) {
	if p == 0 {
		return 0, false
	}
	u, ok := t.u32(p)
	if !ok {
		return 0, false
	}
	q := p + int(u)
	return q, q < len(t.b)
}

func parseMessage(b []byte) (message, error) {
	var m message
	root, ok := (fb{b: b}).u32(0)
	if !ok || int(root) >= len(b) {
		return m, errors.New("bad message flatbuffer")
	}
	msg := fb{b: b, pos: int(root)}
	if p := msg.field(1); p > 0 && p < len(b) {
		m.header = b[p]
	}
	m.bodyLen = msg.int64At(msg.field(3))
	if m.bodyLen < 0 {
		return m, errors.New("negative body length")
	}
	if m.header != msgHeaderRecordBatch {
		return m, nil
	}
	hp, ok := msg.deref(msg.field(2))
	if !ok {
		return m, errors.New("record batch message without header")
	}
	rb := fb{b: b, pos: hp}
	m.length = rb.int64At(rb.field(0))
	if vp, ok := rb.deref(rb.field(1)); ok {
		n, _ := rb.u32(vp)
		for i := 0; i < int(n) && vp+4+16*i+16 <= len(b); i++ {
			m.nodes = append(m.nodes, int64(binary.LittleEndian.Uint64(b[vp+4+16*i:])))
		}
	}
	if vp, ok := rb.deref(rb.field(2)); ok {
		n, _ := rb.u32(vp)
		for i := 0; i < int(n); i++ {
			p := vp + 4 + 16*i
			if p+16 > len(b) {
				return m, errors.New("buffer list past the metadata")
			}
			m.buffers = append(m.buffers, [2]int64{int64(binary.LittleEndian.Uint64(b[p:])), int64(binary.LittleEndian.Uint64(b[p+8:]))})
		}
	}
	m.compressed = rb.field(3) != 0
	return m, nil
}

// readInt32s reads len(dst) little-endian int32 values at off.
func readInt32s(r io.ReaderAt, off int64, dst []int32) error {
	if len(dst) == 0 {
		return nil
	}
	if _, err := r.ReadAt(bytesOf(dst), off); err != nil {
		return err
	}
	if !littleEndian {
		for i, v := range dst {
			dst[i] = int32(binary.LittleEndian.Uint32(bytesOf([]int32{v})))
		}
	}
	return nil
}

var littleEndian = binary.NativeEndian.Uint16([]byte{1, 0}) == 1

func bytesOf(s []int32) []byte {
	if len(s) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&s[0])), 4*len(s))
}
