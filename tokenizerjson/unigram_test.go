package tokenizerjson

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/toklabs/tok/internal/sharedtest"
	"github.com/toklabs/tok/sentencepiece"
)

var updateUnigram = flag.Bool("update-unigram", false, "rewrite the Unigram tokenizer.json files in ../sentencepiece/testdata (then run make-hf.sh there)")

const spmTestdata = "../sentencepiece/testdata/"

// unigramFiles are the tokenizer.json files WriteUnigram makes from the
// spm_train model in ../sentencepiece/testdata: as converted, and without
// the Precompiled normalizer (so that it loads without that normalizer).
var unigramFiles = []struct {
	name     string
	charsmap bool
}{
	{"opticks-unigram-1000.tokenizer.json", true},
	{"opticks-unigram-1000.nocharsmap.tokenizer.json", false},
}

func writeUnigramFile(t *testing.T, charsmap bool) []byte {
	m, err := sentencepiece.Load(spmTestdata + "opticks-unigram-1000.model")
	if err != nil {
		t.Fatal(err)
	}
	if !charsmap {
		m.Normalizer().Map = nil
	}
	var b bytes.Buffer
	if err := WriteUnigram(&b, m); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestWriteUnigramFiles checks that WriteUnigram still writes the files HF
// made the golden ids from (and rewrites them with -update-unigram).
func TestWriteUnigramFiles(t *testing.T) {
	for _, f := range unigramFiles {
		got := writeUnigramFile(t, f.charsmap)
		path := spmTestdata + f.name
		if *updateUnigram {
			if err := os.WriteFile(path, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("WriteUnigram output differs from %s; run go test -run TestWriteUnigramFiles -update-unigram and make-hf.sh", path)
		}
	}
}

func unigramTexts(t *testing.T) map[string][][]byte {
	data, err := os.ReadFile(filepath.Join(runtime.GOROOT(), "src/testdata/Isaac.Newton-Opticks.txt"))
	if err != nil {
		t.Fatal(err)
	}
	edge, err := os.ReadFile(spmTestdata + "edge.txt")
	if err != nil {
		t.Fatal(err)
	}
	return map[string][][]byte{
		"opticks-head": bytes.Split(data, []byte("\n"))[:1500],
		"edge":         bytes.Split(bytes.TrimSuffix(edge, []byte("\n")), []byte("\n")),
	}
}

func readJSONL(t *testing.T, path string) []string {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
}

func jsonIDs(ids []uint32) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.FormatUint(uint64(id), 10)
	}
	return "[" + strings.Join(parts, ",") + "]"
}

// checkHFParity encodes lines with the tokenizer.json file and compares
// every line with HF tokenizers' ids in golden.
func checkHFParity(t *testing.T, file, text string, lines [][]byte, golden string) {
	t.Helper()
	tk, err := Open(spmTestdata + file)
	if err != nil {
		t.Fatal(err)
	}
	want := readJSONL(t, golden)
	if len(want) != len(lines) {
		t.Fatalf("%s %s: %d golden lines for %d text lines", file, text, len(want), len(lines))
	}
	same := 0
	for i, l := range lines {
		got := jsonIDs(tk.AppendEncode(nil, l))
		if got == want[i] {
			same++
		} else if i-same < 3 {
			t.Errorf("%s %s line %d %q: got %s want %s", file, text, i+1, l, got, want[i])
		}
	}
	t.Logf("%s %s: %d/%d lines identical to HF", file, text, same, len(lines))
}

// TestUnigramHFParity loads both converted files with this package (the
// Precompiled normalizer included) and compares their ids with HF
// tokenizers' (peer-hf-encode, make-hf.sh).
func TestUnigramHFParity(t *testing.T) {
	texts := unigramTexts(t)
	for _, f := range unigramFiles {
		for _, name := range []string{"opticks-head", "edge"} {
			checkHFParity(t, f.name, name, texts[name], spmTestdata+f.name+"."+name+".hf.jsonl")
		}
	}
}

// TestUnigramConversionMatchesSentencePiece checks, with HF's own ids, that
// the converted file encodes as the .model does under SentencePiece,
// except on the one edge line that holds <s>, </s> and <unk> as text.
func TestUnigramConversionMatchesSentencePiece(t *testing.T) {
	for _, name := range []string{"opticks-head", "edge"} {
		hf := readJSONL(t, spmTestdata+"opticks-unigram-1000.tokenizer.json."+name+".hf.jsonl")
		spm := readJSONL(t, spmTestdata+"opticks-unigram-1000."+name+".jsonl")
		if len(hf) != len(spm) {
			t.Fatalf("%s: %d vs %d lines", name, len(hf), len(spm))
		}
		for i := range hf {
			if hf[i] != spm[i] && !(name == "edge" && i+1 == 18) {
				t.Errorf("%s line %d: HF %s, SentencePiece %s", name, i+1, hf[i], spm[i])
			}
		}
	}
}

// TestUnigramSharedEdgeHFParity runs both converted files over the 300
// edge cases of ../shared/golden/texts/edge.txt (graphemes, controls,
// Unicode spaces, ...) against HF's ids.
func TestUnigramSharedEdgeHFParity(t *testing.T) {
	edge, err := os.ReadFile(sharedtest.Path(t, "golden/texts/edge.txt"))
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.Split(bytes.TrimSuffix(edge, []byte("\n")), []byte("\n"))
	for _, f := range unigramFiles {
		checkHFParity(t, f.name, "shared edge", lines, spmTestdata+f.name+".shared-edge.hf.jsonl")
	}
}
