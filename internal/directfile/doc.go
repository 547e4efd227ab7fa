// Package directfile writes a large file sequentially, from the start, with
// the bytes bypassing the page cache (O_DIRECT) where the operating system
// and the filesystem allow it.
//
// It exists for the pipeline's Arrow shards, files of hundreds of MB that
// are written once, synced and not read back by the writer. On the
// development VM (Linux 6.18, ext4 on virtio) buffered write() of 1 GiB
// cost 1.3–2.4 CPU-seconds in a stand-alone test, nearly all of it the
// kernel copying the bytes into the page cache, where the same bytes
// written with O_DIRECT from aligned buffers cost 0.05 CPU-seconds; that
// copy was about 6% of the pipeline's CPU time. In BenchmarkFile_Write a
// File takes 0.11–0.14 CPU-s/GB against 0.53–0.69 for bufio.Writer on
// os.File, and writes faster (1030–1090 MB/s against 630–730 MB/s).
//
// A [File] copies what it is given into one of two aligned buffers of
// [BufferSize] bytes; one background goroutine per File writes full
// buffers at aligned offsets while the caller fills the other, so the
// caller waits for the device only when both buffers are full. A File
// holds 2×BufferSize = 4 MiB of buffers, allocated once by [Create] and
// freed by [File.Close] or [File.Abort] (a File never closed keeps them
// and its goroutine). On Linux they come from an mmap asking for
// transparent huge pages, which more than halves the cost of O_DIRECT
// writes; elsewhere from the Go heap. Close writes the last partial block
// through the page cache (the O_DIRECT flag is cleared first), so the file
// ends exactly at the last byte written, and then syncs it.
//
// Where O_DIRECT is not available the same API writes through the page
// cache, and [File.Direct] reports false:
//   - the filesystem refuses O_DIRECT at open (EINVAL; tmpfs before Linux
//     6.6), or is tmpfs or ramfs, where the page cache is the storage;
//   - an O_DIRECT write fails with EINVAL (in practice the first: a device
//     whose logical blocks are larger than 4 KiB, or a filesystem that
//     accepts the flag at open only): the flag is cleared and the same
//     buffer written again at the same offset, so nothing is lost;
//   - the operating system is not Linux.
package directfile
