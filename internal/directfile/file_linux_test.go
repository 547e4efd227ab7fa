package directfile

import (
	"errors"
	"os"
	"syscall"
	"testing"
)

// expectDirect returns what Direct must report for files in dir: true on
// ext4, xfs and btrfs, false on tmpfs and ramfs; known is false elsewhere.
func expectDirect(t *testing.T, dir string) (want, known bool) {
	t.Helper()
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		t.Fatal(err)
	}
	switch uint32(st.Type) {
	case 0xef53, 0x58465342, 0x9123683e: // ext2/3/4, xfs, btrfs
		return true, true
	case tmpfsMagic, ramfsMagic:
		return false, true
	}
	return false, false
}

// TestFile_deviceFull writes to /dev/full, where every write fails with
// ENOSPC: a real error, no injection.
func TestFile_deviceFull(t *testing.T) {
	if _, err := os.Stat("/dev/full"); err != nil {
		t.Skip("no /dev/full")
	}
	f, err := create("/dev/full", config{bufSize: testBuf})
	if err != nil {
		t.Fatal(err)
	}
	chunk := testData(BlockSize, 70)
	var werr error
	for i := 0; i < 4*testBuf/BlockSize && werr == nil; i++ {
		_, werr = f.Write(chunk)
	}
	if werr == nil {
		t.Fatal("no error after four buffers to /dev/full")
	}
	checkStickyError(t, f, werr, syscall.ENOSPC)
}

// TestFile_directOnPageCacheFS checks the probe that keeps tmpfs out of
// O_DIRECT against the kernel: there the flag is either refused at open
// or accepted and cleared.
func TestFile_directOnPageCacheFS(t *testing.T) {
	dir, err := os.MkdirTemp("/dev/shm", "directfile-test-")
	if err != nil {
		t.Skip("no /dev/shm:", err)
	}
	defer os.RemoveAll(dir)
	name := dir + "/f"
	fd, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|syscall.O_DIRECT, 0o666)
	if err == nil {
		fd.Close()
		t.Logf("this kernel's tmpfs accepts O_DIRECT at open")
	} else if !errors.Is(err, syscall.EINVAL) {
		t.Fatal(err)
	}
	f, err := Create(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Abort()
	if f.Direct() {
		t.Error("Direct() = true on tmpfs")
	}
	if inCache, err := pageCacheFS(f.fd); err != nil || !inCache {
		t.Errorf("pageCacheFS on /dev/shm = %v, %v; want true", inCache, err)
	}
}
