package pipeline

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestExport writes each flat format and reads it back by its published
// layout: every id, the headers, and Megatron's index.
func TestExport(t *testing.T) {
	cfg := testConfig(t, filepath.Join(t.TempDir(), "ds"))
	cfg.ShardBytes = 256 << 10
	encodeAll(t, cfg, testInputs(t)[:12])
	ds, err := OpenDataset(cfg.Out)
	if err != nil {
		t.Fatal(err)
	}
	defer ds.Close()
	for _, name := range splitNames {
		s, _ := ds.Split(name)
		want, _ := s.ReadWindow(0, int(s.NumTokens()), nil)
		u16 := func(b []byte) []int32 {
			out := make([]int32, len(b)/2)
			for i := range out {
				out[i] = int32(binary.LittleEndian.Uint16(b[2*i:]))
			}
			return out
		}
		// nanoGPT: bare uint16.
		paths, err := ds.Export(NanoGPT, name, filepath.Join(cfg.Out, "nanogpt"))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := os.ReadFile(paths[0])
		if !slices.Equal(u16(b), want) {
			t.Fatalf("%s: nanoGPT ids differ", name)
		}
		// llm.c: 256 int32 header, then uint16.
		paths, err = ds.Export(LLMC, name, filepath.Join(cfg.Out, "llmc"))
		if err != nil {
			t.Fatal(err)
		}
		b, _ = os.ReadFile(paths[0])
		magic, version, ntok := binary.LittleEndian.Uint32(b), binary.LittleEndian.Uint32(b[4:]), binary.LittleEndian.Uint32(b[8:])
		if magic != 20240520 || version != 1 || int64(ntok) != s.NumTokens() || len(b) != 1024+2*int(ntok) {
			t.Fatalf("%s: llm.c header %d %d %d, size %d", name, magic, version, ntok, len(b))
		}
		if !slices.Equal(u16(b[1024:]), want) {
			t.Fatalf("%s: llm.c ids differ", name)
		}
		// Megatron: .bin + .idx.
		paths, err = ds.Export(Megatron, name, filepath.Join(cfg.Out, "megatron"))
		if err != nil {
			t.Fatal(err)
		}
		bin, _ := os.ReadFile(paths[0])
		idx, _ := os.ReadFile(paths[1])
		if string(idx[:9]) != "MMIDIDX\x00\x00" || binary.LittleEndian.Uint64(idx[9:]) != 1 || idx[17] != 8 {
			t.Fatalf("%s: Megatron header %q", name, idx[:18])
		}
		nseq := int(binary.LittleEndian.Uint64(idx[18:]))
		ndoc := int(binary.LittleEndian.Uint64(idx[26:]))
		if int64(nseq) != s.NumDocuments() || ndoc != nseq+1 || len(idx) != 34+4*nseq+8*nseq+8*ndoc {
			t.Fatalf("%s: Megatron index: %d sequences, %d docs, %d bytes", name, nseq, ndoc, len(idx))
		}
		lens := idx[34:]
		ptrs := idx[34+4*nseq:]
		for i := 0; i < nseq; i++ {
			l := int(binary.LittleEndian.Uint32(lens[4*i:]))
			p := int(binary.LittleEndian.Uint64(ptrs[8*i:]))
			doc, _, _ := s.Document(int64(i), nil)
			if l != len(doc) || !slices.Equal(u16(bin[p:p+2*l]), doc) {
				t.Fatalf("%s: Megatron sequence %d differs", name, i)
			}
		}
	}
}
