package corpora

import (
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/klauspost/compress/zstd"

	"github.com/toklabs/tok/internal/sharedtest"
)

// benchInputs are the input classes of the reading benchmarks: plain text
// a document per line (en-large.txt.zst decompressed into a temporary
// file first), the same as zstd-compressed JSON Lines, and plain JSON
// Lines (the same decompressed).
func benchInputs(b *testing.B) []struct {
	name  string
	input Input
} {
	decompress := func(name string) string {
		src := sharedtest.Path(b, "corpora/"+name+".zst")
		f, err := os.Open(src)
		if err != nil {
			b.Fatal(err)
		}
		defer f.Close()
		zr, err := zstd.NewReader(f)
		if err != nil {
			b.Fatal(err)
		}
		defer zr.Close()
		dst := filepath.Join(b.TempDir(), name)
		out, err := os.Create(dst)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := io.Copy(out, zr); err != nil {
			b.Fatal(err)
		}
		if err := out.Close(); err != nil {
			b.Fatal(err)
		}
		return dst
	}
	input := func(path string) Input {
		fi, err := os.Stat(path)
		if err != nil {
			b.Fatal(err)
		}
		return Input{Path: path, Size: fi.Size()}
	}
	return []struct {
		name  string
		input Input
	}{
		{"lines", input(decompress("en-large.txt"))},
		{"jsonl", input(decompress("en-large.jsonl"))},
		{"jsonl.zst", input(sharedtest.Path(b, "corpora/en-large.jsonl.zst"))},
	}
}

// BenchmarkCorpus_ReadBatch reads a corpus in 512 KiB batches, as the
// pipeline's readers do: decompression, line cutting, UTF-8 checks and
// JSON text fields unescaped in place. MB/s counts document text.
func BenchmarkCorpus_ReadBatch(b *testing.B) {
	for _, c := range benchInputs(b) {
		b.Run(c.name, func(b *testing.B) {
			var text int64
			var batch Batch
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				text = 0
				r := OpenInputs([]Input{c.input}, DefaultOptions())
				for {
					err := r.ReadBatch(&batch, 512<<10)
					if err == io.EOF {
						break
					}
					if err != nil {
						b.Fatal(err)
					}
					text += int64(batch.TextBytes())
				}
				r.Close()
			}
			b.SetBytes(text)
		})
	}
}

// BenchmarkCorpus_Read reads the same documents one at a time.
func BenchmarkCorpus_Read(b *testing.B) {
	for _, c := range benchInputs(b) {
		b.Run(c.name, func(b *testing.B) {
			var text int64
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				text = 0
				r := OpenInputs([]Input{c.input}, DefaultOptions())
				for {
					d, err := r.Read()
					if err == io.EOF {
						break
					}
					if err != nil {
						b.Fatal(err)
					}
					text += int64(len(d.Text))
				}
				r.Close()
			}
			b.SetBytes(text)
		})
	}
}
