//go:build !linux

package directfile

import "os"

// openFile opens name for buffered writes: O_DIRECT is a Linux flag.
// (macOS has fcntl F_NOCACHE, not used: the pipeline's large runs are on
// Linux.)
func openFile(name string, cfg *config) (fd *os.File, direct bool, err error) {
	fd, err = os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o666)
	return fd, false, err
}

// clearDirect does nothing: files are never opened with O_DIRECT here.
func clearDirect(fd *os.File) error { return nil }

// directRefused is never asked: files are never opened with O_DIRECT here.
func directRefused(error) bool { return false }
