package wordpiece

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"github.com/toklabs/tok"
	"github.com/toklabs/tok/internal/sharedtest"
	"github.com/toklabs/tok/normalize"
	"github.com/toklabs/tok/pretokenize"
)

// countRaw counts the raw BERT pre-tokens of text.
func countRaw(text []byte) []WordCount {
	m := map[string]uint64{}
	for _, sp := range pretokenize.AppendBert(nil, text, tok.Span{Start: 0, End: len(text)}) {
		m[string(text[sp.Start:sp.End])]++
	}
	var out []WordCount
	for w, c := range m {
		out = append(out, WordCount{w, c})
	}
	return out
}

func TestTrainer_HF_knownAnswer(t *testing.T) {
	// Worked by hand with HF's rules: alphabet sorted, then ## pieces by
	// (count desc, word asc) order of first appearance, then merges by
	// count, ties by the smaller pair of ids.
	words := []WordCount{{Word: "hug", Count: 10}, {Word: "pug", Count: 5}, {Word: "hugs", Count: 5}}
	cfg := DefaultTrainerConfig()
	cfg.SpecialTokens = []string{"[UNK]"}
	cfg.VocabSize = 10
	tr, err := NewTrainer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	got, err := tr.Train(words)
	if err != nil {
		t.Fatal(err)
	}
	// ids: [UNK]=0 g=1 h=2 p=3 s=4 u=5; hug(10): ##u=6 ##g=7; hugs(5): ##s=8.
	// pairs: (##u,##g)=20 (h,##u)=15 (p,##u)=5 (##g,##s)=5 → merge ##u ##g → ##ug=9.
	want := []string{"[UNK]", "g", "h", "p", "s", "u", "##u", "##g", "##s", "##ug"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %q\nwant %q", got, want)
	}
	cfg.VocabSize = 12
	tr, _ = NewTrainer(cfg)
	got, _ = tr.Train(words)
	// then (h,##ug)=15 → hug; then (p,##ug)=5 vs (##ug,##s)=5: smaller ids (3,9) < (9,8)? (3,9) first → pug.
	want = append(want, "hug", "pug")
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %q\nwant %q", got, want)
	}
}

func TestTrainer_likelihood_knownAnswer(t *testing.T) {
	// count(h)=15 count(##u)=20 count(##g)=20 count(p)=5 count(##s)=5.
	// scores: (h,##u)=15/300=.05 (##u,##g)=20/400=.05 (p,##u)=5/100=.05
	// (##g,##s)=5/100=.05; all tie at .05: the higher count wins, (##u,##g).
	// After it: count(##ug)=20, (h,##ug)=15/(15·20)=.05, (p,##ug)=5/100=.05,
	// (##ug,##s)=5/100=.05 → (h,##ug) by count.
	words := []WordCount{{Word: "hug", Count: 10}, {Word: "pug", Count: 5}, {Word: "hugs", Count: 5}}
	cfg := DefaultTrainerConfig()
	cfg.Algorithm = Likelihood
	cfg.SpecialTokens = []string{"[UNK]"}
	cfg.VocabSize = 11
	tr, err := NewTrainer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := tr.Train(words)
	want := []string{"[UNK]", "g", "h", "p", "s", "u", "##u", "##g", "##s", "##ug", "hug"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %q\nwant %q", got, want)
	}
	// A rare pair beats a frequent one: "xq" once, "ab" 100 times.
	words = []WordCount{{Word: "ab", Count: 100}, {Word: "ac", Count: 100}, {Word: "xq", Count: 1}}
	cfg.VocabSize = 10 // [UNK] a b c q x ##b ##c ##q + 1 merge
	tr, _ = NewTrainer(cfg)
	got, _ = tr.Train(words)
	if got[len(got)-1] != "xq" {
		t.Fatalf("likelihood merged %q first, want xq (score 1 vs 0.01)", got[len(got)-1])
	}
	cfg.Algorithm = HF
	tr, _ = NewTrainer(cfg)
	got, _ = tr.Train(words)
	if got[len(got)-1] != "ab" {
		t.Fatalf("hf merged %q first, want ab", got[len(got)-1])
	}
}

func readHFVocab(t testing.TB, path string) []string {
	t.Helper()
	z := openGz(t, path)
	var j struct {
		Model struct {
			Vocab map[string]uint32 `json:"vocab"`
		} `json:"model"`
	}
	if err := json.NewDecoder(z).Decode(&j); err != nil {
		t.Fatal(err)
	}
	out := make([]string, 0, len(j.Model.Vocab))
	for k := range j.Model.Vocab {
		out = append(out, k)
	}
	return out
}

func overlap(a, b []string) int {
	set := make(map[string]bool, len(a))
	for _, x := range a {
		set[x] = true
	}
	n := 0
	for _, x := range b {
		if set[x] {
			n++
		}
	}
	return n
}

// TestTrainer_HF_overlapWithHF trains on en-tinyshakespeare as
// testdata/make-hf-train.sh does with HF, and checks that our vocabulary
// shares at least as many tokens with each HF run as the two least similar
// HF runs share with each other.
func TestTrainer_HF_overlapWithHF(t *testing.T) {
	text, err := os.ReadFile(sharedtest.Path(t, "corpora/en-tinyshakespeare.txt"))
	if err != nil {
		t.Fatal(err)
	}
	words := NormalizeCounts(countRaw(text), normalize.DefaultBert())
	cfg := DefaultTrainerConfig()
	cfg.VocabSize = 3000
	tr, err := NewTrainer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ours, err := tr.Train(words)
	if err != nil {
		t.Fatal(err)
	}
	if len(ours) != 3000 {
		t.Fatalf("vocabulary of %d tokens, want 3000", len(ours))
	}
	runs, _ := filepath.Glob("testdata/hf-train/tinyshakespeare-3000-run*.json.gz")
	if len(runs) < 2 {
		t.Fatalf("need at least 2 HF runs, have %d", len(runs))
	}
	var hf [][]string
	for _, r := range runs {
		hf = append(hf, readHFVocab(t, r))
	}
	minPair := 3000
	for i := range hf {
		for j := i + 1; j < len(hf); j++ {
			minPair = min(minPair, overlap(hf[i], hf[j]))
		}
	}
	var ov []int
	for _, h := range hf {
		ov = append(ov, overlap(ours, h))
	}
	t.Logf("HF runs pairwise minimum overlap %d of 3000; ours vs each HF run %v", minPair, ov)
	for i, o := range ov {
		if o < minPair {
			t.Errorf("overlap with %s = %d, below the HF-vs-HF minimum %d", filepath.Base(runs[i]), o, minPair)
		}
	}
	if testing.Verbose() {
		set := map[string]bool{}
		for _, x := range hf[0] {
			set[x] = true
		}
		var missing []string
		for _, x := range ours {
			if !set[x] {
				missing = append(missing, x)
			}
		}
		slices.Sort(missing)
		fmt.Println("ours not in run1:", missing)
	}
}

// TestWriteTokenizerJSON_hfEncodes retrains the vocabularies of
// testdata/make-trained-reference.sh and checks that our BERT pipeline on
// them gives, line for line, the ids HF tokenizers gave with the
// tokenizer.json we wrote.
func TestWriteTokenizerJSON_hfEncodes(t *testing.T) {
	text, err := os.ReadFile(sharedtest.Path(t, "corpora/en-tinyshakespeare.txt"))
	if err != nil {
		t.Fatal(err)
	}
	words := NormalizeCounts(countRaw(text), normalize.DefaultBert())
	for _, algo := range []Algorithm{HF, Likelihood} {
		cfg := DefaultTrainerConfig()
		cfg.VocabSize = 3000
		cfg.Algorithm = algo
		tr, err := NewTrainer(cfg)
		if err != nil {
			t.Fatal(err)
		}
		tokens, err := tr.Train(words)
		if err != nil {
			t.Fatal(err)
		}
		// The files must be writable and the vocab.txt must read back.
		dir := t.TempDir()
		if err := WriteFiles(dir, tokens, DefaultTokenizerJSONConfig()); err != nil {
			t.Fatal(err)
		}
		v, err := ReadVocabFile(filepath.Join(dir, "vocab.txt"))
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(v.Tokens(), tokens) {
			t.Fatalf("%s: vocab.txt does not read back", algo)
		}
		var j map[string]any
		b, _ := os.ReadFile(filepath.Join(dir, "tokenizer.json"))
		if err := json.Unmarshal(b, &j); err != nil {
			t.Fatalf("%s: tokenizer.json: %v", algo, err)
		}
		bert, err := NewBERT(v, DefaultBERTConfig())
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range goldenTexts {
			lines := readLines(t, sharedtest.Path(t, "golden/texts/"+g+".txt"))
			want := readIDsGz(t, "testdata/ref/trained-"+algo.String()+"/golden-"+g+".jsonl.gz")
			compareLines(t, "trained-"+algo.String()+"/"+g, func(l []byte) []uint32 { return bert.AppendEncode(nil, l) }, lines, want)
		}
	}
}

// TestTrainer_deterministic trains twice on the same counts in different
// orders: the vocabularies must be identical.
func TestTrainer_deterministic(t *testing.T) {
	text, err := os.ReadFile(sharedtest.Path(t, "corpora/en-tinyshakespeare.txt"))
	if err != nil {
		t.Fatal(err)
	}
	words := NormalizeCounts(countRaw(text[:200_000]), normalize.DefaultBert())
	rev := slices.Clone(words)
	slices.Reverse(rev)
	for _, algo := range []Algorithm{HF, Likelihood} {
		cfg := DefaultTrainerConfig()
		cfg.Algorithm = algo
		cfg.VocabSize = 2000
		tr, err := NewTrainer(cfg)
		if err != nil {
			t.Fatal(err)
		}
		a, _ := tr.Train(words)
		b, _ := tr.Train(rev)
		if !reflect.DeepEqual(a, b) {
			t.Errorf("%s: two runs differ", algo)
		}
	}
}
