//go:build !linux

package directfile

import "testing"

// expectDirect returns false: only Linux builds open with O_DIRECT.
func expectDirect(t *testing.T, dir string) (want, known bool) { return false, true }
