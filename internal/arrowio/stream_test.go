package arrowio

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math/rand/v2"
	"testing"
)

// streamCase is a run of documents written with given batch limits.
type streamCase struct {
	name             string
	zstd             bool
	maxRows, maxVals int
	docs             [][]uint32
}

// writeAppend writes c's documents one Append each, through the writer
// mk makes (NewBatchWriter or the ipc.Writer reference).
func writeAppend(t testing.TB, mk func(w *bytes.Buffer) *BatchWriter, docs [][]uint32) []byte {
	var buf bytes.Buffer
	w := mk(&buf)
	for i, d := range docs {
		if err := w.Append(d, int64(3*i+1)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// writeAppendDocs writes docs with AppendDocs, cutting them into runs of
// the given lengths (cycled), each run's ids back to back from a base.
func writeAppendDocs(t testing.TB, docs [][]uint32, zstd bool, maxRows, maxVals int, runs []int) []byte {
	var buf bytes.Buffer
	w := NewBatchWriter(&buf, zstd, maxRows, maxVals)
	base := 1000 // the ids' position in some larger buffer
	for i, r := 0, 0; i < len(docs); r++ {
		k := min(runs[r%len(runs)], len(docs)-i)
		var ids []uint32
		var ends []int
		var nb []int64
		for j := i; j < i+k; j++ {
			ids = append(ids, docs[j]...)
			ends = append(ends, base+len(ids))
			nb = append(nb, int64(3*j+1))
		}
		if err := w.AppendDocs(ids, ends, base, nb); err != nil {
			t.Fatal(err)
		}
		base += len(ids)
		i += k
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func refWriter(zstd bool, maxRows, maxVals int) func(*bytes.Buffer) *BatchWriter {
	return func(w *bytes.Buffer) *BatchWriter { return newBatchWriterIPC(w, zstd, maxRows, maxVals) }
}

func fastWriter(zstd bool, maxRows, maxVals int) func(*bytes.Buffer) *BatchWriter {
	return func(w *bytes.Buffer) *BatchWriter { return NewBatchWriter(w, zstd, maxRows, maxVals) }
}

// checkStream holds the fast writer's streams (Append, and AppendDocs in
// several run lengths) to arrow/go's ipc.Writer's, byte for byte, and
// reads the documents back.
func checkStream(t *testing.T, c streamCase, runs ...[]int) {
	t.Helper()
	want := writeAppend(t, refWriter(c.zstd, c.maxRows, c.maxVals), c.docs)
	got := writeAppend(t, fastWriter(c.zstd, c.maxRows, c.maxVals), c.docs)
	if at := firstDiff(got, want); at >= 0 {
		t.Fatalf("%s: Append: stream differs from ipc.Writer's at byte %d of %d/%d", c.name, at, len(got), len(want))
	}
	for _, r := range runs {
		got := writeAppendDocs(t, c.docs, c.zstd, c.maxRows, c.maxVals, r)
		if at := firstDiff(got, want); at >= 0 {
			t.Fatalf("%s: AppendDocs in runs of %v: stream differs from ipc.Writer's at byte %d of %d/%d", c.name, r, at, len(got), len(want))
		}
	}
	i := 0
	err := ReadShard(bytes.NewReader(got), func(ids []int32, nb int64) error {
		if i >= len(c.docs) {
			return fmt.Errorf("more than %d documents", len(c.docs))
		}
		if nb != int64(3*i+1) || fmt.Sprint(ids) != fmt.Sprint(asInt32(c.docs[i])) {
			return fmt.Errorf("document %d: got %v %d, want %v %d", i, ids, nb, c.docs[i], 3*i+1)
		}
		i++
		return nil
	})
	if err == nil && i != len(c.docs) {
		err = fmt.Errorf("read %d documents of %d", i, len(c.docs))
	}
	if err != nil {
		t.Fatalf("%s: ReadShard: %v", c.name, err)
	}
}

func asInt32(ids []uint32) []int32 {
	r := make([]int32, len(ids))
	for i, v := range ids {
		r[i] = int32(v)
	}
	return r
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	if len(a) != len(b) {
		return min(len(a), len(b))
	}
	return -1
}

func seqDocs(lens ...int) [][]uint32 {
	docs := make([][]uint32, len(lens))
	v := uint32(0)
	for i, n := range lens {
		docs[i] = make([]uint32, n)
		for j := range docs[i] {
			docs[i][j] = v
			v += 7919
		}
	}
	return docs
}

func TestBatchWriterMatchesIPCWriter(t *testing.T) {
	many := make([]int, 2500)
	for i := range many {
		many[i] = (i * 7) % 13
	}
	cases := []streamCase{
		{name: "no documents", maxRows: 1000, maxVals: 1 << 20},
		{name: "one empty document", maxRows: 1000, maxVals: 1 << 20, docs: seqDocs(0)},
		{name: "empty documents only", maxRows: 3, maxVals: 10, docs: seqDocs(0, 0, 0, 0, 0, 0, 0)},
		{name: "one row", maxRows: 1000, maxVals: 1 << 20, docs: seqDocs(5)},
		{name: "odd row count and odd ids", maxRows: 1000, maxVals: 1 << 20, docs: seqDocs(3, 0, 1)},
		{name: "largest ids", maxRows: 1000, maxVals: 1 << 20, docs: [][]uint32{{1<<31 - 1, 0, 1<<31 - 1}, {1<<31 - 1}}},
		{name: "ids above 2^31 keep their bits", maxRows: 4, maxVals: 100, docs: [][]uint32{{1 << 31, 1<<32 - 1}, {}}},
		{name: "maxRows hit", maxRows: 2, maxVals: 1 << 20, docs: seqDocs(1, 2, 3, 4, 0, 5)},
		{name: "maxRows 1", maxRows: 1, maxVals: 1 << 20, docs: seqDocs(1, 0, 3)},
		{name: "maxVals hit exactly", maxRows: 1000, maxVals: 4, docs: seqDocs(2, 2, 0, 4, 1, 3, 0, 0)},
		{name: "maxVals overshot", maxRows: 1000, maxVals: 4, docs: seqDocs(3, 3, 9, 1, 5, 0)},
		{name: "document larger than maxVals", maxRows: 1000, maxVals: 4, docs: seqDocs(10, 0, 11)},
		{name: "both limits", maxRows: 3, maxVals: 8, docs: seqDocs(many[:200]...)},
		{name: "1000-row batches", maxRows: 1000, maxVals: 4 << 20, docs: seqDocs(many...)},
		{name: "rows beyond the first reservation", maxRows: 70000, maxVals: 1 << 20, docs: seqDocs(make([]int, 70001)...)},
	}
	for _, c := range cases {
		for _, zstd := range []bool{false, true} {
			c := c
			c.zstd = zstd
			c.name = fmt.Sprintf("%s/zstd=%v", c.name, zstd)
			checkStream(t, c, []int{1}, []int{2, 5}, []int{7, 1, 300}, []int{1 << 30})
		}
	}
}

// TestBatchWriterLargeBatch writes batches of a few million ids, which grow
// the writer's buffers past their first size.
func TestBatchWriterLargeBatch(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	lens := make([]int, 300)
	for i := range lens {
		lens[i] = rng.IntN(20000)
	}
	checkStream(t, streamCase{name: "large", maxRows: 1000, maxVals: 2 << 20, docs: seqDocs(lens...)}, []int{1}, []int{37}, []int{1000})
}

func TestAppendDocsRejectsBadEnds(t *testing.T) {
	var buf bytes.Buffer
	w := NewBatchWriter(&buf, false, 10, 100)
	for _, c := range []struct {
		name string
		ids  []uint32
		ends []int
		nb   []int64
	}{
		{"ends and numBytes differ in length", []uint32{1}, []int{1}, []int64{1, 2}},
		{"last end is not len(ids)", []uint32{1, 2}, []int{1}, []int64{1}},
		{"ends decrease", []uint32{1, 2}, []int{2, 1, 2}, []int64{1, 2, 3}},
		{"first end before base", []uint32{}, []int{-1, 0}, []int64{1, 2}},
	} {
		if err := w.AppendDocs(c.ids, c.ends, 0, c.nb); err == nil {
			t.Errorf("%s: want an error", c.name)
		}
	}
}

// FuzzBatchWriter_Stream holds Append and AppendDocs to arrow/go's
// ipc.Writer on random documents, limits and runs.
func FuzzBatchWriter_Stream(f *testing.F) {
	f.Add([]byte("\x03\x05\x00\x02abcdefghijklmnop"), false)
	f.Add([]byte("\x01\x01\x01\x00\x00\x07zzzzzzzzzzzzzzzzzzzzzzzzzzzz"), true)
	f.Add([]byte("\x10\x40\x05\x0b\x0b\x00\x0b\xff\xff\xff\xff\x7f\x00\x00\x00"), false)
	f.Fuzz(func(t *testing.T, data []byte, zstd bool) {
		if len(data) < 3 {
			return
		}
		c := streamCase{zstd: zstd, maxRows: int(data[0]%16) + 1, maxVals: int(data[1]%64) + 1, name: "fuzz"}
		runs := []int{int(data[2]%9) + 1, int(data[2]/9%5) + 1}
		data = data[3:]
		var v uint32 = 1
		for len(data) > 0 && len(c.docs) < 500 {
			n := int(data[0] % 24)
			data = data[1:]
			d := make([]uint32, n)
			for j := range d {
				if len(data) >= 4 && data[0]&0x80 != 0 {
					v = binary.LittleEndian.Uint32(data)
					data = data[4:]
				} else {
					v = v*2654435761 + 1
				}
				d[j] = v
			}
			c.docs = append(c.docs, d)
		}
		checkStream(t, c, runs, []int{1})
	})
}

// TestBatchWriterNoAllocsPerBatch checks that once its buffers have grown,
// a BatchWriter writes batches without allocating (arrow/go's ipc.Writer
// made ~47 allocations per batch).
func TestBatchWriterNoAllocsPerBatch(t *testing.T) {
	docs, _ := benchDocs(3000)
	ids, ends, nb := backToBack(docs)
	for _, zstd := range []bool{false, true} {
		w := NewBatchWriter(io.Discard, zstd, 1000, 4<<20)
		write := func() {
			for k, d := range docs {
				if err := w.Append(d, int64(k)); err != nil {
					t.Fatal(err)
				}
			}
			if err := w.AppendDocs(ids, ends, 0, nb); err != nil {
				t.Fatal(err)
			}
		}
		write() // the buffers grow to their size
		if a := testing.AllocsPerRun(5, write); a != 0 {
			t.Errorf("zstd %v: %v allocations per 6 batches, want 0", zstd, a)
		}
	}
}

// backToBack lays docs out as AppendDocs takes them, from base 0.
func backToBack(docs [][]uint32) (ids []uint32, ends []int, numBytes []int64) {
	for k, d := range docs {
		ids = append(ids, d...)
		ends = append(ends, len(ids))
		numBytes = append(numBytes, int64(k))
	}
	return ids, ends, numBytes
}
