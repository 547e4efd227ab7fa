package directfile

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// testBuf is the buffer size of the tests that cross many buffers quickly.
const testBuf = 4 * BlockSize

// testData returns n pseudo-random bytes, the same for the same seed.
func testData(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 0))
	p := make([]byte, n)
	for i := range p {
		p[i] = byte(r.Uint32())
	}
	return p
}

// testDir is a directory to write in, with what Direct must report there.
type testDir struct {
	name string
	path string
	// wantDirect is what Direct must report; known is false where the
	// filesystem may go either way.
	wantDirect, known bool
}

// testDirs returns the directories the tests write in: t.TempDir, a
// directory beside the package (the repository's filesystem, ext4 on the
// development VM) and /dev/shm where it exists (tmpfs).
func testDirs(t *testing.T) []testDir {
	t.Helper()
	work, err := os.MkdirTemp(".", ".directfile-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(work) })
	paths := []struct{ name, path string }{{"tempdir", t.TempDir()}, {"workdir", work}}
	if st, err := os.Stat("/dev/shm"); err == nil && st.IsDir() {
		shm, err := os.MkdirTemp("/dev/shm", "directfile-test-")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.RemoveAll(shm) })
		paths = append(paths, struct{ name, path string }{"devshm", shm})
	}
	var dirs []testDir
	for _, p := range paths {
		want, known := expectDirect(t, p.path)
		dirs = append(dirs, testDir{p.name, p.path, want, known})
	}
	return dirs
}

// writeAll writes data in pieces of the given sizes (the rest, if any, in
// one last piece), checking n and Size after each.
func writeAll(t testing.TB, f *File, data []byte, sizes []int) {
	t.Helper()
	off := 0
	for _, n := range append(sizes, len(data)) {
		n = min(n, len(data)-off)
		got, err := f.Write(data[off : off+n])
		if err != nil || got != n {
			t.Fatalf("Write(%d bytes at %d) = %d, %v", n, off, got, err)
		}
		off += n
		if f.Size() != int64(off) {
			t.Fatalf("Size() = %d after %d bytes", f.Size(), off)
		}
	}
}

func checkFile(t testing.TB, name string, want []byte) {
	t.Helper()
	got, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("%s holds %d bytes, want %d", name, len(got), len(want))
	}
	if i := firstDiff(got, want); i >= 0 {
		t.Fatalf("%s differs at byte %d: %#x, want %#x", name, i, got[i], want[i])
	}
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

// randomSizes returns sizes drawn from the edge cases around blocks and
// buffers of size buf, and random ones, adding up to about total.
func randomSizes(seed uint64, buf, total int) []int {
	r := rand.New(rand.NewPCG(seed, 1))
	edges := []int{0, 1, BlockSize - 1, BlockSize, BlockSize + 1, buf - 1, buf, buf + 1, 3*buf + 17}
	var sizes []int
	for sum := 0; sum < total; {
		n := edges[r.IntN(len(edges))]
		if r.IntN(3) == 0 {
			n = r.IntN(2 * buf)
		}
		sizes = append(sizes, n)
		sum += n
	}
	return sizes
}

func TestFile_Write(t *testing.T) {
	const mb = 1 << 20
	tests := []struct {
		name    string
		bufSize int
		total   int
		sizes   []int // pieces; the rest of total is written last
	}{
		{"empty", BufferSize, 0, nil},
		{"zero-byte write", BufferSize, 0, []int{0}},
		{"one byte", BufferSize, 1, nil},
		{"one block", BufferSize, BlockSize, nil},
		{"block+1", BufferSize, BlockSize + 1, nil},
		{"block-1", BufferSize, BlockSize - 1, nil},
		{"one buffer", BufferSize, BufferSize, nil},
		{"buffer-1", BufferSize, BufferSize - 1, nil},
		{"buffer+1", BufferSize, BufferSize + 1, nil},
		{"two buffers+block+1", BufferSize, 2*BufferSize + BlockSize + 1, nil},
		{"bytewise then bulk", BufferSize, BufferSize + 5, []int{1, 1, 0, 1, BlockSize, 1}},
		{"many MB in 1MB writes", BufferSize, 21*mb + 12345, []int{mb, mb, mb, mb, mb, mb, mb, mb, mb, mb, mb, mb}},
		{"many MB in one write", BufferSize, 13*mb + 1, nil},
		{"random sizes, default buffers", BufferSize, 0, randomSizes(1, BufferSize, 19*mb)},
		{"random, small buffers", testBuf, 0, randomSizes(2, testBuf, 300*testBuf)},
		{"random, small buffers, other seed", testBuf, 0, randomSizes(3, testBuf, 100*testBuf)},
		{"random, small buffers, a sync after each", testBuf, 0, randomSizes(4, testBuf, 50*testBuf)},
	}
	for _, dir := range testDirs(t) {
		for i, tc := range tests {
			t.Run(dir.name+"/"+tc.name, func(t *testing.T) {
				total := tc.total
				for _, n := range tc.sizes {
					total += n
				}
				data := testData(total, uint64(i))
				name := filepath.Join(dir.path, fmt.Sprintf("f%d", i))
				cfg := config{bufSize: tc.bufSize, syncEvery: SyncEvery}
				if strings.HasSuffix(tc.name, "a sync after each") {
					cfg.syncEvery = 1
				}
				f, err := create(name, cfg)
				if err != nil {
					t.Fatal(err)
				}
				writeAll(t, f, data, tc.sizes)
				if err := f.Close(); err != nil {
					t.Fatal(err)
				}
				if dir.known && f.Direct() != dir.wantDirect {
					t.Errorf("Direct() = %v in %s, want %v", f.Direct(), dir.path, dir.wantDirect)
				}
				checkFile(t, name, data)
			})
		}
	}
}

// TestFile_ReadBack writes over a file whose old content is in the page
// cache and reads the new content back at once: O_DIRECT writes must not
// leave stale cached pages behind.
func TestFile_ReadBack(t *testing.T) {
	for _, dir := range testDirs(t) {
		t.Run(dir.name, func(t *testing.T) {
			name := filepath.Join(dir.path, "readback")
			old := testData(3*testBuf+100, 10)
			if err := os.WriteFile(name, old, 0o644); err != nil {
				t.Fatal(err)
			}
			checkFile(t, name, old) // now in the page cache
			data := testData(len(old), 11)
			f, err := create(name, config{bufSize: testBuf})
			if err != nil {
				t.Fatal(err)
			}
			writeAll(t, f, data, []int{777, testBuf})
			if err := f.Close(); err != nil {
				t.Fatal(err)
			}
			checkFile(t, name, data)
			// And once more, shorter: the old tail must be gone.
			f, err = Create(name)
			if err != nil {
				t.Fatal(err)
			}
			writeAll(t, f, data[:5], nil)
			if err := f.Close(); err != nil {
				t.Fatal(err)
			}
			checkFile(t, name, data[:5])
		})
	}
}

// directDir returns a directory beside the package where files are
// written with O_DIRECT, skipping the test where there is none (not
// Linux, or the repository on a filesystem without O_DIRECT).
func directDir(t *testing.T) string {
	t.Helper()
	for _, d := range testDirs(t) {
		if d.known && d.wantDirect {
			return d.path
		}
	}
	t.Skip("no directory here whose filesystem takes O_DIRECT")
	return ""
}

func TestFile_fallBackAtOpen(t *testing.T) {
	name := filepath.Join(t.TempDir(), "f")
	f, err := create(name, config{bufSize: testBuf, refuseDirectOpen: true})
	if err != nil {
		t.Fatal(err)
	}
	if f.Direct() {
		t.Error("Direct() = true after O_DIRECT was refused at open")
	}
	data := testData(5*testBuf+3, 20)
	writeAll(t, f, data, randomSizes(20, testBuf, len(data)))
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	checkFile(t, name, data)
}

func TestFile_fallBackAtWrite(t *testing.T) {
	dir := directDir(t)
	tests := []struct {
		name   string
		failAt int64 // offset of the O_DIRECT write that fails with err
		total  int
		err    syscall.Errno
	}{
		{"first buffer", 0, 5*testBuf + 3, syscall.EINVAL},
		{"third buffer", 2 * testBuf, 5*testBuf + 3, syscall.EINVAL},
		{"tail blocks at Close", 0, 2*BlockSize + 5, syscall.EINVAL},
		{"EOPNOTSUPP at the first buffer", 0, 5*testBuf + 3, syscall.EOPNOTSUPP},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			name := filepath.Join(dir, "f")
			var direct, failed int
			cfg := config{bufSize: testBuf, directWriteErr: func(off int64) error {
				direct++
				if off == tc.failAt {
					failed++
					return tc.err
				}
				return nil
			}}
			f, err := create(name, cfg)
			if err != nil {
				t.Fatal(err)
			}
			if !f.Direct() {
				t.Fatalf("Direct() = false in %s before any write", dir)
			}
			data := testData(tc.total, 21)
			writeAll(t, f, data, []int{1, testBuf, BlockSize})
			if err := f.Close(); err != nil {
				t.Fatal(err)
			}
			if f.Direct() {
				t.Error("Direct() = true after the EINVAL fallback")
			}
			if failed != 1 || direct != int(tc.failAt/testBuf)+1 {
				t.Errorf("%d O_DIRECT writes, %d failed; want %d, 1", direct, failed, tc.failAt/testBuf+1)
			}
			checkFile(t, name, data)
		})
	}
}

// TestFile_writeError checks that an error of the background goroutine
// is sticky and names the file.
func TestFile_writeError(t *testing.T) {
	dir := directDir(t)
	name := filepath.Join(dir, "f")
	f, err := create(name, config{bufSize: testBuf, directWriteErr: func(off int64) error {
		if off >= testBuf {
			return syscall.EIO
		}
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	chunk := testData(BlockSize, 30)
	var werr error
	for i := 0; i < 10*testBuf/BlockSize && werr == nil; i++ {
		_, werr = f.Write(chunk)
	}
	checkStickyError(t, f, werr, syscall.EIO)
}

func checkStickyError(t *testing.T, f *File, werr, want error) {
	t.Helper()
	if !errors.Is(werr, want) || !strings.Contains(fmt.Sprint(werr), f.Name()) {
		t.Fatalf("Write error %v, want %v naming %s", werr, want, f.Name())
	}
	if _, err := f.Write([]byte{1}); !errors.Is(err, want) {
		t.Errorf("next Write: %v, want the same error", err)
	}
	if err := f.Close(); !errors.Is(err, want) {
		t.Errorf("Close: %v, want the write error", err)
	}
	if _, err := f.Write([]byte{1}); !errors.Is(err, os.ErrClosed) {
		t.Errorf("Write after Close: %v, want os.ErrClosed", err)
	}
}

func TestFile_closed(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name        string
		end         func(*File) error
		wantContent bool
	}{
		{"Close", (*File).Close, true},
		{"Abort", (*File).Abort, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			name := filepath.Join(dir, tc.name)
			f, err := create(name, config{bufSize: testBuf})
			if err != nil {
				t.Fatal(err)
			}
			data := testData(3*testBuf, 40)
			writeAll(t, f, data, nil)
			if err := tc.end(f); err != nil {
				t.Fatal(err)
			}
			if _, err := f.Write([]byte{1}); !errors.Is(err, os.ErrClosed) || !strings.Contains(err.Error(), name) {
				t.Errorf("Write after %s: %v, want os.ErrClosed naming the file", tc.name, err)
			}
			if err := f.Close(); !errors.Is(err, os.ErrClosed) {
				t.Errorf("Close after %s: %v, want os.ErrClosed", tc.name, err)
			}
			if err := f.Abort(); err != nil {
				t.Errorf("Abort after %s: %v, want nil", tc.name, err)
			}
			if tc.wantContent {
				checkFile(t, name, data)
			}
		})
	}
}

// TestFile_goroutines checks that Close and Abort, after success or a
// write error, end the File's goroutine.
func TestFile_goroutines(t *testing.T) {
	dir := t.TempDir()
	before := settledGoroutines()
	var files []*File
	for i := range 6 {
		cfg := config{bufSize: testBuf}
		if i >= 4 {
			cfg.refuseDirectOpen = true
		}
		f, err := create(filepath.Join(dir, fmt.Sprint(i)), cfg)
		if err != nil {
			t.Fatal(err)
		}
		writeAll(t, f, testData(i*testBuf+i, 50), nil)
		files = append(files, f)
	}
	if n := runtime.NumGoroutine(); n < before+len(files) {
		t.Fatalf("%d goroutines with %d Files open, %d before: want one per File", n, len(files), before)
	}
	for i, f := range files {
		end := f.Close
		if i%2 == 1 {
			end = f.Abort
		}
		if err := end(); err != nil {
			t.Fatal(err)
		}
	}
	// A goroutine that has closed done is counted until it has returned.
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("%d goroutines after Close and Abort, %d before", n, before)
	}
}

// settledGoroutines counts the goroutines once the count has not changed
// for 20 ms (at most a second): those of earlier tests may still be
// returning, and counting them made TestFile_goroutines fail now and then.
func settledGoroutines() int {
	n, same := runtime.NumGoroutine(), 0
	for range 200 {
		time.Sleep(5 * time.Millisecond)
		if m := runtime.NumGoroutine(); m != n {
			n, same = m, 0
		} else if same++; same == 4 {
			break
		}
	}
	return n
}

func TestCreate_error(t *testing.T) {
	name := filepath.Join(t.TempDir(), "missing", "f")
	_, err := Create(name)
	if !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), name) {
		t.Errorf("Create in a missing directory: %v, want ErrNotExist naming %s", err, name)
	}
}

// FuzzFile_Write writes the fuzz input in pieces whose sizes come from the
// input itself, through small buffers, and compares the file with it.
func FuzzFile_Write(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{0})
	f.Add(bytes.Repeat([]byte{0xff}, 3*testBuf+1))
	f.Add(testData(2*testBuf+BlockSize+1, 60))
	f.Add(testData(100, 61))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		// Sizes from the data's first bytes: a byte b gives b*b*2+b,
		// up to 130 305 (about 4 small buffers).
		var sizes []int
		for _, b := range data[:min(len(data), 64)] {
			sizes = append(sizes, int(b)*int(b)*2+int(b))
		}
		name := filepath.Join(dir, "f")
		w, err := create(name, config{bufSize: testBuf})
		if err != nil {
			t.Fatal(err)
		}
		writeAll(t, w, data, sizes)
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		checkFile(t, name, data)
	})
}

func ExampleCreate() {
	dir, err := os.MkdirTemp("", "directfile-example-")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	name := filepath.Join(dir, "shard.arrow")

	f, err := Create(name)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer f.Abort() // does nothing after Close
	fmt.Fprintf(f, "hello, %s\n", "world")
	if err := f.Close(); err != nil {
		fmt.Println(err)
		return
	}
	b, _ := os.ReadFile(name)
	fmt.Printf("%d bytes: %s", f.Size(), b)
	// Output: 13 bytes: hello, world
}
