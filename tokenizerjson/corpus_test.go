package tokenizerjson

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"

	"github.com/toklabs/tok/internal/sharedtest"
)

var writeSlices = flag.String("write-slices", "", "write the corpus slices of TestCorpusSlices to this directory as <slice>.txt (for testdata/make-corpus-ids.sh)")

// corpusSlices are the corpora (in ../shared/corpora) sliced for the
// parity test beyond the golden texts: sliceLines lines from the middle of
// each (the golden texts come from the first halves).
var corpusSlices = []string{
	"code-go.jsonl.zst", "code-c.jsonl.zst", "code-python.jsonl.zst", "code-js.jsonl.zst",
	"ja.txt.zst", "zh-hans.txt.zst", "ru.txt.zst", "hi.txt.zst", "de.txt.zst", "ar.txt", "ko.txt", "es.txt",
}

const sliceLines = 200

// corpusTokenizers are the files checked on the slices.
var corpusTokenizers = parityFiles

// readCorpusLines returns the lines of a corpus: for .jsonl the lines of
// every document's "text", for text files the file's lines.
func readCorpusLines(t testing.TB, path string) [][]byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".zst") {
		d, err := zstd.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		r = d
	}
	data, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(path, ".jsonl") {
		return bytes.Split(bytes.TrimSuffix(data, []byte("\n")), []byte("\n"))
	}
	var lines [][]byte
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 64<<20)
	for sc.Scan() {
		var doc struct {
			Text string `json:"text"`
		}
		if err := json.Unmarshal(sc.Bytes(), &doc); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, bytes.Split([]byte(strings.TrimSuffix(doc.Text, "\n")), []byte("\n"))...)
	}
	return lines
}

// corpusSlice returns sliceLines lines from the middle of a corpus.
func corpusSlice(t testing.TB, corpus string) [][]byte {
	lines := readCorpusLines(t, sharedtest.Path(t, "corpora/"+corpus))
	start := len(lines) / 2
	end := min(start+sliceLines, len(lines))
	return lines[start:end]
}

func sliceName(corpus string) string {
	return strings.SplitN(corpus, ".", 2)[0]
}

// TestCorpusSlices compares, line by line, the ids of slices of the code
// and multilingual corpora with HF's (testdata/corpus-ids, made by
// testdata/make-corpus-ids.sh with peer-hf-encode).
func TestCorpusSlices(t *testing.T) {
	slices := map[string][][]byte{}
	for _, c := range corpusSlices {
		slices[c] = corpusSlice(t, c)
		if *writeSlices != "" {
			text := append(bytes.Join(slices[c], []byte("\n")), '\n')
			if err := os.WriteFile(filepath.Join(*writeSlices, sliceName(c)+".txt"), text, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	if *writeSlices != "" {
		return
	}
	for _, name := range corpusTokenizers {
		t.Run(name, func(t *testing.T) {
			tk, err := Open(sharedtest.Path(t, "vocab/"+name+".tokenizer.json"))
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range corpusSlices {
				want := readGolden(t, filepath.Join("testdata/corpus-ids", name, sliceName(c)+".jsonl"))
				lines := slices[c]
				if len(want) != len(lines) {
					t.Fatalf("%s: %d lines, %d reference lines", c, len(lines), len(want))
				}
				bad := 0
				for i, l := range lines {
					if got := formatIDs(tk.AppendEncode(nil, l)); got != want[i] {
						if bad++; bad <= 2 {
							t.Errorf("%s line %d:\n got  %s\n want %s", c, i+1, got, want[i])
						}
					}
				}
				if bad > 0 {
					t.Errorf("%s %s: %d of %d lines differ", name, c, bad, len(lines))
				}
			}
		})
	}
}
