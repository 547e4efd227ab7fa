package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/toklabs/tok/internal/sharedtest"
)

// runEncodeVerb runs a tok verb and returns what it wrote to stdout.
func runEncodeVerb(t *testing.T, args ...string) []byte {
	t.Helper()
	var out, errOut bytes.Buffer
	app := newApp()
	app.Writer, app.ErrWriter = &out, &errOut
	if err := app.Run(append([]string{"tok"}, args...)); err != nil {
		t.Fatalf("tok %s: %v (%s)", strings.Join(args, " "), err, errOut.String())
	}
	return out.Bytes()
}

// tok encode --per-line reproduces the golden JSONL byte for byte whatever
// the number of workers, and tok decode --per-line gives the text back.
func TestEncodeDecodeGolden(t *testing.T) {
	vocab := sharedtest.Path(t, "vocab/cl100k_base.tiktoken")
	for _, text := range []string{"edge", "multi"} {
		in := sharedtest.Path(t, "golden/texts/"+text+".txt")
		want, err := os.ReadFile(sharedtest.Path(t, "golden/cl100k_base.tiktoken/"+text+".jsonl"))
		if err != nil {
			t.Fatal(err)
		}
		for _, workers := range []string{"1", "3"} {
			got := runEncodeVerb(t, "encode", "--tokenizer", vocab, "--per-line", "--workers", workers, in)
			if !bytes.Equal(got, want) {
				t.Errorf("%s, %s workers: output differs from the golden JSONL", text, workers)
			}
		}
		ids := filepath.Join(t.TempDir(), "ids.jsonl")
		os.WriteFile(ids, want, 0o644)
		back := runEncodeVerb(t, "decode", "--tokenizer", vocab, "--per-line", ids)
		orig, _ := os.ReadFile(in)
		if !bytes.Equal(back, orig) {
			t.Errorf("%s: decode --per-line of the golden ids is not the text", text)
		}
	}
}

// Whole-file mode, the ids format and --special, on a small file with
// invalid UTF-8 and no final newline.
func TestEncodeWholeFileAndSpecial(t *testing.T) {
	vocab := sharedtest.Path(t, "vocab/cl100k_base.tiktoken")
	dir := t.TempDir()
	in := filepath.Join(dir, "in.txt")
	text := []byte("hello <|endoftext|> w\xffx\n\nlast")
	os.WriteFile(in, text, 0o644)

	ordinary := runEncodeVerb(t, "encode", "-t", vocab, "--format", "ids", in)
	if bytes.Contains(ordinary, []byte("100257")) {
		t.Errorf("default (encode_ordinary) produced the special id: %s", ordinary)
	}
	all := runEncodeVerb(t, "encode", "-t", vocab, "--format", "ids", "--special", "all", in)
	if !bytes.Contains(all, []byte(" 100257 ")) {
		t.Errorf("--special all did not produce <|endoftext|>: %s", all)
	}
	listed := runEncodeVerb(t, "encode", "-t", vocab, "--format", "ids", "--special", "<|endoftext|>", in)
	if !bytes.Equal(listed, all) {
		t.Errorf("--special <|endoftext|> differs from all: %s vs %s", listed, all)
	}
	for _, ids := range [][]byte{ordinary, all} {
		p := filepath.Join(dir, "ids.txt")
		os.WriteFile(p, ids, 0o644)
		if back := runEncodeVerb(t, "decode", "-t", vocab, p); !bytes.Equal(back, text) {
			t.Errorf("decode of %s = %q, want %q", ids, back, text)
		}
	}
	var out bytes.Buffer
	app := newApp()
	app.Writer, app.ErrWriter = &out, &out
	if err := app.Run([]string{"tok", "encode", "-t", vocab, "--special", "<|nope|>", in}); err == nil {
		t.Error("--special with an unknown token: no error")
	}
}

func TestParseIDLine(t *testing.T) {
	cases := []struct {
		in   string
		want []uint32
		bad  bool
	}{
		{"[1,2,3]", []uint32{1, 2, 3}, false},
		{"[]", nil, false},
		{"  4 5\t6 ", []uint32{4, 5, 6}, false},
		{"[1, 2]", []uint32{1, 2}, false},
		{"[1,x]", nil, true},
		{"[1,2", nil, true},
		{"99999999999", nil, true},
		{"-1", nil, true},
	}
	for _, c := range cases {
		got, err := parseIDLine(nil, []byte(c.in))
		if (err != nil) != c.bad {
			t.Errorf("%q: error %v, want error %v", c.in, err, c.bad)
			continue
		}
		if !c.bad && !slices.Equal(got, c.want) {
			t.Errorf("%q: got %v, want %v", c.in, got, c.want)
		}
	}
}

// TestEncodeLines checks --per-line's chunked reader and reordering against
// encoding each line on its own: lines longer than a chunk, empty lines,
// no final newline, short reads, any number of workers.
func TestEncodeLines(t *testing.T) {
	enc := func(dst []uint32, text []byte) []uint32 { // one id per byte
		for _, b := range text {
			dst = append(dst, uint32(b))
		}
		return dst
	}
	long := strings.Repeat("x", 3*chunkSize+17)
	var many strings.Builder
	for i := range 200000 {
		fmt.Fprintf(&many, "line %d\n", i)
	}
	inputs := map[string]string{
		"empty":           "",
		"one line":        "a b c",
		"blank lines":     "\n\n\nx\n\n",
		"long line":       "a\n" + long + "\nb",
		"long first line": long + "\n",
		"only long line":  long,
		"many lines":      many.String(),
		"long after many": many.String() + long + "\nend\n",
	}
	for name, in := range inputs {
		var want []byte
		lines := strings.Split(in, "\n")
		if strings.HasSuffix(in, "\n") || in == "" {
			lines = lines[:len(lines)-1]
		}
		for _, l := range lines {
			want = appendIDs(want, enc(nil, []byte(l)), formatIDs)
		}
		for _, workers := range []int{1, 3} {
			for _, half := range []bool{false, true} {
				var r io.Reader = strings.NewReader(in)
				if half {
					r = iotest.HalfReader(r)
				}
				var got bytes.Buffer
				prog := &encodeProgress{}
				if err := encodeLines(r, enc, formatIDs, workers, &got, prog); err != nil {
					t.Fatalf("%s, %d workers: %v", name, workers, err)
				}
				if !bytes.Equal(got.Bytes(), want) {
					t.Errorf("%s, %d workers, half reads %v: %d bytes of output, want %d", name, workers, half, got.Len(), len(want))
				}
				if prog.bytes != int64(len(in)) {
					t.Errorf("%s: progress counted %d bytes, want %d", name, prog.bytes, len(in))
				}
			}
		}
	}
	// a read error is returned
	bad := io.MultiReader(strings.NewReader("a\nb\n"), iotest.ErrReader(errors.New("disk on fire")))
	if err := encodeLines(bad, enc, formatIDs, 2, io.Discard, &encodeProgress{}); err == nil || !strings.Contains(err.Error(), "disk on fire") {
		t.Errorf("read error: %v", err)
	}
}

// Without --per-line a file is one document held in memory: one longer
// than --max-doc-size is refused with an error naming it, after the ids of
// the files before it are written.
func TestEncodeWholeFileLimit(t *testing.T) {
	dir := t.TempDir()
	small := filepath.Join(dir, "small.txt")
	big := filepath.Join(dir, "big.txt")
	os.WriteFile(small, []byte("abc"), 0o644)
	os.WriteFile(big, []byte(strings.Repeat("x", 101)), 0o644)
	out := filepath.Join(dir, "ids.txt")
	_, err := runTokOut(t, "encode", "-t", "bytes", "--max-doc-size", "100", "--output", out, small, big)
	if err == nil || !strings.Contains(err.Error(), big) || !strings.Contains(err.Error(), "--per-line") {
		t.Fatalf("got %v, want an error naming %s and suggesting --per-line", err, big)
	}
	if got, _ := os.ReadFile(out); strings.TrimSpace(string(got)) != "[97,98,99]" {
		t.Errorf("ids written before the error: %q, want those of small.txt", got)
	}
	if _, err := runTokOut(t, "encode", "-t", "bytes", "--max-doc-size", "101", "--output", out, big); err != nil {
		t.Errorf("a file of exactly --max-doc-size: %v", err)
	}
}
