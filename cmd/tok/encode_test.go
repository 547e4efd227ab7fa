package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

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
		if !c.bad && !equalUint32(got, c.want) {
			t.Errorf("%q: got %v, want %v", c.in, got, c.want)
		}
	}
}

func equalUint32(a, b []uint32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
