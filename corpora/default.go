package corpora

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
)

// The built-in default corpus is real text found on every machine that can
// build tok: the Go distribution's own files under GOROOT. It holds
//
//   - DefaultBook, Isaac Newton's Opticks (a public-domain Project Gutenberg
//     text the Go tests use), one document per paragraph; then
//   - the non-test, non-generated .go files of the DefaultGoPackages, in that
//     order and in lexical order within a package, one document per file,
//     skipping any file that would take the Go part past DefaultGoBytes.
//
// About 1.6 MB with Go 1.26: enough text to train a small vocabulary and
// encode it in seconds. The selection depends only on the Go version's
// files, so it is the same on every machine with the same Go release.
const (
	DefaultBook    = "src/testdata/Isaac.Newton-Opticks.txt"
	DefaultGoBytes = 1 << 20
)

// DefaultGoPackages are the standard-library directories (under
// GOROOT/src) whose sources make up the code part of the default corpus.
var DefaultGoPackages = []string{
	"bufio", "bytes", "strings", "strconv", "fmt", "sort", "errors", "io",
	"path", "unicode/utf8", "container/heap", "container/list",
	"encoding/csv", "encoding/json", "text/tabwriter", "regexp",
	"regexp/syntax", "net/url", "time",
}

// ErrNoGoroot is returned when the Go distribution cannot be found.
var ErrNoGoroot = errors.New("corpora: cannot find GOROOT for the default corpus (is Go installed? set GOROOT)")

var (
	gorootOnce sync.Once
	gorootDir  string
)

// Goroot finds the Go distribution: $GOROOT, then `go env GOROOT`, then
// the GOROOT this program was built with.
func Goroot() (string, error) {
	gorootOnce.Do(func() {
		for _, cand := range gorootCandidates() {
			if cand == "" {
				continue
			}
			if _, err := os.Stat(filepath.Join(cand, DefaultBook)); err == nil {
				gorootDir = cand
				return
			}
		}
	})
	if gorootDir == "" {
		return "", ErrNoGoroot
	}
	return gorootDir, nil
}

func gorootCandidates() []string {
	c := []string{os.Getenv("GOROOT")}
	if out, err := exec.Command("go", "env", "GOROOT").Output(); err == nil {
		c = append(c, strings.TrimSpace(string(out)))
	}
	return append(c, runtime.GOROOT())
}

// DefaultInputs lists the files of the default corpus (see DefaultBook).
func DefaultInputs() ([]Input, error) {
	root, err := Goroot()
	if err != nil {
		return nil, err
	}
	book := filepath.Join(root, DefaultBook)
	fi, err := os.Stat(book)
	if err != nil {
		return nil, fmt.Errorf("corpora: default corpus: %w", err)
	}
	inputs := []Input{{Path: book, Format: FormatText, Split: SplitParagraphs, Size: fi.Size()}}
	var total int64
	for _, pkg := range DefaultGoPackages {
		files, _ := filepath.Glob(filepath.Join(root, "src", filepath.FromSlash(pkg), "*.go"))
		sort.Strings(files)
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			fi, err := os.Stat(f)
			if err != nil || total+fi.Size() > DefaultGoBytes || isGenerated(f) {
				continue
			}
			total += fi.Size()
			inputs = append(inputs, Input{Path: f, Format: FormatText, Split: SplitFiles, Size: fi.Size()})
		}
	}
	return inputs, nil
}

// isGenerated reports whether a Go file carries the standard "Code
// generated ... DO NOT EDIT." header before its package clause.
func isGenerated(path string) bool {
	b, err := os.ReadFile(path)
	if err != nil {
		return true
	}
	if i := bytes.Index(b, []byte("\npackage ")); i >= 0 {
		b = b[:i]
	}
	return bytes.Contains(b, []byte("Code generated")) && bytes.Contains(b, []byte("DO NOT EDIT."))
}

// Default opens the built-in default corpus.
func Default() (*Corpus, error) {
	inputs, err := DefaultInputs()
	if err != nil {
		return nil, err
	}
	return OpenInputs(inputs, DefaultOptions()), nil
}
