package wordcount

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/toklabs/tok"
	"github.com/toklabs/tok/corpora"
)

// sliceReader is an in-memory corpora.Reader.
type sliceReader struct {
	docs []string
	i    int
}

func (r *sliceReader) Read() (corpora.Document, error) {
	if r.i >= len(r.docs) {
		return corpora.Document{}, io.EOF
	}
	r.i++
	return corpora.Document{Source: "mem", Index: int64(r.i - 1), Text: []byte(r.docs[r.i-1])}, nil
}

// spaceSplitter splits like GPT-2 does for plain words: a run of
// non-spaces with at most one leading space; other whitespace runs whole.
var spaceSplitter = SplitterFunc(func(dst []tok.Span, text []byte) []tok.Span {
	i := 0
	for i < len(text) {
		j := i
		if text[j] == ' ' && j+1 < len(text) && !isSpace(text[j+1]) {
			j++
		}
		if isSpace(text[j]) {
			for j < len(text) && isSpace(text[j]) {
				j++
			}
		} else {
			for j < len(text) && !isSpace(text[j]) {
				j++
			}
		}
		dst = append(dst, tok.Span{Start: i, End: j})
		i = j
	}
	return dst
})

func isSpace(b byte) bool { return b == ' ' || b == '\n' || b == '\t' || b == '\r' }

func TestCount_KnownAnswers(t *testing.T) {
	tests := []struct {
		name  string
		docs  []string
		lines bool
		want  string // Format() after SortByCount
	}{
		{"words", []string{"a b a", "b a"}, false, "2\t\" a\"\n1\t\" b\"\n1\t\"a\"\n1\t\"b\"\n"},
		{"whole doc keeps newline runs", []string{"x\n\ny"}, false, "1\t\"\\n\\n\"\n1\t\"x\"\n1\t\"y\"\n"},
		{"lines split newline runs", []string{"x\n\ny"}, true, "2\t\"\\n\"\n1\t\"x\"\n1\t\"y\"\n"},
		{"empty", nil, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.Lines = tt.lines
			c, err := Count(&sliceReader{docs: tt.docs}, spaceSplitter, cfg)
			if err != nil {
				t.Fatal(err)
			}
			c.SortByCount()
			if got := c.Format(0); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

func corpusDocs(n int) []string {
	words := strings.Fields("the quick brown fox jumps over the lazy dog and then the cat sat on the mat with a hat")
	docs := make([]string, n)
	for i := range docs {
		var b strings.Builder
		for j := 0; j < 5+i%17; j++ {
			fmt.Fprintf(&b, "%s ", words[(i*7+j*13)%len(words)])
			if j%5 == 4 {
				b.WriteString("\n")
			}
		}
		fmt.Fprintf(&b, "w%d", i%97)
		docs[i] = b.String()
	}
	return docs
}

func TestCount_DeterministicAcrossWorkers(t *testing.T) {
	docs := corpusDocs(3000)
	var ref string
	for _, workers := range []int{1, 2, 3, 8} {
		for _, maxWords := range []int{0, 40} {
			cfg := DefaultConfig()
			cfg.Workers, cfg.BatchBytes, cfg.MaxWords, cfg.Lines = workers, 512, maxWords, true
			c, err := Count(&sliceReader{docs: docs}, spaceSplitter, cfg)
			if err != nil {
				t.Fatal(err)
			}
			got := fmt.Sprint(maxWords, c.Format(0), c.Docs, c.Bytes, c.Tokens)
			if workers == 1 {
				if maxWords == 0 {
					ref = got
				}
				continue
			}
			if maxWords == 0 && got != ref {
				t.Fatalf("workers=%d: counts differ from workers=1", workers)
			}
		}
	}
	// Pruned counts must also agree across worker counts.
	var prunedRef string
	for _, workers := range []int{1, 4} {
		cfg := DefaultConfig()
		cfg.Workers, cfg.BatchBytes, cfg.MaxWords = workers, 300, 30
		c, err := Count(&sliceReader{docs: docs}, spaceSplitter, cfg)
		if err != nil {
			t.Fatal(err)
		}
		if len(c.Words) > 30 {
			t.Errorf("MaxWords 30: %d words held", len(c.Words))
		}
		if workers == 1 {
			prunedRef = c.Format(0)
		} else if c.Format(0) != prunedRef {
			t.Errorf("pruned counts differ between 1 and %d workers", workers)
		}
	}
}

func TestCount_ShardsMergeExactly(t *testing.T) {
	docs := corpusDocs(1000)
	cfg := DefaultConfig()
	whole, err := Count(&sliceReader{docs: docs}, spaceSplitter, cfg)
	if err != nil {
		t.Fatal(err)
	}
	const world = 3
	var parts []*Counts
	dir := t.TempDir()
	var paths []string
	for rank := 0; rank < world; rank++ {
		cfg := DefaultConfig()
		cfg.Rank, cfg.WorldSize = rank, world
		c, err := Count(&sliceReader{docs: docs}, spaceSplitter, cfg)
		if err != nil {
			t.Fatal(err)
		}
		c.Meta = Meta{PreTokenizer: "test", Rank: rank, WorldSize: world}
		parts = append(parts, c)
		p := filepath.Join(dir, fmt.Sprintf("counts-%d%s", rank, FileExt))
		if err := WriteFile(p, c); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	merged, err := ReadFiles(paths...)
	if err != nil {
		t.Fatal(err)
	}
	if merged.Format(0) != whole.Format(0) {
		t.Errorf("merged shard counts differ from one-process counts")
	}
	if merged.Docs != whole.Docs || merged.Bytes != whole.Bytes || merged.Tokens != whole.Tokens {
		t.Errorf("merged totals %d/%d/%d, want %d/%d/%d", merged.Docs, merged.Bytes, merged.Tokens, whole.Docs, whole.Bytes, whole.Tokens)
	}
	if merged.Meta.WorldSize != 1 || merged.Meta.Rank != 0 {
		t.Errorf("merged meta %+v, want rank 0 of 1", merged.Meta)
	}
	if _, err := Merge(parts[0], &Counts{Meta: Meta{PreTokenizer: "other", WorldSize: 3}}); err == nil {
		t.Errorf("merging counts of different pre-tokenizers: no error")
	}
	if _, err := Count(&sliceReader{}, spaceSplitter, Config{Rank: 3, WorldSize: 3}); !errors.Is(err, ErrBadShard) {
		t.Errorf("rank 3 of 3: err %v, want ErrBadShard", err)
	}
}

func TestFile_RoundTripHugeCounts(t *testing.T) {
	c := &Counts{
		Meta:  Meta{PreTokenizer: "gpt2", Lines: true, WorldSize: 1},
		Words: []Entry{{"\x00\xff", 1}, {" the", 1<<40 + 7}, {"a\tb\nc", ^uint64(0)}},
		Docs:  3, Bytes: 10, Tokens: 12,
	}
	p := filepath.Join(t.TempDir(), "c"+FileExt)
	if err := WriteFile(p, c); err != nil {
		t.Fatal(err)
	}
	got, err := ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", c) {
		t.Errorf("round trip:\n got %+v\nwant %+v", got, c)
	}
	// Summing over 2^64 is an error, not a wrap.
	if _, err := Merge(c, c); !errors.Is(err, ErrOverflow) {
		t.Errorf("merge overflow: err %v, want ErrOverflow", err)
	}
}

func encoded(t testing.TB, c *Counts) []byte {
	var b bytes.Buffer
	if err := Encode(&b, c); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestDecode_Corrupt(t *testing.T) {
	good := encoded(t, &Counts{Meta: Meta{WorldSize: 1}, Words: []Entry{{"ab", 2}, {"cd", 3}}})
	if _, err := Decode("x", bytes.NewReader(good)); err != nil {
		t.Fatalf("good input: %v", err)
	}
	unsorted := encoded(t, &Counts{Meta: Meta{WorldSize: 1}, Words: []Entry{{"ab", 2}, {"cd", 3}}})
	i := bytes.LastIndex(unsorted, []byte("cd"))
	unsorted[i], unsorted[i+1] = 'a', 'a' // "aa" after "ab"
	tests := []struct {
		name string
		data []byte
		msg  string
	}{
		{"empty", nil, "magic"},
		{"bad magic", []byte("hello world"), "not a word counts file"},
		{"truncated in entries", good[:len(good)-7], "entry"},
		{"truncated checksum", good[:len(good)-2], "checksum"},
		{"flipped byte", flip(good, len(good)-6), ""},
		{"unsorted", unsorted, "sorted"},
		{"trailing", append(append([]byte{}, good...), 0), "trailing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decode("counts.bin", bytes.NewReader(tt.data))
			var fe *tok.FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("err = %v, want *tok.FormatError", err)
			}
			if fe.File != "counts.bin" || fe.Offset < 0 || fe.Offset > int64(len(tt.data)) {
				t.Errorf("error location %q offset %d", fe.File, fe.Offset)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("err %q does not mention %q", err, tt.msg)
			}
		})
	}
}

func flip(b []byte, i int) []byte {
	c := append([]byte{}, b...)
	c[i] ^= 0x40
	return c
}

func TestReadFile_TruncatedCompressed(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "c"+FileExt)
	words := make([]Entry, 5000)
	for i := range words {
		words[i] = Entry{fmt.Sprintf("w%06d", i), uint64(i + 1)}
	}
	if err := WriteFile(p, &Counts{Meta: Meta{WorldSize: 1}, Words: words}); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(p)
	os.WriteFile(p, data[:len(data)/2], 0o644)
	_, err := ReadFile(p)
	var fe *tok.FormatError
	if !errors.As(err, &fe) || fe.File != p {
		t.Fatalf("truncated file: err %v, want FormatError naming %s", err, p)
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(encoded(f, &Counts{Meta: Meta{WorldSize: 1}, Words: []Entry{{"ab", 2}, {"cd", 3}}}))
	f.Add(encoded(f, &Counts{}))
	f.Add([]byte("tokwc\x01"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Decode("fuzz", bytes.NewReader(data))
		if err != nil {
			var fe *tok.FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("error is not a FormatError: %v", err)
			}
			return
		}
		// Whatever decodes re-encodes to the same bytes.
		if again := encoded(t, c); !bytes.Equal(again, data) {
			t.Fatalf("re-encoding differs")
		}
	})
}

func TestLineReader(t *testing.T) {
	r := NewLineReader("x", strings.NewReader("AAAA\r\n\nBBBB\nCCCC"))
	var got []string
	for {
		d, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, string(d.Text))
	}
	if want := []string{"AAAA\r\n", "\n", "BBBB\n", "CCCC"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func BenchmarkCount(b *testing.B) {
	docs := corpusDocs(20000)
	n := 0
	for _, d := range docs {
		n += len(d)
	}
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			b.SetBytes(int64(n))
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				cfg := DefaultConfig()
				cfg.Workers = workers
				if _, err := Count(&sliceReader{docs: docs}, spaceSplitter, cfg); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// countNaive is the reference for Count: one goroutine, one map, no
// batches.
func countNaive(docs []string, sp Splitter, lines bool, rank, world int) map[string]uint64 {
	m := map[string]uint64{}
	for k, d := range docs {
		if k%world != rank {
			continue
		}
		for _, s := range splitDoc(nil, sp, []byte(d), lines) {
			m[d[s.Start:s.End]]++
		}
	}
	return m
}

func FuzzCount_MatchesNaive(f *testing.F) {
	f.Add("a b\n\nc a\r\nb", uint8(3), uint8(2), true)
	f.Add("x", uint8(0), uint8(0), false)
	f.Fuzz(func(t *testing.T, text string, workers, batch uint8, lines bool) {
		docs := strings.Split(text, "|")
		for _, world := range []int{1, 2} {
			for rank := 0; rank < world; rank++ {
				cfg := DefaultConfig()
				cfg.Workers, cfg.BatchBytes, cfg.Lines = int(workers%5)+1, int(batch)+1, lines
				cfg.Rank, cfg.WorldSize = rank, world
				c, err := Count(&sliceReader{docs: docs}, spaceSplitter, cfg)
				if err != nil {
					t.Fatal(err)
				}
				want := FromMap(countNaive(docs, spaceSplitter, lines, rank, world))
				if c.Format(0) != want.Format(0) {
					t.Fatalf("rank %d/%d: Count\n%s\nnaive\n%s", rank, world, c.Format(0), want.Format(0))
				}
			}
		}
	})
}

func TestLineRangeReader_CoversEveryLineOnce(t *testing.T) {
	text := "alpha\n\nbeta gamma\ndelta\r\nlast line without newline"
	var want []string
	for r := NewLineReader("x", strings.NewReader(text)); ; {
		d, err := r.Read()
		if err != nil {
			break
		}
		want = append(want, string(d.Text))
	}
	for _, world := range []int{1, 2, 3, 5, 8, 13, 21, len(text) - 1, len(text), len(text) + 2} {
		var got []string
		for rank := 0; rank < world; rank++ {
			n := int64(len(text))
			r, err := NewLineRangeReader("x", strings.NewReader(text), n*int64(rank)/int64(world), n*int64(rank+1)/int64(world))
			if err != nil {
				t.Fatal(err)
			}
			for {
				d, err := r.Read()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, string(d.Text))
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("world %d: lines %q, want %q", world, got, want)
		}
	}
}
