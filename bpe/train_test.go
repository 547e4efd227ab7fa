package bpe

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/toklabs/tok/wordcount"
)

func countsOf(m map[string]uint64) *wordcount.Counts { return wordcount.FromMap(m) }

// mustTrain trains with cfg or fails the test.
func mustTrain(t testing.TB, cfg TrainConfig, counts *wordcount.Counts) *TrainResult {
	t.Helper()
	tr, err := NewTrainer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	res, err := tr.Train(counts)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func mergeNames(r *TrainResult) []string {
	var out []string
	for _, m := range r.Merges {
		out = append(out, r.TokenName(m.A)+" "+r.TokenName(m.B))
	}
	return out
}

// HuggingFace's own known answer (models/bpe/trainer.rs, test_train):
// with min_frequency 2 the merges are r+e, a+re, i+s and the alphabet is the
// 22 characters seen, sorted.
func TestTrainer_HFKnownAnswer(t *testing.T) {
	counts := countsOf(map[string]uint64{
		"roses": 1, "are": 2, "red": 1, "voilets": 1, "blue": 1, "BERT": 1,
		"is": 2, "big": 1, "and": 1, "so": 1, "GPT-2": 1,
	})
	cfg := DefaultTrainConfig()
	cfg.MinFrequency = 2
	cfg.Alphabet = AlphabetSeen
	res := mustTrain(t, cfg, counts)
	var vocab []string
	for id := range res.Tokens {
		vocab = append(vocab, res.TokenName(uint32(id)))
	}
	wantVocab := strings.Fields("- 2 B E G P R T a b d e g i l n o r s t u v re are is")
	if !slices.Equal(vocab, wantVocab) {
		t.Errorf("vocab\n got %q\nwant %q", vocab, wantVocab)
	}
	wantMerges := []TrainMerge{{17, 11, 22}, {8, 22, 23}, {13, 18, 24}}
	if !slices.Equal(res.Merges, wantMerges) {
		t.Errorf("merges got %v want %v", res.Merges, wantMerges)
	}
}

func TestTrainer_KnownAnswers(t *testing.T) {
	tests := []struct {
		name   string
		words  map[string]uint64
		cfg    func(*TrainConfig)
		merges []string
		vocab  int
	}{
		{
			// aaabdaaabac as one word: aa (x2 non-overlapping per run)...
			name:  "minbpe-like",
			words: map[string]uint64{"aaabdaaabac": 1},
			cfg:   func(c *TrainConfig) { c.Alphabet = AlphabetSeen; c.VocabSize = 7 },
			// pairs: aa:4 ab:2 bd:1 da:1 ba:1 ac:1 -> "a a"; the word is then
			// aa a b d aa a b a c: (aa,a):2 ties (a,b):2 and ids a=0 < aa=4
			// give "a b"; then (aa,ab):2.
			merges: []string{"a a", "a b", "aa ab"},
			vocab:  7,
		},
		{
			name:  "special tokens first and counted",
			words: map[string]uint64{"ab": 3},
			cfg: func(c *TrainConfig) {
				c.Alphabet = AlphabetSeen
				c.SpecialTokens = []string{"<s>", "</s>"}
				c.VocabSize = 5
			},
			merges: []string{"a b"},
			vocab:  5,
		},
		{
			name:  "full alphabet",
			words: map[string]uint64{" hello": 5, " help": 4},
			cfg:   func(c *TrainConfig) { c.VocabSize = 259 },
			// Ties at 9 go to the smaller ids; printable bytes come before
			// Ġ (U+0120) in the alphabet.
			merges: []string{"e l", "h el", "Ġ hel"},
			vocab:  259,
		},
		{
			name:   "min frequency stops",
			words:  map[string]uint64{"xy": 3, "zw": 2},
			cfg:    func(c *TrainConfig) { c.Alphabet = AlphabetSeen; c.MinFrequency = 3 },
			merges: []string{"x y"},
			vocab:  5,
		},
		{
			// HF's max_token_length rule: after a merge, a pair is only counted
			// when the parts' lengths sum below the limit.
			name:   "max token length",
			words:  map[string]uint64{"abcd": 10},
			cfg:    func(c *TrainConfig) { c.Alphabet = AlphabetSeen; c.MaxTokenLength = 3 },
			merges: []string{"a b", "c d"},
			vocab:  6,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := DefaultTrainConfig()
			tt.cfg(&cfg)
			tr, err := NewTrainer(cfg)
			if err != nil {
				t.Fatal(err)
			}
			res, err := tr.Train(countsOf(tt.words))
			if err != nil {
				t.Fatal(err)
			}
			if got := mergeNames(res); !slices.Equal(got, tt.merges) {
				t.Errorf("merges %q, want %q", got, tt.merges)
			}
			if len(res.Tokens) != tt.vocab {
				t.Errorf("vocab size %d, want %d", len(res.Tokens), tt.vocab)
			}
		})
	}
}

// randomCounts makes a corpus with many repeated substrings, so that the
// same token string is reached by different merges (the duplicate-merge
// path) and counts tie often.
func randomCounts(r *rand.Rand, n int) *wordcount.Counts {
	alpha := []string{"a", "b", "ab", "ba", "c", " ", "é", "\xff"}
	m := map[string]uint64{}
	for i := 0; i < n; i++ {
		var b strings.Builder
		for j := r.IntN(9); j >= 0; j-- {
			b.WriteString(alpha[r.IntN(len(alpha))])
		}
		m[b.String()] += uint64(1 + r.IntN(5))
	}
	return wordcount.FromMap(m)
}

func TestTrainer_MatchesNaive(t *testing.T) {
	defer func(a, b int) { trainParallelMin, countParallelMin = a, b }(trainParallelMin, countParallelMin)
	trainParallelMin, countParallelMin = 3, 5
	for seed := uint64(0); seed < 40; seed++ {
		r := rand.New(rand.NewPCG(seed, 7))
		counts := randomCounts(r, 20+r.IntN(400))
		cfg := DefaultTrainConfig()
		cfg.VocabSize = 30 + r.IntN(200)
		if seed%2 == 0 {
			cfg.Alphabet = AlphabetSeen
		} else {
			cfg.VocabSize += 256
		}
		if seed%3 == 0 {
			cfg.SpecialTokens = []string{"<s>", "a"}
		}
		if seed%5 == 0 {
			cfg.MaxTokenLength = 2 + r.IntN(4)
		}
		if seed%7 == 0 {
			cfg.LimitAlphabet = 4
			cfg.InitialAlphabet = []byte{'z'}
		}
		tr, err := NewTrainer(cfg)
		if err != nil {
			t.Fatal(err)
		}
		want := tr.trainNaive(counts)
		for _, workers := range []int{1, 2, 5} {
			tr.cfg.Workers = workers
			got, err := tr.Train(counts)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got.Merges, want.Merges) || fmt.Sprint(got.Tokens) != fmt.Sprint(want.Tokens) {
				t.Fatalf("seed %d workers %d: fast and naive differ\nfast  %q\nnaive %q", seed, workers, mergeNames(got), mergeNames(want))
			}
		}
	}
}

func FuzzTrainer_MatchesNaive(f *testing.F) {
	f.Add([]byte("aaabdaaabac ab ab ba"), uint8(40), uint8(0))
	f.Add([]byte("hello world hello there"), uint8(20), uint8(3))
	f.Fuzz(func(t *testing.T, text []byte, vs uint8, maxLen uint8) {
		m := map[string]uint64{}
		for _, w := range strings.Fields(string(text)) {
			m[w]++
		}
		cfg := DefaultTrainConfig()
		cfg.Alphabet = AlphabetSeen
		cfg.VocabSize = int(vs) + 1
		cfg.MaxTokenLength = int(maxLen % 8)
		cfg.Workers = 3
		tr, err := NewTrainer(cfg)
		if err != nil {
			t.Fatal(err)
		}
		counts := wordcount.FromMap(m)
		want := tr.trainNaive(counts)
		got, err := tr.Train(counts)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got.Merges, want.Merges) {
			t.Fatalf("fast %q naive %q", mergeNames(got), mergeNames(want))
		}
	})
}

// A count over 2^32 must order merges by its true value: with 32-bit
// arithmetic 2^32+1 would wrap to 1 and "c d" (count 3) would win.
func TestTrainer_64BitCounts(t *testing.T) {
	counts := countsOf(map[string]uint64{"ab": 1<<32 + 1, "cd": 3})
	cfg := DefaultTrainConfig()
	cfg.Alphabet = AlphabetSeen
	tr, _ := NewTrainer(cfg)
	res, err := tr.Train(counts)
	if err != nil {
		t.Fatal(err)
	}
	if got := mergeNames(res); !slices.Equal(got, []string{"a b", "c d"}) {
		t.Errorf("merges %q, want [a b] then [c d]", got)
	}
}

func BenchmarkTrainer_Train(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	words := strings.Fields("the of and to in is was for on that with as by at from his her this which or be are an")
	m := map[string]uint64{}
	for i := 0; i < 50000; i++ {
		w := words[r.IntN(len(words))] + words[r.IntN(len(words))]
		if r.IntN(2) == 0 {
			w = " " + w
		}
		m[w] += uint64(1 + r.IntN(100))
	}
	counts := wordcount.FromMap(m)
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			cfg := DefaultTrainConfig()
			cfg.VocabSize = 2000
			cfg.Workers = workers
			tr, _ := NewTrainer(cfg)
			b.ReportAllocs()
			merges := 0
			for i := 0; i < b.N; i++ {
				res, err := tr.Train(counts)
				if err != nil {
					b.Fatal(err)
				}
				merges += len(res.Merges)
			}
			b.ReportMetric(float64(merges)/b.Elapsed().Seconds(), "merges/s")
		})
	}
}
