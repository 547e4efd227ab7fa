package model

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/toklabs/tok/internal/atomicfile"
	"io"
	"math"
	"os"
	"sort"
)

// A safetensors file (huggingface/safetensors) is an 8-byte little-endian
// header length N, N bytes of JSON mapping each tensor name to
// {dtype, shape, data_offsets: [begin, end)} relative to the data section
// (plus an optional "__metadata__" map of strings), then the raw
// little-endian data. We write and read F32 tensors only.

// Tensor is one named float32 tensor.
type Tensor struct {
	Name  string
	Shape []int
	Data  []float32
}

// ErrCorrupt is wrapped by every error about a malformed safetensors file.
var ErrCorrupt = errors.New("model: corrupt safetensors file")

// CorruptError locates a problem in a safetensors file.
type CorruptError struct {
	File   string
	Offset int64 // byte offset in the file, -1 if not applicable
	Msg    string
}

func (e *CorruptError) Error() string {
	if e.Offset >= 0 {
		return fmt.Sprintf("%s: offset %d: %s", e.File, e.Offset, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

func (e *CorruptError) Unwrap() error { return ErrCorrupt }

type stEntry struct {
	DType   string   `json:"dtype"`
	Shape   []int    `json:"shape"`
	Offsets [2]int64 `json:"data_offsets"`
}

// WriteSafetensors writes tensors and metadata to path atomically: it
// writes a temporary file in the same directory, syncs it and renames it,
// so a crash leaves either the old file or the new one.
func WriteSafetensors(path string, tensors []Tensor, metadata map[string]string) error {
	header := map[string]any{}
	if len(metadata) > 0 {
		header["__metadata__"] = metadata
	}
	var off int64
	for _, t := range tensors {
		n := 1
		for _, d := range t.Shape {
			n *= d
		}
		if n != len(t.Data) {
			return fmt.Errorf("model: tensor %s has shape %v but %d values", t.Name, t.Shape, len(t.Data))
		}
		header[t.Name] = stEntry{DType: "F32", Shape: t.Shape, Offsets: [2]int64{off, off + 4*int64(n)}}
		off += 4 * int64(n)
	}
	js, err := json.Marshal(header)
	if err != nil {
		return err
	}
	for len(js)%8 != 0 { // align the data section
		js = append(js, ' ')
	}
	return writeAtomic(path, func(f io.Writer) error {
		w := bufio.NewWriterSize(f, 1<<20)
		var n8 [8]byte
		binary.LittleEndian.PutUint64(n8[:], uint64(len(js)))
		w.Write(n8[:])
		w.Write(js)
		var b4 [4]byte
		for _, t := range tensors {
			for _, v := range t.Data {
				binary.LittleEndian.PutUint32(b4[:], math.Float32bits(v))
				w.Write(b4[:])
			}
		}
		return w.Flush()
	})
}

// writeAtomic writes path through write so that a crash leaves either the
// old file or the new one (see package atomicfile).
func writeAtomic(path string, write func(io.Writer) error) error {
	return atomicfile.Write(path, write)
}

// ReadSafetensors reads every F32 tensor of path, sorted by data offset,
// and the metadata. Truncated or inconsistent files give a *CorruptError.
func ReadSafetensors(path string) ([]Tensor, map[string]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	bad := func(off int64, format string, args ...any) error {
		return &CorruptError{File: path, Offset: off, Msg: fmt.Sprintf(format, args...)}
	}
	if len(data) < 8 {
		return nil, nil, bad(0, "file is %d bytes, shorter than the 8-byte header length", len(data))
	}
	hn := binary.LittleEndian.Uint64(data)
	if hn > uint64(len(data)-8) {
		return nil, nil, bad(0, "header length %d exceeds the file (%d bytes): truncated?", hn, len(data))
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data[8:8+hn], &raw); err != nil {
		return nil, nil, bad(8, "header is not valid JSON: %v", err)
	}
	body := data[8+hn:]
	var meta map[string]string
	var out []Tensor
	for name, msg := range raw {
		if name == "__metadata__" {
			if err := json.Unmarshal(msg, &meta); err != nil {
				return nil, nil, bad(8, "__metadata__ is not a map of strings: %v", err)
			}
			continue
		}
		var e stEntry
		if err := json.Unmarshal(msg, &e); err != nil {
			return nil, nil, bad(8, "tensor %s: %v", name, err)
		}
		if e.DType != "F32" {
			return nil, nil, bad(8, "tensor %s has dtype %s, only F32 is supported", name, e.DType)
		}
		n := int64(1)
		for _, d := range e.Shape {
			if d < 0 {
				return nil, nil, bad(8, "tensor %s has negative dimension", name)
			}
			n *= int64(d)
		}
		b, en := e.Offsets[0], e.Offsets[1]
		if b < 0 || en < b || en-b != 4*n {
			return nil, nil, bad(8, "tensor %s: offsets %v do not match shape %v", name, e.Offsets, e.Shape)
		}
		if en > int64(len(body)) {
			return nil, nil, bad(8+int64(hn)+b, "tensor %s ends at data byte %d but the data section has %d bytes: truncated", name, en, len(body))
		}
		t := Tensor{Name: name, Shape: e.Shape, Data: make([]float32, n)}
		for i := range t.Data {
			t.Data[i] = math.Float32frombits(binary.LittleEndian.Uint32(body[b+4*int64(i):]))
		}
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool {
		return entryOffset(raw[out[i].Name]) < entryOffset(raw[out[j].Name])
	})
	return out, meta, nil
}

func entryOffset(msg json.RawMessage) int64 {
	var e stEntry
	json.Unmarshal(msg, &e)
	return e.Offsets[0]
}
