package bpe

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"

	"github.com/toklabs/tok/internal/sharedtest"
	"github.com/toklabs/tok/pretokenize"
	"github.com/toklabs/tok/wordcount"
)

// goldenSlices is the corpus of testdata/hf-train-golden.json.zst: the
// first lines of shared corpora, concatenated. Keep in sync with
// testdata/make-train-golden.sh (provenance: testdata/README-train.md).
var goldenSlices = []struct {
	file  string
	lines int
}{
	{"corpora/en-tinyshakespeare.txt", 10000},
	{"corpora/fr.txt", 150},
	{"corpora/ja.txt.zst", 150},
	{"corpora/ar.txt", 150},
	{"corpora/ru.txt.zst", 150},
	{"corpora/ko.txt", 100},
}

func goldenCorpus(t *testing.T) []byte {
	var out bytes.Buffer
	for _, s := range goldenSlices {
		f, err := os.Open(sharedtest.Path(t, s.file))
		if err != nil {
			t.Fatal(err)
		}
		var r io.Reader = f
		if strings.HasSuffix(s.file, ".zst") {
			zr, err := zstd.NewReader(f)
			if err != nil {
				t.Fatal(err)
			}
			defer zr.Close()
			r = zr
		}
		br := bufio.NewReader(r)
		for i := 0; i < s.lines; i++ {
			line, err := br.ReadBytes('\n')
			out.Write(line)
			if err != nil {
				break
			}
		}
		f.Close()
	}
	return out.Bytes()
}

func readGoldenTokenizer(t *testing.T, path string) (vocab map[string]uint32, merges []string) {
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
	var j struct {
		Model struct {
			Vocab  map[string]uint32 `json:"vocab"`
			Merges []json.RawMessage `json:"merges"`
		} `json:"model"`
	}
	if err := json.NewDecoder(zr).Decode(&j); err != nil {
		t.Fatal(err)
	}
	for _, m := range j.Model.Merges {
		var pair []string
		if err := json.Unmarshal(m, &pair); err != nil {
			var s string
			if err := json.Unmarshal(m, &s); err != nil {
				t.Fatal(err)
			}
			pair = strings.SplitN(s, " ", 2)
		}
		merges = append(merges, pair[0]+" "+pair[1])
	}
	return j.Model.Vocab, merges
}

// countLinesHF counts words as HF's train_from_files does: each line with
// its "\n", pre-tokenized with the ByteLevel (GPT-2) pattern.
func countLinesHF(t testing.TB, corpus []byte, workers int) *wordcount.Counts {
	pre, err := pretokenize.CompileNamed("gpt2")
	if err != nil {
		t.Fatal(err)
	}
	cfg := wordcount.DefaultConfig()
	cfg.Workers = workers
	c, err := wordcount.Count(wordcount.NewLineReader("golden", bytes.NewReader(corpus)), pre, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestTrainer_HFGolden: on the same corpus and settings as HuggingFace's
// BpeTrainer (default trainer, ByteLevel pre-tokenizer, no normalizer,
// vocab 5000), the merges and the vocabulary are identical, line by line.
func TestTrainer_HFGolden(t *testing.T) {
	corpus := goldenCorpus(t)
	tests := []struct {
		file      string
		vocabSize int
		special   []string
		workers   int
	}{
		{"testdata/hf-train-golden.json.zst", 5000, nil, 1},
		{"testdata/hf-train-golden.json.zst", 5000, nil, 2},
		{"testdata/hf-train-golden-special.json.zst", 3000, []string{"<|endoftext|>", "<pad>"}, 2},
	}
	for _, tt := range tests {
		wantVocab, wantMerges := readGoldenTokenizer(t, tt.file)
		workers := tt.workers
		counts := countLinesHF(t, corpus, workers)
		cfg := DefaultTrainConfig()
		cfg.VocabSize = tt.vocabSize
		cfg.SpecialTokens = tt.special
		cfg.Alphabet = AlphabetSeen
		cfg.Workers = workers
		res := mustTrain(t, cfg, counts)
		got := mergeNames(res)
		same := 0
		first := -1
		for i := 0; i < min(len(got), len(wantMerges)); i++ {
			if got[i] == wantMerges[i] {
				same++
			} else if first < 0 {
				first = i
			}
		}
		t.Logf("%s workers=%d: merges identical %d/%d (ours %d)", tt.file, workers, same, len(wantMerges), len(got))
		if first >= 0 || len(got) != len(wantMerges) {
			if first < 0 {
				first = min(len(got), len(wantMerges))
			}
			t.Fatalf("merges differ from HF at line %d: ours %q, HF %q", first+1, at(got, first), at(wantMerges, first))
		}
		if len(res.Tokens) != len(wantVocab) {
			t.Errorf("vocab size %d, HF %d", len(res.Tokens), len(wantVocab))
		}
		for id := range res.Tokens {
			name := res.TokenName(uint32(id))
			if hid, ok := wantVocab[name]; !ok || hid != uint32(id) {
				t.Fatalf("token %q: our id %d, HF id %d (present %v)", name, id, hid, ok)
			}
		}
	}
}

func at(s []string, i int) string {
	if i < len(s) {
		return s[i]
	}
	return "<none>"
}
