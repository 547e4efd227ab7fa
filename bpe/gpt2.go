package bpe

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/toklabs/tok"
)

// OpenGPT2 reads a GPT-2 style vocabulary: vocab.json ({token: id}, tokens
// in the GPT-2 byte alphabet) and merges.txt (an optional "#version" line,
// then one "left right" merge per line, by priority). path is either file
// or a directory holding vocab.json and merges.txt; for a file the other
// one is found beside it by swapping "vocab.json" and "merges.txt" in its
// name (gpt2-vocab.json ↔ gpt2-merges.txt).
//
// The model has HuggingFace semantics ([NewMergesModel] with
// [WithByteLevel]), GPT-2's pre-tokenization pattern, and
// "<|endoftext|>", when in the vocabulary, as a special token that
// AppendEncode matches in the text, as HuggingFace's tokenizers do. Errors
// in either file are *tok.FormatError naming file and line (merges) or
// byte offset (vocab.json).
func OpenGPT2(path string) (*Tokenizer, error) {
	vocabPath, mergesPath, err := gpt2Paths(path)
	if err != nil {
		return nil, err
	}
	vdata, err := os.ReadFile(vocabPath)
	if err != nil {
		return nil, err
	}
	vocab, err := parseVocabJSON(vdata, vocabPath)
	if err != nil {
		return nil, err
	}
	mdata, err := os.ReadFile(mergesPath)
	if err != nil {
		return nil, err
	}
	merges, lines, err := parseMerges(mdata, mergesPath)
	if err != nil {
		return nil, err
	}
	m, err := NewMergesModel(vocab, merges, WithByteLevel(true))
	if err != nil {
		var me *MergeError
		if errors.As(err, &me) {
			return nil, &tok.FormatError{File: mergesPath, Line: lines[me.Index], Offset: -1, Msg: me.Msg}
		}
		var te *TokenError
		if errors.As(err, &te) {
			return nil, &tok.FormatError{File: vocabPath, Offset: -1, Msg: "bad vocabulary", Err: err}
		}
		return nil, err
	}
	var special []tok.SpecialToken
	if id, ok := vocab[endOfText]; ok {
		special = append(special, tok.SpecialToken{Content: endOfText, ID: id})
	}
	pre, err := compilePattern(patternGPT2)
	if err != nil {
		return nil, err
	}
	return NewTokenizer(m, TokenizerConfig{PreTokenizer: pre, Special: special, MatchSpecial: true, Name: "gpt2"})
}

// gpt2Paths finds the vocab.json and merges.txt of path.
func gpt2Paths(path string) (vocab, merges string, err error) {
	fi, err := os.Stat(path)
	if err != nil {
		return "", "", err
	}
	if fi.IsDir() {
		return filepath.Join(path, "vocab.json"), filepath.Join(path, "merges.txt"), nil
	}
	dir, base := filepath.Split(path)
	switch {
	case strings.Contains(base, "vocab.json"):
		return path, filepath.Join(dir, strings.Replace(base, "vocab.json", "merges.txt", 1)), nil
	case strings.Contains(base, "merges.txt"):
		return filepath.Join(dir, strings.Replace(base, "merges.txt", "vocab.json", 1)), path, nil
	}
	return "", "", fmt.Errorf("%s: %w: want a vocab.json or merges.txt file", path, tok.ErrUnknownFormat)
}

// gpt2Sibling reports whether the partner file of a GPT-2 vocab.json or
// merges.txt exists.
func gpt2Sibling(path string) bool {
	v, m, err := gpt2Paths(path)
	if err != nil {
		return false
	}
	_, e1 := os.Stat(v)
	_, e2 := os.Stat(m)
	return e1 == nil && e2 == nil
}

// ReadVocabJSON reads a vocab.json object {token: id}. A duplicate token
// or id, a non-integer id or malformed JSON is a *tok.FormatError with the
// byte offset.
func ReadVocabJSON(r io.Reader, file string) (map[string]uint32, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	return parseVocabJSON(data, file)
}

func parseVocabJSON(data []byte, file string) (map[string]uint32, error) {
	if vocab, ok := parseVocabJSONFast(data); ok {
		return vocab, nil
	}
	return readVocabJSONDecoder(data, file)
}

// readVocabJSONDecoder is ReadVocabJSON through encoding/json's decoder:
// the reference for parseVocabJSONFast and the maker of every error.
func readVocabJSONDecoder(data []byte, file string) (map[string]uint32, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	ferr := func(msg string, err error) error {
		off := dec.InputOffset()
		return &tok.FormatError{File: file, Offset: off, Line: lineAt(data, off), Msg: msg, Err: err}
	}
	t, err := dec.Token()
	if err != nil {
		return nil, ferr("bad JSON", err)
	}
	if d, ok := t.(json.Delim); !ok || d != '{' {
		return nil, ferr("want a JSON object {token: id}", nil)
	}
	vocab := make(map[string]uint32)
	byID := make(map[uint32]string)
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return nil, ferr("bad JSON", err)
		}
		key := kt.(string) // object keys are strings
		vt, err := dec.Token()
		if err != nil {
			return nil, ferr("bad JSON", err)
		}
		num, ok := vt.(json.Number)
		if !ok {
			return nil, ferr(fmt.Sprintf("id of %q is not a number", key), nil)
		}
		id64, err := num.Int64()
		if err != nil || id64 < 0 || id64 >= 1<<31-1 {
			return nil, ferr(fmt.Sprintf("id of %q is not a valid id: %s", key, num), nil)
		}
		id := uint32(id64)
		if _, dup := vocab[key]; dup {
			return nil, ferr(fmt.Sprintf("token %q appears twice", key), nil)
		}
		if other, dup := byID[id]; dup {
			return nil, ferr(fmt.Sprintf("tokens %q and %q share id %d", other, key, id), nil)
		}
		vocab[key] = id
		byID[id] = key
	}
	if _, err := dec.Token(); err != nil {
		return nil, ferr("bad JSON", err)
	}
	if len(vocab) == 0 {
		return nil, &tok.FormatError{File: file, Offset: -1, Msg: "empty vocabulary"}
	}
	return vocab, nil
}

func lineAt(data []byte, off int64) int {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	return bytes.Count(data[:off], []byte{'\n'}) + 1
}

// ReadMerges reads a merges.txt: lines starting with "#version" are
// skipped, every other line is "left right" (exactly one space). A final
// newline is optional; an empty or malformed line is a *tok.FormatError.
func ReadMerges(r io.Reader, file string) ([][2]string, error) {
	m, _, err := readMerges(r, file)
	return m, err
}

func readMerges(r io.Reader, file string) ([][2]string, []int, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, nil, err
	}
	return parseMerges(data, file)
}

// parseMerges splits merges.txt into merges whose strings are substrings
// of one copy of the file (one allocation instead of two per merge); the
// lines are those of bytes.Split(data without its final newline, "\n").
func parseMerges(data []byte, file string) ([][2]string, []int, error) {
	text := string(bytes.TrimSuffix(data, []byte{'\n'}))
	if len(text) == 0 {
		return nil, nil, nil
	}
	n := strings.Count(text, "\n") + 1
	merges := make([][2]string, 0, n)
	lines := make([]int, 0, n)
	for i := 0; i < n; i++ {
		l := text
		if j := strings.IndexByte(text, '\n'); j >= 0 {
			l, text = text[:j], text[j+1:]
		}
		l = strings.TrimSuffix(l, "\r")
		if strings.HasPrefix(l, "#version") {
			continue
		}
		sp := strings.IndexByte(l, ' ')
		if sp <= 0 || sp == len(l)-1 || strings.IndexByte(l[sp+1:], ' ') >= 0 {
			return nil, nil, &tok.FormatError{File: file, Line: i + 1, Offset: -1, Msg: fmt.Sprintf("want \"left right\", got %q", l)}
		}
		merges = append(merges, [2]string{l[:sp], l[sp+1:]})
		lines = append(lines, i+1)
	}
	if len(merges) == 0 {
		return nil, nil, nil // as a file of no merges always read
	}
	return merges, lines, nil
}
