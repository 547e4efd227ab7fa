package bpe

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/klauspost/compress/zstd"

	"github.com/toklabs/tok/internal/sharedtest"
)

// Parity beyond the golden texts: bounded slices of the multilingual and
// code corpora in ../shared/corpora (documents the golden texts do not
// use), encoded per line and compared with ids that the reference tool
// (peer-tiktoken, npm tiktoken 1.0.22) wrote into testdata/corpora. The
// slices are cut here, deterministically; testdata/corpora/regen.sh writes
// them out with -write-slices and runs the peer on them.

var writeSlices = flag.String("write-slices", "", "write the corpus slices to `DIR` (for testdata/corpora/regen.sh) and exit the test")

// corpusSlices names the slices and how they are cut.
var corpusSlices = []struct {
	name  string
	files []string // jsonl.zst corpora in ../shared/corpora
	docs  int      // documents per file, evenly spaced
}{
	{"multilingual", []string{"multilingual.jsonl.zst"}, 100},
	{"code", []string{"code-go.jsonl.zst", "code-c.jsonl.zst", "code-python.jsonl.zst", "code-js.jsonl.zst"}, 25},
}

// sliceDocBytes caps the text taken from one document (whole lines).
const sliceDocBytes = 4096

// corpusSlice returns the text of a slice: from each file, docs documents
// evenly spaced starting in the middle of the first gap, each cut to its
// first whole lines within sliceDocBytes, every document ending in "\n".
func corpusSlice(t testing.TB, files []string, docs int) []byte {
	var out []byte
	for _, f := range files {
		texts := readJSONLTexts(t, sharedtest.Path(t, "corpora/"+f))
		step := max(len(texts)/docs, 1)
		for i := step / 2; i < len(texts); i += step {
			text := texts[i]
			cut := 0
			for cut < len(text) {
				j := bytes.IndexByte(text[cut:], '\n')
				end := len(text)
				if j >= 0 {
					end = cut + j + 1
				}
				if end > sliceDocBytes && cut > 0 {
					break
				}
				cut = end
			}
			piece := text[:cut]
			out = append(out, piece...)
			if len(piece) > 0 && piece[len(piece)-1] != '\n' {
				out = append(out, '\n')
			}
		}
	}
	return out
}

func readJSONLTexts(t testing.TB, path string) [][]byte {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := zstd.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	sc := bufio.NewScanner(zr)
	sc.Buffer(nil, 1<<28)
	var texts [][]byte
	for sc.Scan() {
		var doc struct {
			Text string `json:"text"`
		}
		if err := json.Unmarshal(sc.Bytes(), &doc); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		texts = append(texts, []byte(doc.Text))
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return texts
}

func TestParityCorpora(t *testing.T) {
	if *writeSlices != "" {
		for _, s := range corpusSlices {
			text := corpusSlice(t, s.files, s.docs)
			if err := os.WriteFile(filepath.Join(*writeSlices, s.name+".txt"), text, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return
	}
	texts := map[string][]byte{}
	for _, s := range corpusSlices {
		texts[s.name] = corpusSlice(t, s.files, s.docs)
	}
	for _, vocab := range []string{"cl100k_base", "o200k_base"} {
		tk, err := OpenTiktoken(sharedtest.Path(t, "vocab/"+vocab+".tiktoken"))
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range corpusSlices {
			t.Run(vocab+"/"+s.name, func(t *testing.T) {
				text := texts[s.name]
				lines := bytes.Split(bytes.TrimSuffix(text, []byte("\n")), []byte("\n"))
				want := readGoldenGz(t, filepath.Join("testdata", "corpora", s.name+"."+vocab+".jsonl.gz"))
				if len(want) != len(lines) {
					t.Fatalf("%d lines of text but %d reference lines: regenerate with testdata/corpora/regen.sh", len(lines), len(want))
				}
				same := 0
				var ids []uint32
				for i, l := range lines {
					ids = tk.AppendEncode(ids[:0], l)
					if slices.Equal(ids, want[i]) {
						same++
					} else if same+3 > i {
						t.Errorf("line %d: got %v, want %v", i+1, head(ids), head(want[i]))
					}
				}
				t.Logf("%s %s (%d bytes): %d/%d lines identical", vocab, s.name, len(text), same, len(lines))
				if same != len(lines) {
					t.Errorf("%d/%d lines identical", same, len(lines))
				}
			})
		}
	}
}

func readGoldenGz(t *testing.T, path string) [][]uint32 {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tmp := filepath.Join(t.TempDir(), "ids.jsonl")
	out, err := os.Create(tmp)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := out.ReadFrom(zr); err != nil {
		t.Fatal(err)
	}
	out.Close()
	return readGolden(t, tmp)
}
