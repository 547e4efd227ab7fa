package corpora

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/klauspost/compress/zstd"
	"github.com/toklabs/tok"
	"github.com/toklabs/tok/internal/sharedtest"
)

type gotDoc struct {
	Source string
	Index  int64
	Line   int64
	Text   string
}

func writeFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func gz(t *testing.T, b []byte) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

func zst(t *testing.T, b []byte) []byte {
	enc, err := zstd.NewWriter(nil)
	if err != nil {
		t.Fatal(err)
	}
	return enc.EncodeAll(b, nil)
}

func texts(docs []gotDoc) []string {
	var s []string
	for _, d := range docs {
		s = append(s, d.Text)
	}
	return s
}

func TestSplits(t *testing.T) {
	const text = "first line\r\nsecond line\n\n  \nthird\nfourth\n\n\nlast without newline"
	tests := []struct {
		split Split
		want  []string
		lines []int64
	}{
		{SplitLines, []string{"first line", "second line", "  ", "third", "fourth", "last without newline"}, []int64{1, 2, 4, 5, 6, 9}},
		{SplitParagraphs, []string{"first line\nsecond line", "third\nfourth", "last without newline"}, []int64{1, 5, 9}},
		{SplitFiles, []string{text}, []int64{1}},
	}
	dir := t.TempDir()
	p := writeFile(t, dir, "a.txt", []byte(text))
	for _, tt := range tests {
		t.Run(tt.split.String(), func(t *testing.T) {
			o := DefaultOptions()
			o.Split = tt.split
			c, err := Open([]string{p}, o)
			if err != nil {
				t.Fatal(err)
			}
			docs, err := readDocs(t, c)
			if err != nil {
				t.Fatal(err)
			}
			if got := texts(docs); strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
			for i, d := range docs {
				if d.Index != int64(i) || d.Source != p || d.Line != tt.lines[i] {
					t.Errorf("doc %d: source %s index %d line %d, want %s %d %d", i, d.Source, d.Index, d.Line, p, i, tt.lines[i])
				}
			}
		})
	}
}

func TestCompressionByContent(t *testing.T) {
	dir := t.TempDir()
	plain := []byte("alpha\nbeta\ngamma\n")
	// Names carry no extension: detection must look at the bytes.
	files := []string{
		writeFile(t, dir, "p", plain),
		writeFile(t, dir, "g", gz(t, plain)),
		writeFile(t, dir, "z", zst(t, plain)),
	}
	for _, f := range files {
		c, err := Open([]string{f}, DefaultOptions())
		if err != nil {
			t.Fatal(err)
		}
		docs, err := readDocs(t, c)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if got := strings.Join(texts(docs), ","); got != "alpha,beta,gamma" {
			t.Errorf("%s: got %q", f, got)
		}
	}
}

func TestJSONL(t *testing.T) {
	dir := t.TempDir()
	data := "{\"id\":1,\"text\":\"héllo\\nworld \\ud83d\\ude00\"}\n\n{\"text\":\"second\",\"body\":\"other\"}\n"
	p1 := writeFile(t, dir, "x.jsonl.zst", zst(t, []byte(data)))
	c, err := Open([]string{p1}, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	docs, err := readDocs(t, c)
	if err != nil {
		t.Fatal(err)
	}
	want := []gotDoc{{p1, 0, 1, "héllo\nworld 😀"}, {p1, 1, 3, "second"}}
	if len(docs) != 2 || docs[0] != want[0] || docs[1] != want[1] {
		t.Fatalf("got %+v, want %+v", docs, want)
	}
	o := DefaultOptions()
	o.TextField = "body"
	c, _ = Open([]string{p1}, o)
	if _, err := readDocs(t, c); err == nil || !strings.Contains(err.Error(), `x.jsonl.zst:1: no field "body"`) {
		t.Fatalf("missing field: got %v", err)
	}
}

func TestDirsGlobsStdin(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "b/2.txt", []byte("two\n"))
	writeFile(t, dir, "b/1.txt", []byte("one\n"))
	writeFile(t, dir, "b/.hidden", []byte("hidden\n"))
	writeFile(t, dir, "a.txt", []byte("zero\n"))
	writeFile(t, dir, "c.md", []byte("three\n"))
	c, err := Open([]string{filepath.Join(dir, "*.txt"), filepath.Join(dir, "b"), "-", filepath.Join(dir, "c.md")}, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	c.SetStdin(strings.NewReader("{\"text\":\"from stdin\"}\n"))
	docs, err := readDocs(t, c)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(texts(docs), ","); got != "zero,one,two,from stdin,three" {
		t.Fatalf("got %q", got)
	}
	if docs[3].Source != Stdin {
		t.Errorf("stdin source = %q", docs[3].Source)
	}
	if _, err := Open([]string{filepath.Join(dir, "nothing*")}, DefaultOptions()); !errors.Is(err, ErrNoInput) {
		t.Errorf("empty glob: got %v", err)
	}
}

func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	full := zst(t, bytes.Repeat([]byte("a line of text that compresses\n"), 20000))
	tests := []struct {
		name    string
		file    string
		data    []byte
		maxDoc  int
		wantErr string // substring of the error
		good    int    // documents read before the error / around it with SkipBad
		skipped int64
	}{
		{"invalid utf8", "u.txt", []byte("ok\nbad \xff here\nok again\n"), 0, "u.txt:2: invalid UTF-8 at byte offset 7", 2, 1},
		{"bad json", "j.jsonl", []byte("{\"text\":\"a\"}\n{\"text\": nope}\n{\"text\":\"c\"}\n"), 0, "j.jsonl:2: bad JSON line", 2, 1},
		{"not a string", "k.jsonl", []byte("{\"text\":5}\n"), 0, "k.jsonl:1: field \"text\" is not a string", 0, 1},
		{"truncated zst", "t.txt.zst", full[:len(full)/2], 0, "t.txt.zst: offset", 0, 1},
		{"empty file", "e.txt", nil, 0, "e.txt: offset 0: empty file", 0, 1},
		{"long line", "l.txt", []byte("short\n" + strings.Repeat("x", 3<<20) + "\nshort again\n"), 1 << 20, "l.txt:2: line longer than the 1048576-byte document limit", 2, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := writeFile(t, dir, tt.file, tt.data)
			for _, skip := range []bool{false, true} {
				o := DefaultOptions()
				o.SkipBad = skip
				if tt.maxDoc > 0 {
					o.MaxDocBytes = tt.maxDoc
				}
				c, err := Open([]string{p}, o)
				if err != nil {
					t.Fatal(err)
				}
				docs, err := readDocs(t, c)
				if !skip {
					var fe *tok.FormatError
					if err == nil || !errors.As(err, &fe) || !strings.Contains(err.Error(), tt.wantErr) {
						t.Fatalf("error = %v, want a FormatError containing %q", err, tt.wantErr)
					}
					continue
				}
				if err != nil {
					t.Fatalf("SkipBad: %v", err)
				}
				if c.Skipped() != tt.skipped {
					t.Errorf("SkipBad: skipped %d, want %d", c.Skipped(), tt.skipped)
				}
				if tt.name != "truncated zst" && len(docs) != tt.good {
					t.Errorf("SkipBad: %d documents, want %d", len(docs), tt.good)
				}
			}
		})
	}
}

func TestDefaultCorpus(t *testing.T) {
	inputs, err := DefaultInputs()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(filepath.ToSlash(inputs[0].Path), DefaultBook) || inputs[0].Split != SplitParagraphs {
		t.Fatalf("first input = %+v", inputs[0])
	}
	var goBytes int64
	for _, in := range inputs[1:] {
		if !strings.HasSuffix(in.Path, ".go") || strings.HasSuffix(in.Path, "_test.go") {
			t.Errorf("unexpected input %s", in.Path)
		}
		goBytes += in.Size
	}
	if goBytes > DefaultGoBytes || goBytes < DefaultGoBytes/2 {
		t.Errorf("Go part is %d bytes, want between %d and %d", goBytes, DefaultGoBytes/2, DefaultGoBytes)
	}
	c, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	docs, err := readDocs(t, c)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(docs[0].Text, "Produced by") || !strings.Contains(docs[1].Text, "OPTICKS") {
		t.Errorf("first documents: %q, %q", docs[0].Text, docs[1].Text)
	}
	// Same selection twice (deterministic).
	again, _ := DefaultInputs()
	if len(again) != len(inputs) || again[len(again)-1] != inputs[len(inputs)-1] {
		t.Error("DefaultInputs is not deterministic")
	}
}

// TestSharedCorpora checks document counts against ../shared/corpora/MANIFEST.md.
func TestSharedCorpora(t *testing.T) {
	tests := []struct {
		file  string
		split Split
		docs  int
		bytes int64 // sum of document texts
	}{
		{"corpora/en-sotu.jsonl.zst", SplitLines, 211, -1},
		{"corpora/en-kjv.txt.zst", SplitParagraphs, 1079, -1},
		{"corpora/en-sotu.txt.gz", SplitParagraphs, 211, -1},
		// The manifest's 6284 counts the empty piece after the final blank line.
		{"corpora/en-tinyshakespeare.txt", SplitParagraphs, 6283, -1},
		{"corpora/en-tinyshakespeare.txt", SplitFiles, 1, 1003857},
	}
	for _, tt := range tests {
		p := sharedtest.Path(t, tt.file)
		o := DefaultOptions()
		o.Split = tt.split
		c, err := Open([]string{p}, o)
		if err != nil {
			t.Fatal(err)
		}
		docs, err := readDocs(t, c)
		if err != nil {
			t.Fatal(err)
		}
		if len(docs) != tt.docs {
			t.Errorf("%s: %d documents, want %d", tt.file, len(docs), tt.docs)
		}
		if tt.bytes >= 0 && int64(len(docs[0].Text)) != tt.bytes {
			t.Errorf("%s: %d bytes, want %d", tt.file, len(docs[0].Text), tt.bytes)
		}
	}
}

// splitLinesNaive is the reference for SplitLines.
func splitLinesNaive(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		l = strings.TrimSuffix(l, "\r")
		if l != "" {
			out = append(out, l)
		}
	}
	return out
}

func FuzzSplitLines(f *testing.F) {
	f.Add("a\nb\r\n\nc", 4)
	f.Add("\n\n\r\n", 1)
	f.Fuzz(func(t *testing.T, s string, bufHint int) {
		o := DefaultOptions()
		o.AllowInvalidUTF8 = true
		src := &source{name: "f", br: bufioSized(strings.NewReader(s), bufHint)}
		r := newTextReader(src, SplitLines, &o)
		var got []string
		for {
			d, err := r.next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, string(d.Text))
		}
		if want := splitLinesNaive(s); strings.Join(got, "\x00") != strings.Join(want, "\x00") || len(got) != len(want) {
			t.Fatalf("got %q, want %q", got, want)
		}
	})
}

// bufioSized makes a small read buffer (16 to 79 bytes) so that the
// long-line path runs.
func bufioSized(r io.Reader, hint int) *bufio.Reader {
	if hint < 0 {
		hint = -hint
	}
	return bufio.NewReaderSize(r, 16+hint%64)
}

func TestJSONFieldKnownAnswers(t *testing.T) {
	tests := []struct{ line, want string }{
		{`{"text":"a"}`, "a"},
		{` { "id" : [1, {"x": null}, -0.5e+3, true], "text" : "tab\there \u00e9 \ud83d\ude00 \/ \"q\"" } `, "tab\there é 😀 / \"q\""},
		{`{"text":"first","text":"second"}`, "second"},
		{`{"text":"lone \ud800 half"}`, "lone \uFFFD half"},
		{`{"text":""}`, ""},
	}
	for _, tt := range tests {
		got, ok := appendJSONField(nil, []byte(tt.line), "text")
		if !ok || string(got) != tt.want {
			t.Errorf("%s: got %q, %v; want %q", tt.line, got, ok, tt.want)
		}
	}
	for _, bad := range []string{`{"text":"a"`, `{"text":"a"} x`, `{"text":01}`, `{"text":"a\q"}`, `{"text":5}`, `{"a":1}`, "{\"text\":\"a\x01\"}"} {
		if _, ok := appendJSONField(nil, []byte(bad), "text"); ok {
			t.Errorf("%q: fast path accepted it", bad)
		}
	}
}

// FuzzJSONField checks the fast field extractor against encoding/json:
// whenever the fast path answers, the reference must give the same text.
func FuzzJSONField(f *testing.F) {
	for _, s := range []string{`{"text":"a"}`, `{"id":1,"text":"x\u00e9\ud83d\ude00","n":[1,2,{"a":null}]}`,
		`{"text":"a","text":"b"}`, `{"text":"\ud800"}`, `{"x":-1.5e3,"text":"\"\\\/\b\f\n\r\t"}`, `{"text":null}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		if !utf8.ValidString(line) {
			return // the reader rejects invalid UTF-8 before parsing
		}
		got, ok := appendJSONField(nil, []byte(line), "text")
		want, err := jsonFieldNaive(nil, []byte(line), "text")
		if ok && (err != nil || string(got) != string(want)) {
			t.Fatalf("%q: fast %q, reference %q (%v)", line, got, want, err)
		}
	})
}
