// Package sharedtest locates the read-only material in ../shared (corpora,
// vocabularies, golden ids) for tests.
//
// Tests call Path. When TOK_SHARED is unset (a user's clone) the test is
// skipped; when it is set (CI sets TOK_SHARED=../shared) a missing file
// fails the test, so CI can never skip its way to green.
package sharedtest

import (
	"os"
	"path/filepath"
	"testing"
)

// Dir returns the shared directory as an absolute path, skipping the test
// when TOK_SHARED is unset.
func Dir(tb testing.TB) string {
	tb.Helper()
	dir := os.Getenv("TOK_SHARED")
	if dir == "" {
		tb.Skip("TOK_SHARED is not set; skipping a test that needs ../shared")
	}
	if !filepath.IsAbs(dir) {
		// Relative paths are relative to the module root, where .ci/run
		// sets them; go test runs in the package directory.
		root, err := moduleRoot()
		if err != nil {
			tb.Fatalf("sharedtest: %v", err)
		}
		dir = filepath.Join(root, dir)
	}
	if _, err := os.Stat(dir); err != nil {
		tb.Fatalf("sharedtest: TOK_SHARED=%s: %v", os.Getenv("TOK_SHARED"), err)
	}
	return dir
}

// Path returns the absolute path of rel inside the shared directory. It
// skips the test when TOK_SHARED is unset and fails it when the file is
// missing.
func Path(tb testing.TB, rel string) string {
	tb.Helper()
	p := filepath.Join(Dir(tb), rel)
	if _, err := os.Stat(p); err != nil {
		tb.Fatalf("sharedtest: %v", err)
	}
	return p
}

func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", os.ErrNotExist
		}
		dir = parent
	}
}
