package directfile

import (
	"bufio"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/toklabs/tok/internal/cputime"
)

// BenchmarkFile_Write writes 256 MiB in 1 MiB pieces (what the pipeline's
// bufio.Writer hands on) or 4 KiB pieces and syncs, with a File and with bufio.Writer on
// os.File, in the benchmark's temporary directory (set TMPDIR to choose
// the filesystem). cpu-s/GB is the process's user+system CPU time per 10^9
// bytes; it leaves out the kernel's writeback threads, which only the
// buffered writer keeps busy.
func BenchmarkFile_Write(b *testing.B) {
	const total = 256 << 20
	data := testData(1<<20, 80)
	type writer struct {
		w      io.Writer
		close  func() error
		direct bool
	}
	openBufio := func(name string) (writer, error) {
		f, err := os.Create(name)
		if err != nil {
			return writer{}, err
		}
		bw := bufio.NewWriterSize(f, 1<<20)
		return writer{bw, func() error {
			if err := bw.Flush(); err != nil {
				return err
			}
			if err := f.Sync(); err != nil {
				return err
			}
			return f.Close()
		}, false}, nil
	}
	openFile := func(bufSize int) func(string) (writer, error) {
		return func(name string) (writer, error) {
			f, err := create(name, config{bufSize: bufSize})
			if err != nil {
				return writer{}, err
			}
			return writer{f, f.Close, f.Direct()}, nil
		}
	}
	benches := []struct {
		name  string
		open  func(string) (writer, error)
		piece int
	}{
		{"bufio/piece=1MiB", openBufio, 1 << 20},
		{"directfile/piece=1MiB", openFile(BufferSize), 1 << 20},
		{"directfile/piece=1MiB/buffer=1MiB", openFile(1 << 20), 1 << 20},
		{"directfile/piece=1MiB/buffer=8MiB", openFile(8 << 20), 1 << 20},
		{"bufio/piece=4KiB", openBufio, 4 << 10},
		{"directfile/piece=4KiB", openFile(BufferSize), 4 << 10},
	}
	for _, bc := range benches {
		b.Run(bc.name, func(b *testing.B) {
			name := filepath.Join(b.TempDir(), "out")
			piece := data[:bc.piece]
			b.SetBytes(total)
			b.ReportAllocs()
			direct := false
			cpu0, ok := cputime.Process()
			for b.Loop() {
				w, err := bc.open(name)
				if err != nil {
					b.Fatal(err)
				}
				direct = w.direct
				for n := 0; n < total; n += len(piece) {
					if _, err := w.w.Write(piece); err != nil {
						b.Fatal(err)
					}
				}
				if err := w.close(); err != nil {
					b.Fatal(err)
				}
			}
			cpu1, _ := cputime.Process()
			if ok {
				b.ReportMetric((cpu1-cpu0).Seconds()/(float64(b.N)*total/1e9), "cpu-s/GB")
			}
			b.ReportMetric(map[bool]float64{false: 0, true: 1}[direct], "direct")
			os.Remove(name)
		})
	}
}
