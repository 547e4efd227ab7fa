package wordpiece

import (
	"compress/gzip"
	"io"
	"slices"

	"bufio"
	"bytes"
	"encoding/json"
	"github.com/klauspost/compress/zstd"
	"os"
	"strings"
	"testing"

	"github.com/toklabs/tok/internal/sharedtest"
)

// readLines splits a file on "\n" only, as the golden contract says.
func readLines(t testing.TB, path string) [][]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b = bytes.TrimSuffix(b, []byte("\n"))
	if len(b) == 0 {
		return nil
	}
	return bytes.Split(b, []byte("\n"))
}

// readIDs reads a JSONL file of id arrays; a .zst-less plain file.
func readIDs(t testing.TB, path string) [][]uint32 {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return decodeIDLines(t, f)
}

func decodeIDLines(t testing.TB, r interface{ Read([]byte) (int, error) }) [][]uint32 {
	t.Helper()
	var out [][]uint32
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 1<<26)
	for sc.Scan() {
		var ids []uint32
		if err := json.Unmarshal(sc.Bytes(), &ids); err != nil {
			t.Fatalf("line %d: %v", len(out)+1, err)
		}
		out = append(out, ids)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// compareLines encodes every line and counts identical ones; it reports
// the first few differences.
func compareLines(t *testing.T, name string, enc func([]byte) []uint32, lines [][]byte, want [][]uint32) {
	t.Helper()
	if len(lines) != len(want) {
		t.Fatalf("%s: %d lines of text, %d of ids", name, len(lines), len(want))
	}
	same, shown := 0, 0
	for i, l := range lines {
		got := enc(l)
		if slices.Equal(got, want[i]) {
			same++
			continue
		}
		if shown < 3 {
			shown++
			t.Errorf("%s line %d: %.80q\n got %v\nwant %v", name, i+1, l, head(got), head(want[i]))
		}
	}
	t.Logf("%s: %d of %d lines identical", name, same, len(lines))
}

func head(ids []uint32) []uint32 {
	if len(ids) > 30 {
		return ids[:30]
	}
	return ids
}

var goldenTexts = []string{"en", "code", "multi", "edge"}

func TestBERT_goldenUncased(t *testing.T) {
	vocabPath := sharedtest.Path(t, "vocab/bert-base-uncased-vocab.txt")
	v, err := ReadVocabFile(vocabPath)
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewBERT(v, DefaultBERTConfig())
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range goldenTexts {
		lines := readLines(t, sharedtest.Path(t, "golden/texts/"+name+".txt"))
		want := readIDs(t, sharedtest.Path(t, "golden/hf-bert-base-uncased-derived.tokenizer.json/"+name+".jsonl"))
		compareLines(t, "uncased/"+name, func(l []byte) []uint32 { return b.AppendEncode(nil, l) }, lines, want)
		if strings.HasPrefix(name, "e") {
			// The offsets path must give the same ids.
			compareLines(t, "uncased-offsets/"+name, func(l []byte) []uint32 {
				ids, _ := b.AppendEncodeOffsets(nil, nil, l)
				return ids
			}, lines, want)
		}
	}
}

// corpusSlices are the multilingual corpora of ../shared/corpora compared
// with testdata/ref (see testdata/make-reference.sh).
var corpusSlices = []string{"ar", "de", "es", "fa", "fr", "hi", "it", "ja", "ko", "pt", "ru", "uk",
	"zh-hans", "zh-hant", "zh-classical-poetry", "en-tinyshakespeare"}

// sliceCorpus returns the first whole lines of a corpus up to 100,000
// bytes, counting each line's "\n", as make-reference.sh cuts them.
func sliceCorpus(t testing.TB, name string) [][]byte {
	t.Helper()
	dir := sharedtest.Dir(t)
	var data []byte
	if b, err := os.ReadFile(dir + "/corpora/" + name + ".txt"); err == nil {
		data = b
	} else {
		f, err := os.Open(sharedtest.Path(t, "corpora/"+name+".txt.zst"))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		d, err := zstd.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		data, err = io.ReadAll(io.LimitReader(d, 200_000))
		if err != nil {
			t.Fatal(err)
		}
	}
	var lines [][]byte
	n := 0
	for len(data) > 0 {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			i = len(data)
		}
		n += i + 1
		if n > 100_000 {
			break
		}
		lines = append(lines, data[:i])
		data = data[min(i+1, len(data)):]
	}
	return lines
}

// openGz opens a gzip-compressed test file; it is closed when the test
// ends.
func openGz(t testing.TB, path string) io.Reader {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	z, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	return z
}

func readIDsGz(t testing.TB, path string) [][]uint32 {
	t.Helper()
	z := openGz(t, path)
	return decodeIDLines(t, z)
}

func TestBERT_referenceCorpora(t *testing.T) {
	for _, c := range []struct {
		name, vocab string
		cfg         BERTConfig
	}{
		{"uncased", "vocab/bert-base-uncased-vocab.txt", DefaultBERTConfig()},
		{"cased", "vocab/bert-large-cased-vocab.txt", CasedBERTConfig()},
	} {
		v, err := ReadVocabFile(sharedtest.Path(t, c.vocab))
		if err != nil {
			t.Fatal(err)
		}
		b, err := NewBERT(v, c.cfg)
		if err != nil {
			t.Fatal(err)
		}
		enc := func(l []byte) []uint32 { return b.AppendEncode(nil, l) }
		if c.name == "cased" {
			for _, g := range goldenTexts {
				lines := readLines(t, sharedtest.Path(t, "golden/texts/"+g+".txt"))
				compareLines(t, c.name+"/golden-"+g, enc, lines, readIDsGz(t, "testdata/ref/cased/golden-"+g+".jsonl.gz"))
			}
		}
		for _, s := range corpusSlices {
			compareLines(t, c.name+"/corpus-"+s, enc, sliceCorpus(t, s), readIDsGz(t, "testdata/ref/"+c.name+"/corpus-"+s+".jsonl.gz"))
		}
	}
}
