package bpe

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/toklabs/tok"
)

// tinyTiktoken is a valid rank file: all 256 bytes, then "ab" and "abc".
func tinyTiktoken() string {
	var sb strings.Builder
	for b := 0; b < 256; b++ {
		sb.WriteString(b64([]byte{byte(b)}))
		sb.WriteString(" ")
		sb.WriteString(itoa(b))
		sb.WriteString("\n")
	}
	sb.WriteString(b64([]byte("ab")) + " 256\n")
	sb.WriteString(b64([]byte("abc")) + " 257\n")
	return sb.String()
}

func TestTiktokenLoaderErrors(t *testing.T) {
	good := tinyTiktoken()
	cases := []struct {
		name, content string
		line          int // expected line in the error, 0: any
	}{
		{"not base64", good + "@@@@ 258\n", 259},
		{"no space", good + "YWJj258\n", 259},
		{"bad rank", good + "YWJjZA== x\n", 259},
		{"negative rank", good + "YWJjZA== -1\n", 259},
		{"huge rank", good + "YWJjZA== 4000000000\n", 259},
		{"duplicate rank", good + "YWJjZA== 257\n", 259},
		{"duplicate token", good + b64([]byte("ab")) + " 300\n", 259},
		{"empty token", good + " 258\n", 259},
		{"missing byte", strings.SplitN(good, "\n", 2)[1], 0},
		{"empty file", "", 0},
	}
	dir := t.TempDir()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(dir, "x.tiktoken")
			if err := os.WriteFile(path, []byte(c.content), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := OpenTiktokenWith(path, Encoding{Name: "x", Pattern: patternGPT2})
			var fe *tok.FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("want a *tok.FormatError, got %v", err)
			}
			if fe.File != path || (c.line != 0 && fe.Line != c.line) {
				t.Errorf("error %q: want file %s line %d", err, path, c.line)
			}
		})
	}
	path := filepath.Join(dir, "good.tiktoken")
	os.WriteFile(path, []byte(good), 0o644)
	if _, err := OpenTiktoken(path); !errors.Is(err, ErrUnknownEncoding) {
		t.Errorf("unknown encoding without pattern: %v", err)
	}
	tk, err := OpenTiktokenWith(path, Encoding{Name: "tiny", Pattern: patternGPT2, Special: []tok.SpecialToken{{Content: "<|x|>", ID: 300}}})
	if err != nil {
		t.Fatal(err)
	}
	if got := tk.AppendEncode(nil, []byte("abc ab")); !slices.Equal(got, []uint32{257, ' ', 256}) {
		t.Errorf("tiny encode: %v", got)
	}
	if _, err := OpenTiktokenWith(path, Encoding{Name: "bad", Pattern: patternGPT2, Special: []tok.SpecialToken{{Content: "<|x|>", ID: 256}}}); err == nil {
		t.Error("special token on a rank: no error")
	}
}

func TestGPT2LoaderErrors(t *testing.T) {
	vocab := `{"a": 0, "b": 1, "ab": 2, "Ġ": 3}`
	merges := "#version: 0.2\na b\n"
	cases := []struct {
		name, vocab, merges, file string
		line                      int
	}{
		{"merge of unknown token", vocab, merges + "a c\n", "merges.txt", 3},
		{"merge result unknown", vocab, merges + "b a\n", "merges.txt", 3},
		{"malformed merge", vocab, merges + "a b c\n", "merges.txt", 3},
		{"empty merge line", vocab, "a b\n\na b\n", "merges.txt", 2},
		{"vocab not an object", `["a"]`, merges, "vocab.json", 1},
		{"vocab id not a number", `{"a": "x"}`, merges, "vocab.json", 1},
		{"vocab duplicate id", "{\"a\": 0,\n \"b\": 0}", merges, "vocab.json", 2},
		{"vocab duplicate token", `{"a": 0, "a": 1}`, merges, "vocab.json", 1},
		{"vocab truncated", `{"a": 0, "b`, merges, "vocab.json", 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			os.WriteFile(filepath.Join(dir, "vocab.json"), []byte(c.vocab), 0o644)
			os.WriteFile(filepath.Join(dir, "merges.txt"), []byte(c.merges), 0o644)
			_, err := OpenGPT2(dir)
			var fe *tok.FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("want a *tok.FormatError, got %v", err)
			}
			if filepath.Base(fe.File) != c.file || fe.Line != c.line {
				t.Errorf("error %q: want %s line %d", err, c.file, c.line)
			}
		})
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "my-vocab.json"), []byte(vocab), 0o644)
	os.WriteFile(filepath.Join(dir, "my-merges.txt"), []byte(merges), 0o644)
	for _, p := range []string{dir, filepath.Join(dir, "my-vocab.json"), filepath.Join(dir, "my-merges.txt")} {
		if filepath.Base(p) == filepath.Base(dir) {
			continue // the directory needs vocab.json + merges.txt
		}
		tk, err := tok.Open(p)
		if err != nil {
			t.Fatalf("tok.Open(%s): %v", p, err)
		}
		if got := tk.AppendEncode(nil, []byte("ab a")); !slices.Equal(got, []uint32{2, 3, 0}) {
			t.Errorf("%s: encode = %v", p, got)
		}
	}
}

// FuzzReadTiktokenRanks: the rank-file parser never panics, and what it
// accepts round-trips through the rank model when every byte is present.
func FuzzReadTiktokenRanks(f *testing.F) {
	f.Add([]byte(tinyTiktoken()))
	f.Add([]byte("YQ== 0\nYg== 1\n"))
	f.Add([]byte("YQ== 0\r\n\r\nYg== 99999999999\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ranks, err := ReadTiktokenRanks(bytes.NewReader(data), "fuzz.tiktoken")
		if err != nil {
			var fe *tok.FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("error is not a *tok.FormatError: %v", err)
			}
			return
		}
		NewRankModel(ranks) // must not panic
	})
}

// FuzzOpenGPT2: the vocab.json and merges.txt readers never panic.
func FuzzOpenGPT2(f *testing.F) {
	f.Add([]byte(`{"a": 0, "b": 1, "ab": 2}`), []byte("#version: 0.2\na b\n"))
	f.Add([]byte(`{"a": 0}`), []byte("a a\n"))
	f.Fuzz(func(t *testing.T, vocab, merges []byte) {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "vocab.json"), vocab, 0o644)
		os.WriteFile(filepath.Join(dir, "merges.txt"), merges, 0o644)
		tk, err := OpenGPT2(dir)
		if err != nil {
			return
		}
		ids := tk.AppendEncode(nil, []byte("ab a\xff"))
		tk.AppendDecode(nil, ids)
	})
}
