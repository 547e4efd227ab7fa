package wordpiece

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"unicode"
	"unicode/utf8"

	"github.com/toklabs/tok"
)

// Errors returned when a vocabulary cannot be used.
var (
	// ErrMissingUnk means the vocabulary has no unknown token, so a word
	// without a segmentation could not be encoded. HF tokenizers only fails
	// when such a word is met; we refuse the vocabulary up front.
	ErrMissingUnk = errors.New("wordpiece: vocabulary has no unknown token")
	// ErrEmptyVocab means the vocabulary file holds no token.
	ErrEmptyVocab = errors.New("wordpiece: empty vocabulary")
)

// Vocab maps tokens to ids and back. It is read-only after construction and
// safe for concurrent use.
//
// A vocab.txt may hold the same token on several lines. As in HF tokenizers
// (models/wordpiece read_file), the last line wins: TokenToID gives the last
// id, and the earlier ids have no token (IDToToken reports false for them).
// An empty line is the empty token, which the encoder never produces.
type Vocab struct {
	tokens []string // by id
	valid  []bool   // valid[id]: tokens[id] maps back to id
	ids    map[string]uint32
}

// NewVocab builds a vocabulary in which tokens[i] has id i. Duplicates are
// resolved as in a vocab.txt file (the last one wins).
func NewVocab(tokens []string) *Vocab {
	v := &Vocab{
		tokens: tokens,
		valid:  make([]bool, len(tokens)),
		ids:    make(map[string]uint32, len(tokens)),
	}
	for i, t := range tokens {
		if old, ok := v.ids[t]; ok {
			v.valid[old] = false
		}
		v.ids[t] = uint32(i)
		v.valid[i] = true
	}
	return v
}

// Len is one more than the largest id.
func (v *Vocab) Len() int { return len(v.tokens) }

// TokenToID returns the id of token.
func (v *Vocab) TokenToID(token string) (uint32, bool) {
	id, ok := v.ids[token]
	return id, ok
}

// IDToToken returns the token of id.
func (v *Vocab) IDToToken(id uint32) (string, bool) {
	if int64(id) >= int64(len(v.tokens)) || !v.valid[id] {
		return "", false
	}
	return v.tokens[id], true
}

// Tokens returns the tokens by id (shared; do not modify). Ids without a
// token (shadowed duplicates) hold the string of their line.
func (v *Vocab) Tokens() []string { return v.tokens }

// ReadVocabFile reads a vocab.txt file: one token per line, id = 0-based
// line index. See [ReadVocab].
func ReadVocabFile(path string) (*Vocab, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ReadVocab(f, path)
}

// ReadVocab reads a vocab.txt from r; name is used in errors. Each line,
// without its "\n" or "\r\n" and without trailing white space (as HF's
// reader does), is one token. A final line without "\n" is a token too. A
// line that is not valid UTF-8 is a [tok.FormatError] naming the line; an
// input without any line is [ErrEmptyVocab].
func ReadVocab(r io.Reader, name string) (*Vocab, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	var tokens []string
	var off int64
	for line := 1; ; line++ {
		b, err := br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			// A very long line: collect it whole.
			long := append([]byte(nil), b...)
			for err == bufio.ErrBufferFull {
				b, err = br.ReadSlice('\n')
				long = append(long, b...)
			}
			b = long
		}
		if err != nil && err != io.EOF {
			return nil, &tok.FormatError{File: name, Line: line, Offset: off, Msg: "read error", Err: err}
		}
		if len(b) == 0 && err == io.EOF {
			break
		}
		off += int64(len(b))
		t := bytes.TrimRightFunc(b, unicode.IsSpace)
		if !utf8.Valid(t) {
			return nil, &tok.FormatError{File: name, Line: line, Offset: off - int64(len(b)), Msg: fmt.Sprintf("token %q is not valid UTF-8", t)}
		}
		tokens = append(tokens, string(t))
		if err == io.EOF {
			break
		}
	}
	if len(tokens) == 0 {
		return nil, fmt.Errorf("%s: %w", name, ErrEmptyVocab)
	}
	return NewVocab(tokens), nil
}

// WriteVocab writes the tokens, one per line, in id order (vocab.txt).
// A token holding a line break or trailing white space cannot be stored in
// this format and is an error.
func WriteVocab(w io.Writer, tokens []string) error {
	bw := bufio.NewWriter(w)
	for i, t := range tokens {
		if bytes.ContainsAny([]byte(t), "\n\r") || (t != "" && len(bytes.TrimRightFunc([]byte(t), unicode.IsSpace)) != len(t)) {
			return fmt.Errorf("wordpiece: token %d %q cannot be written to vocab.txt", i, t)
		}
		bw.WriteString(t)
		bw.WriteByte('\n')
	}
	return bw.Flush()
}

// NewVocabFromMap builds a vocabulary from a token → id map (the "vocab"
// object of a tokenizer.json). Ids missing from the map have no token. Two
// tokens with the same id are an error, since the id could not be decoded.
func NewVocabFromMap(m map[string]uint32) (*Vocab, error) {
	n := 0
	for _, id := range m {
		n = max(n, int(id)+1)
	}
	if n > 4*len(m)+1024 {
		return nil, fmt.Errorf("wordpiece: vocabulary of %d tokens has ids up to %d", len(m), n-1)
	}
	v := &Vocab{tokens: make([]string, n), valid: make([]bool, n), ids: make(map[string]uint32, len(m))}
	for t, id := range m {
		if v.valid[id] {
			a, b := v.tokens[id], t
			if b < a {
				a, b = b, a
			}
			return nil, fmt.Errorf("wordpiece: tokens %q and %q have the same id %d", a, b, id)
		}
		v.tokens[id], v.valid[id] = t, true
		v.ids[t] = id
	}
	return v, nil
}
