package directfile

import (
	"errors"
	"os"
	"syscall"
)

// Magic numbers of statfs(2) f_type for filesystems whose storage is the
// page cache itself.
const (
	tmpfsMagic = 0x01021994
	ramfsMagic = 0x858458f6
)

// openFile opens name with O_DIRECT where the filesystem accepts it and
// keeps it, and without it otherwise; direct tells which.
func openFile(name string, cfg *config) (fd *os.File, direct bool, err error) {
	const flags = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	if cfg.refuseDirectOpen {
		err = &os.PathError{Op: "open", Path: name, Err: syscall.EINVAL}
	} else {
		fd, err = os.OpenFile(name, flags|syscall.O_DIRECT, 0o666)
	}
	if err != nil {
		if !directRefused(err) {
			return nil, false, err
		}
		fd, err = os.OpenFile(name, flags, 0o666)
		return fd, false, err
	}
	inCache, err := pageCacheFS(fd)
	if err == nil && inCache {
		// O_DIRECT on tmpfs (Linux 6.6 and later) still copies into
		// the page cache; say so and keep the simple path.
		err = clearDirect(fd)
	}
	if err != nil {
		fd.Close()
		return nil, false, &os.PathError{Op: "open", Path: name, Err: err}
	}
	return fd, !inCache, nil
}

// directRefused reports whether err is a filesystem's or device's refusal
// of O_DIRECT (EINVAL from most; EOPNOTSUPP from some FUSE and network
// filesystems), after which the File writes through the page cache.
func directRefused(err error) bool {
	return errors.Is(err, syscall.EINVAL) || errors.Is(err, syscall.EOPNOTSUPP)
}

// pageCacheFS reports whether fd's filesystem keeps files in the page
// cache only (tmpfs, ramfs).
func pageCacheFS(fd *os.File) (bool, error) {
	var st syscall.Statfs_t
	if err := control(fd, func(fd int) error { return syscall.Fstatfs(fd, &st) }); err != nil {
		return false, err
	}
	switch uint32(st.Type) {
	case tmpfsMagic, ramfsMagic:
		return true, nil
	}
	return false, nil
}

// clearDirect clears O_DIRECT on fd: later writes go through the page
// cache.
func clearDirect(fd *os.File) error {
	return control(fd, func(fd int) error {
		flags, _, e := syscall.Syscall(syscall.SYS_FCNTL, uintptr(fd), syscall.F_GETFL, 0)
		if e != 0 {
			return e
		}
		_, _, e = syscall.Syscall(syscall.SYS_FCNTL, uintptr(fd), syscall.F_SETFL, flags&^syscall.O_DIRECT)
		if e != 0 {
			return e
		}
		return nil
	})
}

// control runs fn on fd's descriptor (without switching it to blocking
// mode, as Fd would).
func control(fd *os.File, fn func(fd int) error) error {
	rc, err := fd.SyscallConn()
	if err != nil {
		return err
	}
	var ferr error
	if err := rc.Control(func(s uintptr) { ferr = fn(int(s)) }); err != nil {
		return err
	}
	return ferr
}
