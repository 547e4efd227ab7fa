package directfile

import (
	"os"
	"sync/atomic"

	"github.com/toklabs/tok/internal/hugemem"
)

const (
	// BlockSize is the alignment of O_DIRECT writes, in memory, offset
	// and length. 4096 satisfies devices with 512-byte and 4 KiB logical
	// blocks.
	BlockSize = 4096

	// BufferSize is the size of each of a File's two buffers, and of the
	// writes the background goroutine makes. See the performance notes.
	BufferSize = 2 << 20

	numBuffers = 2

	// SyncEvery is how many bytes the background goroutine writes between
	// syncs of the file, so that Close's sync has less left to wait for.
	// Performance notes: writing 115 MiB at the pipeline's pace on the
	// development VM, Close took 85–102 ms without them and 5–6 ms with a
	// sync every 16 MiB, the write loop on its own no slower. But in the
	// pipeline a sync blocks for 1–4 ms on that VM while its goroutine keeps
	// its P (Go's runtime takes it back only when sysmon next looks, up to
	// 10 ms later) and a worker waits: with a sync every 4 MiB, 0.72–1.77
	// P-seconds of a 500 MB run (6–10%) were kept by system calls, with one
	// every 64 MiB 0.36–0.38 (3%); the Ps ran goroutines 89–94% of the time,
	// then 96% (2 runs each, scripts/schedtrace). Close's sync then has up
	// to 64 MiB left (17 ms at the end of one of those runs).
	SyncEvery = 64 << 20
)

// Performance notes (BenchmarkFile_Write: 256 MiB in 1 MiB pieces and a
// sync, ext4 on virtio on the development VM, 2 cores shared, load 5–6,
// two runs each). The buffers' memory matters most: from the Go heap
// (4 KiB pages) a File wrote 448–468 MB/s at 0.34–0.36 CPU-s/GB; from an
// mmap with MADV_HUGEPAGE (internal/hugemem) 1032–1067 MB/s at 0.11–0.12,
// against bufio.Writer on os.File at 701–730 MB/s and 0.53–0.59. With
// huge pages, 1 MiB buffers gave 919–973 MB/s at 0.16–0.23 CPU-s/GB and
// 8 MiB 1030–1050 MB/s at 0.14–0.15: 2 MiB is kept, one huge page each.
// Most of the CPU time left is Write's copy into the buffer (≈0.1 s/GB).
// The one goroutine keeps one write in flight; the device bounds the rate,
// far above what the pipeline produces, so more were not tried.

// A File is a file being written sequentially, from its start. Its methods
// must be called from one goroutine at a time (as with bufio.Writer); the
// File runs one goroutine of its own between Create and Close or Abort.
type File struct {
	name   string
	fd     *os.File
	direct atomic.Bool // bytes written with O_DIRECT (cleared by the EINVAL fallback)
	cfg    config

	cur  []byte      // the buffer being filled, nil when the caller holds none
	full chan []byte // buffers for the background goroutine to write
	free chan []byte // buffers written, ready to fill again
	done chan struct{}

	off      int64       // offset of the next buffer written; the goroutine's until done is closed
	unsynced int64       // bytes written since the last sync; the goroutine's
	werr     error       // first write error; set by the goroutine before failed
	failed   atomic.Bool // werr is set

	size   int64
	closed bool
	abort  atomic.Bool // Abort was called: the goroutine writes nothing more

	release func() // frees the buffers
}

// config holds what tests change: the buffer size and injected failures.
type config struct {
	bufSize int
	// syncEvery: bytes between background syncs; 0 never.
	syncEvery int64
	// refuseDirectOpen makes the O_DIRECT open fail with EINVAL.
	refuseDirectOpen bool
	// directWriteErr, when not nil, is asked before each O_DIRECT write;
	// an error it returns is that write's result.
	directWriteErr func(off int64) error
}

func defaultConfig() config { return config{bufSize: BufferSize, syncEvery: SyncEvery} }

// Create creates the file name, or truncates it, for writing from the
// start, in order, with mode 0666 (before umask) as os.Create does.
func Create(name string) (*File, error) {
	return create(name, defaultConfig())
}

func create(name string, cfg config) (*File, error) {
	if cfg.bufSize <= 0 || cfg.bufSize%BlockSize != 0 {
		panic("directfile: buffer size not a positive multiple of BlockSize")
	}
	fd, direct, err := openFile(name, &cfg)
	if err != nil {
		return nil, err
	}
	f := &File{
		name: name,
		fd:   fd,
		cfg:  cfg,
		full: make(chan []byte, numBuffers),
		free: make(chan []byte, numBuffers),
		done: make(chan struct{}),
	}
	f.direct.Store(direct)
	// Aligned to BlockSize at least, as O_DIRECT needs; huge pages halve
	// the kernel's cost of pinning a buffer for each write (0.15 → 0.08
	// CPU-s per GiB of 2 MiB writes on the development VM).
	mem, release := hugemem.Alloc(numBuffers * cfg.bufSize)
	f.release = release
	for i := range numBuffers {
		f.free <- mem[i*cfg.bufSize : i*cfg.bufSize : (i+1)*cfg.bufSize]
	}
	go f.run()
	return f, nil
}

// Name returns the name given to Create.
func (f *File) Name() string { return f.name }

// Direct reports whether the bytes written bypass the page cache (all but
// the last partial block, which Close writes through it).
func (f *File) Direct() bool { return f.direct.Load() }

// Size returns the number of bytes written so far, that is, the length the
// file has after Close.
func (f *File) Size() int64 { return f.size }

// Write copies p into the File's buffer; it waits for the device only when
// both buffers are full. A write error of the background goroutine is
// returned by the next Write and by Close; it names the file.
func (f *File) Write(p []byte) (int, error) {
	if f.closed {
		return 0, f.closedErr("write")
	}
	if f.failed.Load() {
		return 0, f.werr
	}
	n := 0
	for len(p) > 0 {
		if f.cur == nil {
			f.cur = <-f.free
			if f.failed.Load() {
				f.size += int64(n)
				return n, f.werr
			}
		}
		c := copy(f.cur[len(f.cur):cap(f.cur)], p)
		f.cur = f.cur[:len(f.cur)+c]
		p = p[c:]
		n += c
		if len(f.cur) == cap(f.cur) {
			f.full <- f.cur
			f.cur = nil
		}
	}
	f.size += int64(n)
	return n, nil
}

// run is the background goroutine: it writes full buffers in order and
// hands them back. After an error or Abort it only hands them back.
func (f *File) run() {
	defer close(f.done)
	for buf := range f.full {
		if !f.failed.Load() && !f.abort.Load() {
			err := f.writeAt(buf, f.off)
			f.off += int64(len(buf))
			if f.unsynced += int64(len(buf)); err == nil && f.cfg.syncEvery > 0 && f.unsynced >= f.cfg.syncEvery {
				f.unsynced = 0
				err = f.fd.Sync()
			}
			if err != nil {
				f.werr = err
				f.failed.Store(true)
			}
		}
		f.free <- buf[:0]
	}
}

// writeAt writes p at off: with O_DIRECT while the File is direct (p and
// off aligned), through the page cache after the EINVAL fallback.
func (f *File) writeAt(p []byte, off int64) error {
	if f.direct.Load() {
		err := f.writeDirectAt(p, off)
		if err == nil || !directRefused(err) {
			return err
		}
		if err := f.fallBack(); err != nil {
			return err
		}
	}
	_, err := f.fd.WriteAt(p, off)
	return err
}

func (f *File) writeDirectAt(p []byte, off int64) error {
	if f.cfg.directWriteErr != nil {
		if err := f.cfg.directWriteErr(off); err != nil {
			return &os.PathError{Op: "write", Path: f.name, Err: err}
		}
	}
	_, err := f.fd.WriteAt(p, off)
	return err
}

// fallBack makes the File write through the page cache from now on.
func (f *File) fallBack() error {
	if err := clearDirect(f.fd); err != nil {
		return &os.PathError{Op: "fcntl", Path: f.name, Err: err}
	}
	f.direct.Store(false)
	return nil
}

// stop ends the background goroutine after it has handled every full
// buffer; then f.off, f.werr and f.direct belong to the caller.
func (f *File) stop() {
	f.closed = true
	close(f.full)
	<-f.done
}

// releaseBuffers frees the buffers once the goroutine has stopped and the
// last one is written (or dropped).
func (f *File) releaseBuffers() {
	f.cur = nil
	for len(f.free) > 0 {
		<-f.free
	}
	f.release()
}

// Close writes what is buffered, syncs the file and closes it; the file
// then holds exactly the bytes written. After a write error it closes the
// file and returns that error; the caller removes the file.
func (f *File) Close() error {
	if f.closed {
		return f.closedErr("close")
	}
	f.stop()
	defer f.releaseBuffers()
	if f.failed.Load() {
		f.fd.Close()
		return f.werr
	}
	if err := f.writeTail(); err != nil {
		f.fd.Close()
		return err
	}
	if err := f.fd.Sync(); err != nil {
		f.fd.Close()
		return err
	}
	return f.fd.Close()
}

// writeTail writes the partly filled buffer: its whole blocks as the
// others, the rest through the page cache, so no padding is written.
func (f *File) writeTail() error {
	tail := f.cur
	if len(tail) == 0 {
		return nil
	}
	if f.direct.Load() {
		whole := len(tail) &^ (BlockSize - 1)
		if whole > 0 {
			if err := f.writeAt(tail[:whole], f.off); err != nil {
				return err
			}
			f.off += int64(whole)
			tail = tail[whole:]
		}
		if len(tail) == 0 {
			return nil
		}
		// Direct() keeps reporting how the bulk was written.
		if err := clearDirect(f.fd); err != nil {
			return &os.PathError{Op: "fcntl", Path: f.name, Err: err}
		}
	}
	_, err := f.fd.WriteAt(tail, f.off)
	f.off += int64(len(tail))
	return err
}

// Abort stops the File and closes the file without writing what is
// buffered or syncing; the caller removes the file. Abort after Close or
// Abort does nothing and returns nil, so it can be deferred.
func (f *File) Abort() error {
	if f.closed {
		return nil
	}
	f.abort.Store(true)
	f.stop()
	f.releaseBuffers()
	return f.fd.Close()
}

func (f *File) closedErr(op string) error {
	return &os.PathError{Op: op, Path: f.name, Err: os.ErrClosed}
}
