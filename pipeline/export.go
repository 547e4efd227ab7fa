package pipeline

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/toklabs/tok/internal/atomicfile"
)

// FlatFormat is a flat token-file format that other trainers read.
type FlatFormat int

const (
	// NanoGPT is nanoGPT's prepare.py output: raw little-endian uint16
	// ids, no header ({train,val}.bin).
	NanoGPT FlatFormat = iota
	// LLMC is llm.c's token file: a 256 × int32 header (magic 20240520,
	// version 1, token count) then uint16 ids; for vocabularies past 65536
	// the uint32 variant (magic 20240801, version 7).
	LLMC
	// Megatron is Megatron-LM's IndexedDataset: a .bin of ids (uint16 when
	// the vocabulary is under 65500, else int32) and a .idx index with one
	// sequence per document.
	Megatron
)

var flatNames = [...]string{"nanogpt", "llmc", "megatron"}

func (f FlatFormat) String() string {
	if f >= 0 && int(f) < len(flatNames) {
		return flatNames[f]
	}
	return fmt.Sprintf("FlatFormat(%d)", int(f))
}

// ParseFlatFormat parses the names String returns.
func ParseFlatFormat(s string) (FlatFormat, error) {
	t := strings.ToLower(strings.ReplaceAll(strings.ReplaceAll(s, ".", ""), "-", ""))
	for i, n := range flatNames {
		if t == n {
			return FlatFormat(i), nil
		}
	}
	return 0, fmt.Errorf("pipeline: unknown token file format %q (want nanogpt, llmc or megatron)", s)
}

const (
	llmcMagic16   = 20240520
	llmcMagic32   = 20240801
	llmcHeaderLen = 256
)

// Export writes split of the dataset as flat token files in dir and returns
// the paths written: nanogpt → {train,val}.bin; llmc → {train,val}.bin;
// megatron → {train,val}_text_document.{bin,idx}. Files are written to a
// temporary name and renamed when complete.
func (d *Dataset) Export(format FlatFormat, split, dir string) ([]string, error) {
	s, err := d.Split(split)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	short := split
	if split == SplitValidation {
		short = "val"
	}
	vocab := d.manifest.Tokenizer.VocabSize
	switch format {
	case NanoGPT:
		if vocab > 1<<16 {
			return nil, fmt.Errorf("pipeline: nanoGPT files hold uint16 ids; vocabulary size %d is too large", vocab)
		}
		p := filepath.Join(dir, short+".bin")
		return []string{p}, writeAtomic(p, func(w io.Writer) error { return s.writeIDs(w, 2, nil) })
	case LLMC:
		if s.tokens >= 1<<31 {
			return nil, fmt.Errorf("pipeline: llm.c files hold fewer than 2^31 tokens; the split has %d", s.tokens)
		}
		width, magic, version := 2, int32(llmcMagic16), int32(1)
		if vocab > 1<<16 {
			width, magic, version = 4, llmcMagic32, 7
		}
		p := filepath.Join(dir, short+".bin")
		return []string{p}, writeAtomic(p, func(w io.Writer) error {
			var head [llmcHeaderLen]int32
			head[0], head[1], head[2] = magic, version, int32(s.tokens)
			if err := binary.Write(w, binary.LittleEndian, head[:]); err != nil {
				return err
			}
			return s.writeIDs(w, width, nil)
		})
	case Megatron:
		width, code := 2, uint8(8) // uint16
		if vocab >= 65500 {
			width, code = 4, 4 // int32
		}
		base := filepath.Join(dir, short+"_text_document")
		var lengths []int32
		err := writeAtomic(base+".bin", func(w io.Writer) error { return s.writeIDs(w, width, &lengths) })
		if err != nil {
			return nil, err
		}
		err = writeAtomic(base+".idx", func(w io.Writer) error {
			n := uint64(len(lengths))
			w.Write([]byte("MMIDIDX\x00\x00"))
			binary.Write(w, binary.LittleEndian, uint64(1))
			w.Write([]byte{code})
			binary.Write(w, binary.LittleEndian, n)
			binary.Write(w, binary.LittleEndian, n+1)
			binary.Write(w, binary.LittleEndian, lengths)
			var ptr int64
			for _, l := range lengths {
				binary.Write(w, binary.LittleEndian, ptr)
				ptr += int64(l) * int64(width)
			}
			for i := uint64(0); i <= n; i++ {
				if err := binary.Write(w, binary.LittleEndian, int64(i)); err != nil {
					return err
				}
			}
			return nil
		})
		return []string{base + ".bin", base + ".idx"}, err
	}
	return nil, fmt.Errorf("pipeline: unknown token file format %v", format)
}

// writeIDs writes every id of the split as little-endian integers of width
// bytes, one document at a time, recording document lengths when asked.
func (s *Split) writeIDs(w io.Writer, width int, lengths *[]int32) error {
	var ids []int32
	var buf []byte
	for i := int64(0); i < s.docs; i++ {
		var err error
		ids, _, err = s.Document(i, ids[:0])
		if err != nil {
			return err
		}
		buf = buf[:0]
		for _, id := range ids {
			if width == 2 {
				if uint32(id) > 0xFFFF {
					return fmt.Errorf("pipeline: id %d does not fit in uint16", id)
				}
				buf = binary.LittleEndian.AppendUint16(buf, uint16(id))
			} else {
				buf = binary.LittleEndian.AppendUint32(buf, uint32(id))
			}
		}
		if _, err := w.Write(buf); err != nil {
			return err
		}
		if lengths != nil {
			*lengths = append(*lengths, int32(len(ids)))
		}
	}
	return nil
}

// writeAtomic writes path through internal/atomicfile (temporary file,
// fsync, rename) with a 64 KiB write buffer.
func writeAtomic(path string, fill func(w io.Writer) error) error {
	return atomicfile.Write(path, func(w io.Writer) error {
		bw := bufio.NewWriterSize(w, 64<<10)
		if err := fill(bw); err != nil {
			return err
		}
		return bw.Flush()
	})
}
