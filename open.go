package tok

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"sync"
)

// Format describes one vocabulary file format that [Open] can read.
type Format struct {
	// Name is a short name for messages and for --format flags, for example
	// "tiktoken" or "tokenizer.json".
	Name string

	// Match reports whether the file at path, whose first bytes are head
	// (up to 4096 bytes), is in this format. It must not read the file.
	Match func(path string, head []byte) bool

	// Open reads the file at path.
	Open func(path string) (Tokenizer, error)
}

var (
	formatsMu sync.RWMutex
	formats   []Format
)

// ErrUnknownFormat is returned by Open when no registered format matches.
var ErrUnknownFormat = errors.New("tok: unknown vocabulary format")

// RegisterFormat makes a format known to Open. Formats are tried in the
// order of registration; it is meant to be called from init functions.
func RegisterFormat(f Format) {
	formatsMu.Lock()
	defer formatsMu.Unlock()
	formats = append(formats, f)
}

// Formats returns the names of the registered formats, sorted.
func Formats() []string {
	formatsMu.RLock()
	defer formatsMu.RUnlock()
	names := make([]string, len(formats))
	for i, f := range formats {
		names[i] = f.Name
	}
	sort.Strings(names)
	return names
}

// Open loads the tokenizer stored at path, recognising its format by name
// and content. A directory is searched for tokenizer.json, then
// vocab.json with merges.txt, then vocab.txt, then tokenizer.model.
func Open(path string) (Tokenizer, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if fi.IsDir() {
		for _, name := range []string{"tokenizer.json", "vocab.json", "vocab.txt", "tokenizer.model", "spm.model"} {
			p := filepath.Join(path, name)
			if _, err := os.Stat(p); err == nil {
				return Open(p)
			}
		}
		matches, _ := filepath.Glob(filepath.Join(path, "*.tiktoken"))
		if len(matches) == 1 {
			return Open(matches[0])
		}
		return nil, fmt.Errorf("%s: %w: no tokenizer file in directory", path, ErrUnknownFormat)
	}
	head, err := readHead(path, 4096)
	if err != nil {
		return nil, err
	}
	formatsMu.RLock()
	fs := append([]Format(nil), formats...)
	formatsMu.RUnlock()
	for _, f := range fs {
		if f.Match(path, head) {
			t, err := f.Open(path)
			if err != nil {
				return nil, err
			}
			return t, nil
		}
	}
	return nil, fmt.Errorf("%s: %w (known: %v)", path, ErrUnknownFormat, Formats())
}

func readHead(path string, n int) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	buf := make([]byte, n)
	k, err := io.ReadFull(f, buf)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return buf[:k], nil
}
