package wordpiece

import (
	"reflect"
	"strings"
	"testing"
)

// trainLikelihoodNaive is the likelihood trainer written plainly: every
// step recounts all symbols and pairs from the current segmentation and
// merges the best pair (score, then count, then smaller ids).
func trainLikelihoodNaive(cfg TrainerConfig, words []WordCount) []string {
	s := newSymbols(cfg, words)
	for len(s.tokens) < cfg.VocabSize {
		sym := map[uint32]int64{}
		pairs := map[hfPair]int64{}
		for i, w := range s.words {
			c := int64(s.counts[i])
			for j, x := range w {
				sym[x] += c
				if j+1 < len(w) {
					pairs[hfPair{x, w[j+1]}] += c
				}
			}
		}
		var best hfPair
		var bestScore float64
		var bestCount int64
		found := false
		for p, c := range pairs {
			if c < int64(cfg.MinFrequency) {
				continue
			}
			score := float64(c) / (float64(sym[p[0]]) * float64(sym[p[1]]))
			better := !found || score > bestScore ||
				score == bestScore && (c > bestCount || c == bestCount && (p[0] < best[0] || p[0] == best[0] && p[1] < best[1]))
			if better {
				best, bestScore, bestCount, found = p, score, c, true
			}
		}
		if !found {
			break
		}
		id := s.add(s.mergedToken(best[0], best[1]))
		for i, w := range s.words {
			var out []uint32
			for j := 0; j < len(w); j++ {
				if j+1 < len(w) && w[j] == best[0] && w[j+1] == best[1] {
					out = append(out, id)
					j++
				} else {
					out = append(out, w[j])
				}
			}
			s.words[i] = out
		}
	}
	return s.tokens
}

func FuzzTrainer_likelihoodVsNaive(f *testing.F) {
	f.Add("hug hug hug pug pugs hugs aaaa aaa abab", uint8(30), uint8(0))
	f.Add("the cat sat on the mat the end", uint8(40), uint8(2))
	f.Add("ab ab ab ba ba aba bab", uint8(20), uint8(1))
	f.Fuzz(func(t *testing.T, text string, size, minFreq uint8) {
		m := map[string]uint64{}
		for _, w := range strings.Fields(text) {
			if len(w) > 12 {
				w = w[:12]
			}
			m[w]++
		}
		var words []WordCount
		for w, c := range m {
			words = append(words, WordCount{w, c})
		}
		if len(words) > 40 {
			return
		}
		cfg := DefaultTrainerConfig()
		cfg.Algorithm = Likelihood
		cfg.SpecialTokens = []string{"[UNK]"}
		cfg.VocabSize = int(size)%200 + 2
		cfg.MinFrequency = uint64(minFreq % 4)
		tr, err := NewTrainer(cfg)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := tr.Train(words)
		want := trainLikelihoodNaive(cfg, words)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("words %v size %d:\n got %q\nwant %q", words, cfg.VocabSize, got, want)
		}
	})
}
