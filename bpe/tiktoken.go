package bpe

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/toklabs/tok"
	"github.com/toklabs/tok/pretokenize"
)

// Encoding is what a .tiktoken rank file does not hold: the
// pre-tokenization pattern and the special tokens, which tiktoken keeps in
// code (tiktoken_ext/openai_public.py).
type Encoding struct {
	Name    string
	Pattern string
	Special []tok.SpecialToken
	// SHA256 is the hex digest of the published rank file, used to
	// recognise a renamed file; empty for encodings given by the caller.
	SHA256 string
}

// Patterns of the tiktoken encodings, spelled as npm tiktoken 1.0.22 (the
// reference tool of the golden files) spells them.
const (
	patternGPT2   = `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`
	patternCL100K = `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`
	patternO200K  = `[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+`
)

const (
	endOfText   = "<|endoftext|>"
	fimPrefix   = "<|fim_prefix|>"
	fimMiddle   = "<|fim_middle|>"
	fimSuffix   = "<|fim_suffix|>"
	endOfPrompt = "<|endofprompt|>"
)

// knownEncodings are OpenAI's public encodings (tiktoken_ext/openai_public.py).
var knownEncodings = []Encoding{
	{Name: "r50k_base", Pattern: patternGPT2, Special: []tok.SpecialToken{{Content: endOfText, ID: 50256}},
		SHA256: "306cd27f03c1a714eca7108e03d66b7dc042abe8c258b44c199a7ed9838dd930"},
	{Name: "p50k_base", Pattern: patternGPT2, Special: []tok.SpecialToken{{Content: endOfText, ID: 50256}},
		SHA256: "94b5ca7dff4d00767bc256fdd1b27e5b17361d7b8a5f968547f9f23eb70d2069"},
	// p50k_edit uses p50k_base's file (same digest): only its name tells it apart.
	{Name: "p50k_edit", Pattern: patternGPT2, Special: []tok.SpecialToken{
		{Content: endOfText, ID: 50256}, {Content: fimPrefix, ID: 50281}, {Content: fimMiddle, ID: 50282}, {Content: fimSuffix, ID: 50283}}},
	{Name: "cl100k_base", Pattern: patternCL100K, Special: []tok.SpecialToken{
		{Content: endOfText, ID: 100257}, {Content: fimPrefix, ID: 100258}, {Content: fimMiddle, ID: 100259},
		{Content: fimSuffix, ID: 100260}, {Content: endOfPrompt, ID: 100276}},
		SHA256: "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7"},
	{Name: "o200k_base", Pattern: patternO200K, Special: []tok.SpecialToken{
		{Content: endOfText, ID: 199999}, {Content: endOfPrompt, ID: 200018}},
		SHA256: "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d"},
}

// LookupEncoding returns one of OpenAI's public encodings by name:
// r50k_base (also "gpt2"), p50k_base, p50k_edit, cl100k_base, o200k_base.
func LookupEncoding(name string) (Encoding, bool) {
	if name == "gpt2" {
		name = "r50k_base"
	}
	for _, e := range knownEncodings {
		if e.Name == name {
			e.Special = append([]tok.SpecialToken(nil), e.Special...)
			return e, true
		}
	}
	return Encoding{}, false
}

// ErrUnknownEncoding is returned by OpenTiktoken for a rank file it cannot
// recognise by name or digest.
var ErrUnknownEncoding = errors.New("bpe: unknown tiktoken encoding (the .tiktoken file holds no pattern or special tokens; name the file after a known encoding — r50k_base, p50k_base, p50k_edit, cl100k_base, o200k_base — or use OpenTiktokenWith with an Encoding)")

// maxRank bounds the ranks a .tiktoken file may use, so that a corrupt
// rank cannot make the loader allocate gigabytes.
const maxRank = 1 << 24

// ReadTiktokenRanks parses a .tiktoken rank file: one "base64(token) rank"
// per line. It returns tokens indexed by rank (nil for an unused rank).
// Empty lines are skipped, as tiktoken does. file names the input in
// errors, which are *tok.FormatError with the line.
func ReadTiktokenRanks(r io.Reader, file string) ([][]byte, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, &tok.FormatError{File: file, Offset: -1, Msg: "read", Err: err}
	}
	ranks, _, err := parseTiktoken(data, file)
	return ranks, err
}

func parseTiktoken(data []byte, file string) (ranks [][]byte, lineOf []int32, err error) {
	ferr := func(line int, format string, args ...any) error {
		return &tok.FormatError{File: file, Line: line, Offset: -1, Msg: fmt.Sprintf(format, args...)}
	}
	n := bytes.Count(data, []byte{'\n'}) + 1
	ranks = make([][]byte, 0, n)
	lineOf = make([]int32, 0, n)
	// One allocation for every token's bytes.
	store := make([]byte, 0, len(data)*3/4)
	line := 0
	for len(data) > 0 {
		line++
		var l []byte
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			l, data = data[:i], data[i+1:]
		} else {
			l, data = data, nil
		}
		l = bytes.TrimSuffix(l, []byte{'\r'})
		if len(l) == 0 {
			continue
		}
		sp := bytes.IndexByte(l, ' ')
		if sp < 0 {
			return nil, nil, ferr(line, "want \"base64 rank\", found no space")
		}
		b64, rankStr := l[:sp], l[sp+1:]
		if len(b64) == 0 {
			return nil, nil, ferr(line, "empty token")
		}
		rank, perr := strconv.ParseUint(string(rankStr), 10, 32)
		if perr != nil {
			return nil, nil, ferr(line, "bad rank %q", rankStr)
		}
		if rank >= maxRank {
			return nil, nil, ferr(line, "rank %d is too large (limit %d)", rank, maxRank)
		}
		start := len(store)
		need := base64.StdEncoding.DecodedLen(len(b64))
		if cap(store)-len(store) < need {
			store = make([]byte, 0, max(need, 1<<16)) // earlier tokens keep the old array
			start = 0
		}
		k, derr := base64.StdEncoding.Decode(store[start:start+need], b64)
		if derr != nil {
			return nil, nil, ferr(line, "token %q is not base64: %v", b64, derr)
		}
		if k == 0 {
			return nil, nil, ferr(line, "empty token")
		}
		store = store[:start+k]
		tokBytes := store[start : start+k : start+k]
		for int(rank) >= len(ranks) {
			ranks = append(ranks, nil)
			lineOf = append(lineOf, 0)
		}
		if ranks[rank] != nil {
			return nil, nil, ferr(line, "rank %d already given on line %d", rank, lineOf[rank])
		}
		ranks[rank] = tokBytes
		lineOf[rank] = int32(line)
	}
	if len(ranks) == 0 {
		return nil, nil, ferr(0, "no tokens")
	}
	return ranks, lineOf, nil
}

// OpenTiktoken reads a .tiktoken rank file of one of OpenAI's public
// encodings, recognised by file name (cl100k_base.tiktoken, …) or, for a
// renamed file, by its SHA-256. Any other file is an error wrapping
// [ErrUnknownEncoding]; use [OpenTiktokenWith] for it.
//
// The tokenizer's AppendEncode is tiktoken's encode_ordinary: special-token
// strings are plain text unless allowed through AppendEncodeSpecial or
// AppendEncodeChecked.
func OpenTiktoken(path string) (*Tokenizer, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	name := strings.TrimSuffix(filepath.Base(path), ".tiktoken")
	enc, ok := LookupEncoding(name)
	if !ok {
		sum := sha256.Sum256(data)
		digest := hex.EncodeToString(sum[:])
		for _, e := range knownEncodings {
			if e.SHA256 == digest {
				enc, ok = e, true
				break
			}
		}
	}
	if !ok {
		return nil, fmt.Errorf("%s: %w", path, ErrUnknownEncoding)
	}
	return newTiktokenFromData(data, path, enc)
}

// OpenTiktokenWith reads a .tiktoken rank file with the pattern and
// special tokens given in enc.
func OpenTiktokenWith(path string, enc Encoding) (*Tokenizer, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return newTiktokenFromData(data, path, enc)
}

func newTiktokenFromData(data []byte, path string, enc Encoding) (*Tokenizer, error) {
	ranks, lineOf, err := parseTiktoken(data, path)
	if err != nil {
		return nil, err
	}
	m, err := NewRankModel(ranks)
	if err != nil {
		var te *TokenError
		if errors.As(err, &te) && te.Index >= 0 && te.Index < len(lineOf) {
			return nil, &tok.FormatError{File: path, Line: int(lineOf[te.Index]), Offset: -1, Msg: "bad token", Err: err}
		}
		return nil, &tok.FormatError{File: path, Offset: -1, Msg: "bad rank table", Err: err}
	}
	t, err := NewTiktoken(m, enc)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return t, nil
}

// NewTiktoken makes a tiktoken-style tokenizer from a rank model and an
// encoding: enc.Pattern pre-tokenizes, enc.Special are the special tokens,
// and AppendEncode is encode_ordinary. A special token whose id is a rank
// of the model is an error.
func NewTiktoken(m *Model, enc Encoding) (*Tokenizer, error) {
	if enc.Pattern == "" {
		return nil, fmt.Errorf("bpe: encoding %q has no pattern", enc.Name)
	}
	pre, err := compilePattern(enc.Pattern)
	if err != nil {
		return nil, fmt.Errorf("bpe: encoding %q: pattern: %w", enc.Name, err)
	}
	for _, s := range enc.Special {
		if _, used := m.Token(s.ID); used {
			return nil, fmt.Errorf("bpe: special token %q has id %d, which is a rank of the model", s.Content, s.ID)
		}
	}
	return NewTokenizer(m, TokenizerConfig{PreTokenizer: pre, Special: enc.Special, Name: enc.Name})
}

// compilePattern compiles a pre-tokenization pattern with package
// pretokenize (hand-written matchers for the built-in patterns).
func compilePattern(pattern string) (PreTokenizer, error) {
	return pretokenize.Compile(pattern)
}
