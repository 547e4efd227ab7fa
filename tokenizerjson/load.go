package tokenizerjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/toklabs/tok"
)

// Errors wrapped by the loader's *tok.FormatError values.
var (
	// ErrUnknownType: a component's "type" is not one this package (or a
	// registered family) implements.
	ErrUnknownType = errors.New("tokenizerjson: unknown component type")
	// ErrVersion: "version" is not "1.0".
	ErrVersion = errors.New("tokenizerjson: unsupported version")
	// ErrNoModel: the file has no "model".
	ErrNoModel = errors.New("tokenizerjson: no model")
	// ErrBadValue: a field has a value HF would reject.
	ErrBadValue = errors.New("tokenizerjson: bad value")
)

// fileJSON is the top level of tokenizer.json. Components stay raw until
// their "type" is known.
type fileJSON struct {
	Version       string          `json:"version"`
	Truncation    json.RawMessage `json:"truncation"`
	Padding       json.RawMessage `json:"padding"`
	AddedTokens   []AddedToken    `json:"added_tokens"`
	Normalizer    json.RawMessage `json:"normalizer"`
	PreTokenizer  json.RawMessage `json:"pre_tokenizer"`
	PostProcessor json.RawMessage `json:"post_processor"`
	Decoder       json.RawMessage `json:"decoder"`
	Model         rawRef          `json:"model"`
}

// Open reads the tokenizer.json file at path.
func Open(path string) (*Tokenizer, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(data, path)
}

// Load reads a tokenizer.json from r; name labels error messages.
func Load(r io.Reader, name string) (*Tokenizer, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return Parse(data, name)
}

// Parse reads a tokenizer.json held in data; name labels error messages.
// Malformed JSON is a *tok.FormatError with the line and column; an
// unknown component type, a bad field or an inconsistent vocabulary is a
// *tok.FormatError naming the JSON path of the component.
func Parse(data []byte, name string) (*Tokenizer, error) {
	var f fileJSON
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, jsonError(name, data, "", err)
	}
	return build(&f, data, name)
}

// jsonError turns an encoding/json error into a *tok.FormatError that
// gives the line and column of the offending byte. base is the offset of
// the decoded value inside data (for values decoded from a RawMessage, -1
// when unknown).
func jsonError(file string, data []byte, path string, err error) error {
	off := int64(-1)
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	msg := err.Error()
	switch {
	case errors.As(err, &syn):
		off = syn.Offset
		msg = "malformed JSON"
		if off >= int64(len(bytes.TrimRight(data, " \t\r\n"))) {
			msg = "malformed JSON: unexpected end of input (truncated file?)"
		}
	case errors.As(err, &typ):
		off = typ.Offset
		field := typ.Field
		if path != "" && field != "" {
			field = path + "." + field
		} else if path != "" {
			field = path
		}
		msg = fmt.Sprintf("%s: JSON %s where %s is expected", field, typ.Value, typ.Type)
		err = nil
	case errors.Is(err, io.ErrUnexpectedEOF):
		off = int64(len(data))
		msg = "malformed JSON: unexpected end of input (truncated file?)"
	default:
		msg = path
	}
	fe := &tok.FormatError{File: file, Offset: off, Msg: msg, Err: err}
	if off >= 0 && off <= int64(len(data)) {
		line, col := lineCol(data, int(off))
		fe.Line = line
		fe.Msg = fmt.Sprintf("column %d: %s", col, msg)
	}
	return fe
}

// lineCol returns the 1-based line and column (in bytes) of offset off.
func lineCol(data []byte, off int) (line, col int) {
	before := data[:off]
	line = bytes.Count(before, []byte{'\n'}) + 1
	col = off - bytes.LastIndexByte(before, '\n')
	return line, col
}

// pathError is a *tok.FormatError for a semantic problem at a JSON path.
func pathError(file, path string, err error) error {
	var fe *tok.FormatError
	if errors.As(err, &fe) && fe.File == file {
		return err
	}
	msg := path
	if msg == "" {
		msg = "tokenizer.json"
	}
	return &tok.FormatError{File: file, Offset: -1, Msg: msg, Err: err}
}

// typeOf reads the "type" field of a component object.
func typeOf(raw json.RawMessage) (string, error) {
	if typ, ok := fastType(raw); ok {
		return typ, nil
	}
	var t struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal(raw, &t); err != nil {
		return "", err
	}
	return t.Type, nil
}

// isNull reports whether raw is absent or JSON null.
func isNull(raw json.RawMessage) bool {
	s := bytes.TrimSpace(raw)
	return len(s) == 0 || string(s) == "null"
}

// unknownType builds the error for an unknown "type".
func unknownType(kind, typ string, known []string) error {
	if typ == "" {
		return fmt.Errorf("%w: %s without a \"type\"", ErrUnknownType, kind)
	}
	return fmt.Errorf("%w: %s type %q (known: %s)", ErrUnknownType, kind, typ, strings.Join(known, ", "))
}

// componentError turns an error about the component at path into a
// *tok.FormatError naming the path.
func componentError(file, path string, err error) error {
	var pe *pathErr
	if errors.As(err, &pe) {
		path, err = pe.path, pe.err
	}
	return pathError(file, path, err)
}

// parseSequence reads the list field of a Sequence component and parses
// each element with parse, dropping null elements; errors name the
// element's path.
func parseSequence[T comparable](raw json.RawMessage, path, field string, parse func(json.RawMessage, string) (T, error)) ([]T, error) {
	var v map[string]json.RawMessage
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, err
	}
	var elems []json.RawMessage
	if r, ok := v[field]; ok && !isNull(r) {
		if err := json.Unmarshal(r, &elems); err != nil {
			return nil, fmt.Errorf("%s.%s: %w", path, field, err)
		}
	}
	var out []T
	var zero T
	for i, r := range elems {
		p := fmt.Sprintf("%s.%s[%d]", path, field, i)
		x, err := parse(r, p)
		if err != nil {
			return nil, wrapPath(p, err)
		}
		if x != zero {
			out = append(out, x)
		}
	}
	return out, nil
}
