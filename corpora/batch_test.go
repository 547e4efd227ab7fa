package corpora

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unsafe"

	"github.com/toklabs/tok/internal/sharedtest"
)

// batchDocs reads a corpus with ReadBatch, in batches of size bytes, its
// its own buffer at first and then buffers lent by a scribblePool, given
// back after every other batch.
func batchDocs(t testing.TB, c *Corpus, size int) ([]gotDoc, error) {
	var out []gotDoc
	var b Batch
	home := make([]byte, 0, 64<<10)
	b.UseBuffer(home)
	pool := &scribblePool{t: t, held: map[*byte]bool{}, home: unsafe.SliceData(home[:1])}
	b.UsePool(pool)
	for n := 0; ; n++ {
		err := c.ReadBatch(&b, size)
		for i := 0; i < b.Len(); i++ {
			d := b.Doc(i)
			out = append(out, gotDoc{c.Inputs()[d.Input].Path, d.Index, d.Line, string(b.Text(i))})
		}
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		if b.Len() == 0 {
			t.Fatal("ReadBatch returned no document and no error")
		}
		if n%2 == 1 {
			keep := 0 // drop every buffer, or go back to home
			if n%4 == 3 {
				keep = cap(home)
			}
			b.Trim(keep)
		}
	}
}

// scribblePool is a BufferPool that overwrites each buffer given back, so
// that a batch still reading one shows, and checks that no buffer is given
// back twice. (A batch may also give back buffers that append grew.)
type scribblePool struct {
	t    testing.TB
	free [][]byte
	held map[*byte]bool // the pool's buffers
	home *byte          // the batch's own buffer, never to be given back
}

func (p *scribblePool) Get(n int) []byte {
	for i, f := range p.free {
		if cap(f) >= n {
			p.free = append(p.free[:i], p.free[i+1:]...)
			delete(p.held, unsafe.SliceData(f[:1]))
			return f[:0]
		}
	}
	return make([]byte, 0, n)
}

func (p *scribblePool) Put(buf []byte) {
	if cap(buf) == 0 {
		return
	}
	at := unsafe.SliceData(buf[:1])
	if at == p.home {
		p.t.Fatal("the batch gave its own buffer (UseBuffer) to the pool")
	}
	if p.held[at] {
		p.t.Fatalf("a buffer (%d bytes) given back twice", cap(buf))
	}
	p.held[at] = true
	buf = buf[:cap(buf)]
	for i := range buf {
		buf[i] = 'X'
	}
	p.free = append(p.free, buf[:0])
}

// readInputs opens inputs with o and reads every document with Read; it
// returns them, the skipped count and the error that ended the reading.
func readInputs(t testing.TB, inputs []Input, o Options) ([]gotDoc, int64, error) {
	t.Helper()
	c := OpenInputs(inputs, o)
	defer c.Close()
	docs, err := readDocs(t, c)
	return docs, c.Skipped(), err
}

func readDocs(t testing.TB, c *Corpus) ([]gotDoc, error) {
	var out []gotDoc
	for {
		d, err := c.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, gotDoc{d.Source, d.Index, d.Line, string(d.Text)})
	}
}

// compareReads checks that ReadBatch gives the documents, the error and
// the skipped count that Read gives.
func compareReads(t testing.TB, inputs []Input, o Options, size int) {
	t.Helper()
	compareReadsWith(t, inputs, o, o, size)
}

// compareReadsWith reads with Read and options ro, and with ReadBatch and
// options bo.
func compareReadsWith(t testing.TB, inputs []Input, ro, bo Options, size int) {
	t.Helper()
	rc := OpenInputs(inputs, ro)
	want, werr := readDocs(t, rc)
	rc.Close()
	bc := OpenInputs(inputs, bo)
	got, gerr := batchDocs(t, bc, size)
	bc.Close()
	if fmt.Sprint(werr) != fmt.Sprint(gerr) {
		t.Fatalf("size %d: error %v, Read gave %v", size, gerr, werr)
	}
	if bc.Skipped() != rc.Skipped() {
		t.Fatalf("size %d: skipped %d, Read skipped %d", size, bc.Skipped(), rc.Skipped())
	}
	if len(got) != len(want) {
		t.Fatalf("size %d: %d documents, Read gave %d", size, len(got), len(want))
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("size %d: document %d = %+.80v, Read gave %+.80v", size, i, got[i], want[i])
		}
	}
}

func smallBuffers(t testing.TB, read, batch int) {
	oldRead, oldBatch := minRead, minBatch
	minRead, minBatch = read, batch
	t.Cleanup(func() { minRead, minBatch = oldRead, oldBatch })
}

func TestReadBatchMatchesRead(t *testing.T) {
	dir := t.TempDir()
	long := strings.Repeat("long text ", 30000) // 300 kB
	files := map[string][]byte{
		"a.jsonl":     []byte("{\"text\":\"one\\ntwo\"}\r\n\n  \n{\"id\":1,\"text\":\"plain\"}\n{\"t\\u0065xt\":\"escaped key \\u00e9\"}\n{\"text\":\"" + long + "\"}\n{\"text\":\"last, no newline\"}"),
		"b.txt":       []byte("line one\r\n\nline two\n   \n" + long + "\nlast"),
		"c.txt.zst":   zst(t, []byte(strings.Repeat("a compressed line of text\n", 50000))),
		"d.jsonl.gz":  gz(t, []byte(strings.Repeat("{\"text\":\"gzip\\tjson\"}\n", 20000))),
		"e.txt":       []byte("paragraph one\nstill one\n\nparagraph two\n"),
		"k.txt":       []byte("short\n\n" + long + "\n\n" + strings.Repeat("middle ", 9000) + "\n\nx\n\n" + long + long + "\n\nlast\n"),
		"f.jsonl":     []byte("{\"text\":\"ok\"}\n{\"text\": nope}\n{\"text\":5}\n{\"text\":\"bad \xff utf8\"}\n" + "{\"text\":\"" + long + "\"}\n{\"text\":\"after\"}\n"),
		"g.txt":       []byte("ok\n" + long + long + long + long + "\nbad \xfe\nfine\n"),
		"h.txt.zst":   zst(t, []byte(strings.Repeat("truncated stream line\n", 40000)))[:30000],
		"i.jsonl":     nil,
		"j.jsonl.zst": zst(t, []byte(strings.Repeat("{\"text\":\"x\"}\n", 100)+"{\"text\":\""+long+long+long+"\"}\n{\"text\":\"y\"}\n")),
	}
	for name, data := range files {
		writeFile(t, dir, name, data)
	}
	in := func(names ...string) []Input {
		var out []Input
		for _, n := range names {
			p := filepath.Join(dir, n)
			fi, err := os.Stat(p)
			if err != nil {
				t.Fatal(err)
			}
			split := SplitLines
			if n == "e.txt" || n == "k.txt" {
				split = SplitParagraphs
			}
			out = append(out, Input{Path: p, Split: split, Size: fi.Size()})
		}
		return out
	}
	tests := []struct {
		name   string
		inputs []Input
		opts   func(*Options)
	}{
		{"good", in("a.jsonl", "b.txt", "c.txt.zst", "d.jsonl.gz", "e.txt", "j.jsonl.zst"), nil},
		// Records (paragraphs, Parquet rows) longer than a batch's room
		// start the next batch, or grow an empty one.
		{"records", append(in("k.txt", "a.jsonl", "k.txt"), Input{Path: filepath.Join("testdata", "parquet", "rowgroups.parquet")}), nil},
		{"bad json", in("a.jsonl", "f.jsonl", "b.txt"), nil},
		{"bad json skipped", in("a.jsonl", "f.jsonl", "b.txt"), func(o *Options) { o.SkipBad = true }},
		{"long lines", in("g.txt", "a.jsonl"), func(o *Options) { o.MaxDocBytes = 1 << 20 }},
		{"long lines skipped", in("g.txt", "j.jsonl.zst", "f.jsonl", "a.jsonl"), func(o *Options) { o.MaxDocBytes = 100 << 10; o.SkipBad = true }},
		{"truncated", in("b.txt", "h.txt.zst", "a.jsonl"), nil},
		{"truncated skipped", in("b.txt", "h.txt.zst", "a.jsonl"), func(o *Options) { o.SkipBad = true }},
		{"empty skipped", in("i.jsonl", "a.jsonl", "i.jsonl"), func(o *Options) { o.SkipBad = true }},
		{"invalid utf8 allowed", in("f.jsonl", "g.txt"), func(o *Options) { o.AllowInvalidUTF8 = true; o.SkipBad = true }},
		{"zstd decoded ahead", in("c.txt.zst", "j.jsonl.zst", "h.txt.zst"), func(o *Options) { o.DecodeConcurrency = 4; o.SkipBad = true }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := DefaultOptions()
			if tt.opts != nil {
				tt.opts(&o)
			}
			for _, size := range []int{0, 100 << 10, 1 << 20} {
				compareReads(t, tt.inputs, o, size)
			}
			t.Run("tiny buffers", func(t *testing.T) {
				smallBuffers(t, 5, 3)
				for _, size := range []int{1, 7, 300} {
					compareReads(t, tt.inputs, o, size)
				}
			})
		})
	}
}

// TestReadBatchShared compares ReadBatch with Read on the shared corpora.
func TestReadBatchShared(t *testing.T) {
	for _, name := range []string{"corpora/en-sotu.jsonl.zst", "corpora/code-go.jsonl.zst", "corpora/en-kjv.txt.zst", "corpora/multilingual.jsonl.zst"} {
		p := sharedtest.Path(t, name)
		inputs, err := Expand([]string{p}, DefaultOptions())
		if err != nil {
			t.Fatal(err)
		}
		compareReads(t, inputs, DefaultOptions(), 256<<10)
		o := DefaultOptions()
		o.DecodeConcurrency = 2
		compareReadsWith(t, inputs, DefaultOptions(), o, 1<<20)
	}
	inputs, err := DefaultInputs()
	if err != nil {
		t.Fatal(err)
	}
	compareReads(t, inputs, DefaultOptions(), 256<<10)
}

// TestReadBatchReuse checks that the texts of a batch are not changed by
// reading the next batch into another one, and that a batch's bytes stay
// within it.
func TestReadBatchReuse(t *testing.T) {
	smallBuffers(t, 16, 8)
	var sb strings.Builder
	for i := range 500 {
		fmt.Fprintf(&sb, "{\"text\":\"doc %d\\n%s\"}\n", i, strings.Repeat("x", i%37))
	}
	p := writeFile(t, t.TempDir(), "r.jsonl", []byte(sb.String()))
	c, err := Open([]string{p}, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	var batches [3]Batch
	var kept [][]byte
	var copies []string
	for n := 0; ; n++ {
		b := &batches[n%3]
		err := c.ReadBatch(b, 40)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < b.Len(); i++ {
			kept = append(kept, b.Text(i))
			copies = append(copies, string(b.Text(i)))
		}
		if n%3 == 2 { // the three batches are about to be reused
			for i := range kept {
				if string(kept[i]) != copies[i] {
					t.Fatalf("text %d changed from %q to %q", i, copies[i], kept[i])
				}
			}
			kept, copies = kept[:0], copies[:0]
		}
	}
}

func TestReadBatchMixedReads(t *testing.T) {
	p := writeFile(t, t.TempDir(), "m.txt", []byte("a\nb\n"))
	c, err := Open([]string{p}, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	var b Batch
	if err := c.ReadBatch(&b, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Read(); !errors.Is(err, errMixedReads) {
		t.Fatalf("Read after ReadBatch: %v", err)
	}
}

// FuzzReadBatch checks ReadBatch against Read on JSON Lines and text with
// tiny buffers, so that lines cross every kind of boundary.
func FuzzReadBatch(f *testing.F) {
	f.Add([]byte("{\"text\":\"a\\nb\"}\n\n{\"text\":\"c\"}"), uint8(3), uint8(1), false)
	f.Add([]byte("one\r\ntwo\n\n\xffthree\nfour"), uint8(10), uint8(2), true)
	f.Add([]byte("{\"text\":\"a\"}\n{\"text\":5}\n{\"text\":\"long long long long\"}\n{\"text\":\"b\"}\n"), uint8(1), uint8(3), true)
	// A paragraph longer than the room its batch has left: the third
	// batch (size 4) has a buffer of 5 bytes from the pool, after
	// batchDocs's Trim(0).
	f.Add([]byte("ab\n\ncd\n\nef\n\ngh\n\nij\n\nabcdefghij\n\nk"), uint8(4), uint8(0), false)
	f.Fuzz(func(t *testing.T, data []byte, size, read uint8, skip bool) {
		smallBuffers(t, 1+int(read%16), 1)
		dir := t.TempDir()
		for _, name := range []string{"f.jsonl", "f.txt"} {
			p := writeFile(t, dir, name, data)
			o := DefaultOptions()
			o.SkipBad = skip
			o.MaxDocBytes = 12
			o.AllowInvalidUTF8 = size%2 == 0
			compareReads(t, []Input{{Path: p, Size: int64(len(data))}, {Path: p, Size: int64(len(data))}}, o, int(size))
			if name == "f.txt" {
				// Records: paragraphs, and whole files, longer or
				// shorter than a batch's room.
				in := Input{Path: p, Size: int64(len(data)), Split: SplitParagraphs}
				compareReads(t, []Input{in, in, {Path: p, Size: int64(len(data)), Split: SplitFiles}}, o, int(size))
			}
		}
	})
}

// FuzzJSONFieldInPlace checks the in-place extractor against
// appendJSONField: the same lines accepted, the same texts, and the line
// left untouched when declined.
func FuzzJSONFieldInPlace(f *testing.F) {
	for _, s := range []string{`{"text":"a"}`, `{"id":1,"text":"x\u00e9\ud83d\ude00","n":[1,2,{"a":null}]}`,
		`{"text":"a\nb","text":"b\"c"}`, `{"text":"\ud800x"}`, `{"x":-1.5e3,"text":"\"\\\/\b\f\n\r\t"}`, `{"text":"a\n", "x": bad}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		want, wok := appendJSONField(nil, []byte(line), "text")
		b := []byte(line)
		s, e, ok := jsonFieldInPlace(b, "text", new([]int))
		if ok != wok {
			t.Fatalf("%q: in place ok=%v, appendJSONField ok=%v", line, ok, wok)
		}
		if !ok && string(b) != line {
			t.Fatalf("%q: declined but changed the line to %q", line, b)
		}
		if ok && !bytes.Equal(b[s:e], want) {
			t.Fatalf("%q: in place %q, appendJSONField %q", line, b[s:e], want)
		}
	})
}
