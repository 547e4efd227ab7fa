package model

import (
	"encoding/binary"
	"errors"
	"math"
	"os"
	"path/filepath"
	"testing"

	st "github.com/nlpodyssey/safetensors"
)

// TestSafetensorsReadByAnotherLibrary checks that a checkpoint written by
// WriteSafetensors loads in an independent implementation of the format
// (nlpodyssey/safetensors, a Go port of huggingface/safetensors), with the
// same names, dtype, shapes, values and metadata.
func TestSafetensorsReadByAnotherLibrary(t *testing.T) {
	c := tinyConfig(PosLearned, LayerNorm)
	m, err := New(c, 5)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "m.safetensors")
	meta := map[string]string{"format": checkpointFormat, "note": "x"}
	want := namedTensors(c, m.Params, "")
	if err := WriteSafetensors(path, want, meta); err != nil {
		t.Fatal(err)
	}
	buf, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	got, err := st.Deserialize(buf)
	if err != nil {
		t.Fatalf("nlpodyssey/safetensors rejects our file: %v", err)
	}
	if got.Len() != len(want) {
		t.Fatalf("%d tensors, want %d", got.Len(), len(want))
	}
	if _, md, err := st.ReadMetadata(buf); err != nil || md.Metadata()["note"] != "x" {
		t.Errorf("metadata %v, %v", md.Metadata(), err)
	}
	for _, w := range want {
		tv, ok := got.Tensor(w.Name)
		if !ok {
			t.Fatalf("tensor %s missing", w.Name)
		}
		if tv.DType() != st.F32 || len(tv.Shape()) != len(w.Shape) {
			t.Fatalf("%s: dtype %v shape %v", w.Name, tv.DType(), tv.Shape())
		}
		for i, d := range w.Shape {
			if tv.Shape()[i] != uint64(d) {
				t.Fatalf("%s: shape %v, want %v", w.Name, tv.Shape(), w.Shape)
			}
		}
		data := tv.Data()
		for i, v := range w.Data {
			if math.Float32frombits(binary.LittleEndian.Uint32(data[4*i:])) != v {
				t.Fatalf("%s[%d] differs", w.Name, i)
			}
		}
	}
	// and ours reads what it wrote
	back, meta2, err := ReadSafetensors(path)
	if err != nil || len(back) != len(want) || meta2["note"] != "x" {
		t.Fatalf("ReadSafetensors: %d tensors, %v, %v", len(back), meta2, err)
	}
	for i := range want {
		if back[i].Name != want[i].Name {
			t.Fatalf("tensor %d is %s, want %s (storage order)", i, back[i].Name, want[i].Name)
		}
	}
}

// FuzzReadSafetensors: any byte string gives tensors or an error wrapping
// ErrCorrupt (or a JSON error for the header), never a panic.
func FuzzReadSafetensors(f *testing.F) {
	dir := f.TempDir()
	good := filepath.Join(dir, "good")
	WriteSafetensors(good, []Tensor{{Name: "a", Shape: []int{2, 2}, Data: []float32{1, 2, 3, 4}}}, map[string]string{"k": "v"})
	seed, _ := os.ReadFile(good)
	f.Add(seed)
	f.Add(seed[:20])
	f.Add([]byte{8, 0, 0, 0, 0, 0, 0, 0, '{', '}', ' ', ' ', ' ', ' ', ' ', ' '})
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(t.TempDir(), "x")
		os.WriteFile(p, data, 0o644)
		tensors, _, err := ReadSafetensors(p)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("error %v does not wrap ErrCorrupt", err)
			}
			return
		}
		for _, x := range tensors {
			n := 1
			for _, d := range x.Shape {
				n *= d
			}
			if n != len(x.Data) {
				t.Fatalf("tensor %s: shape %v, %d values", x.Name, x.Shape, len(x.Data))
			}
		}
	})
}
