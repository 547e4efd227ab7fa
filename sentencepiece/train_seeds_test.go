package sentencepiece

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// seedsNaive finds seed candidates as SentencePiece does: in the
// sentences joined with a boundary symbol after each, every substring
// without the boundary that is a valid piece of 2 or more characters,
// occurs at least twice and is followed by two different symbols, scored
// occurrences × length.
func seedsNaive(sentences [][]string, cfg *TrainConfig) map[string]int64 {
	const boundary = 0
	var arr []rune
	for _, s := range sentences {
		for _, w := range s {
			arr = append(arr, []rune(w)...)
		}
		arr = append(arr, boundary)
	}
	type info struct {
		n    int64
		next map[rune]bool
	}
	subs := map[string]*info{}
	for i := range arr {
		for j := i + 2; j <= len(arr) && j-i <= cfg.MaxPieceLength; j++ {
			if arr[j-1] == boundary {
				break
			}
			k := string(arr[i:j])
			in := subs[k]
			if in == nil {
				in = &info{next: map[rune]bool{}}
				subs[k] = in
			}
			in.n++
			if j < len(arr) {
				in.next[arr[j]] = true
			} else {
				in.next[-1] = true
			}
		}
	}
	out := map[string]int64{}
	for k, in := range subs {
		if in.n >= 2 && len(in.next) >= 2 && cfg.validPiece([]rune(k)) {
			out[k] = in.n * int64(len([]rune(k)))
		}
	}
	return out
}

// TestSeedsMatchSentencePieceCandidates checks that seeding over the
// distinct words (with their sentence-final counts) finds the candidates
// SentencePiece finds over the whole text.
func TestSeedsMatchSentencePieceCandidates(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	cfg := DefaultTrainConfig()
	cfg.MaxPieceLength = 6
	for trial := 0; trial < 200; trial++ {
		var vocab []string
		for range 1 + r.IntN(8) {
			var b strings.Builder
			b.WriteString("▁")
			for range 1 + r.IntN(4) {
				b.WriteByte("abc"[r.IntN(3)])
			}
			vocab = append(vocab, b.String())
		}
		var sentences [][]string
		wc := &WordCounts{Words: map[string]int64{}, Final: map[string]int64{}}
		for range 1 + r.IntN(12) {
			var s []string
			for range 1 + r.IntN(4) {
				w := vocab[r.IntN(len(vocab))]
				s = append(s, w)
				wc.Words[w]++
			}
			wc.Final[s[len(s)-1]]++
			sentences = append(sentences, s)
		}
		want := seedsNaive(sentences, &cfg)

		words, freqs, finals := wc.sortedWords()
		required, reqFreq, words, freqs, finals := applyCoverage(words, freqs, finals, 1)
		chars := newCharIDs(required)
		text := newWordText(words, freqs, finals, chars)
		seeds, scores := makeSeeds(text, chars, reqFreq, &cfg)
		got := map[string]int64{}
		singles := map[string]int64{}
		for i := 0; i < seeds.len(); i++ {
			if len(seeds.at(i)) == 1 {
				singles[string(chars.appendText(nil, seeds.at(i)))] = int64(scores[i])
			} else {
				got[string(chars.appendText(nil, seeds.at(i)))] = int64(scores[i])
			}
			if i > 0 && slices.Compare(seeds.at(i-1), seeds.at(i)) >= 0 {
				t.Fatalf("seeds %d and %d out of key order", i-1, i)
			}
		}
		if len(got) != len(want) {
			t.Fatalf("sentences %q:\n got %v\nwant %v", sentences, got, want)
		}
		for k, v := range want {
			if got[k] != v {
				t.Fatalf("sentences %q: %q scores %d, want %d\n got %v\nwant %v", sentences, k, got[k], v, got, want)
			}
		}
		// With fewer seeds allowed, the best candidates are kept: highest
		// score, ties by text.
		if len(want) > 2 {
			small := cfg
			small.SeedSize = len(required) + len(want)/2
			type kv struct {
				k string
				v int64
			}
			var all []kv
			for k, v := range want {
				all = append(all, kv{k, v})
			}
			slices.SortFunc(all, func(a, b kv) int {
				if a.v != b.v {
					return int(b.v - a.v)
				}
				return strings.Compare(a.k, b.k)
			})
			seeds, _ := makeSeeds(text, chars, reqFreq, &small)
			kept := map[string]bool{}
			for i := 0; i < seeds.len(); i++ {
				if len(seeds.at(i)) > 1 {
					kept[string(chars.appendText(nil, seeds.at(i)))] = true
				}
			}
			if len(kept) != len(want)/2 {
				t.Fatalf("kept %d seeds, want %d", len(kept), len(want)/2)
			}
			for _, x := range all[:len(want)/2] {
				if !kept[x.k] {
					t.Fatalf("%q (score %d) not kept; kept %v of %v", x.k, x.v, kept, all)
				}
			}
		}
		// The one-character seeds are the required characters with their counts.
		if len(singles) != len(required) {
			t.Fatalf("%d one-character seeds for %d required characters", len(singles), len(required))
		}
		for _, c := range required {
			if singles[string(c)] != reqFreq[c] {
				t.Fatalf("seed %q scores %d, want %d", string(c), singles[string(c)], reqFreq[c])
			}
		}
	}
}

// TestApplyCoverageMatchesMapMerge checks the merge of rewritten words
// into the unchanged ones against merging all words in a map.
func TestApplyCoverageMatchesMapMerge(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	alphabet := []rune("▁abcdefxyz⁇é日")
	for trial := 0; trial < 200; trial++ {
		wc := &WordCounts{Words: map[string]int64{}, Final: map[string]int64{}}
		for range 1 + r.IntN(60) {
			var b strings.Builder
			for range 1 + r.IntN(5) {
				// Skewed, so that some characters fall outside the coverage.
				b.WriteRune(alphabet[min(r.IntN(len(alphabet)), r.IntN(len(alphabet)))])
			}
			n := int64(1 + r.IntN(5))
			wc.Words[b.String()] += n
			if r.IntN(2) == 0 {
				wc.Final[b.String()]++
			}
		}
		words, freqs, finals := wc.sortedWords()
		coverage := 0.7 + 0.3*r.Float64()
		_, reqFreq, gw, gf, gfin := applyCoverage(words, freqs, finals, coverage)
		ww, wf, wfin := mergeRewritten(words, freqs, finals, reqFreq, nil)
		if !slices.Equal(gw, ww) || !slices.Equal(gf, wf) || !slices.Equal(gfin, wfin) {
			t.Fatalf("coverage %.2f:\n got %q %v %v\nwant %q %v %v", coverage, gw, gf, gfin, ww, wf, wfin)
		}
	}
}

// TestTrainJapaneseDeterministic trains on a slice of the Japanese corpus
// (long words: whole sentences) with 1 and 2 workers and compares the
// pieces and scores.
func TestTrainJapaneseDeterministic(t *testing.T) {
	lines := sharedLines(t, "corpora/ja.txt.zst", 300<<10)
	var got []string
	for _, workers := range []int{1, 2} {
		cfg := DefaultTrainConfig()
		cfg.VocabSize = 2000
		cfg.Workers = workers
		m := trainSmall(t, cfg, lines)
		var b strings.Builder
		for _, p := range m.Pieces() {
			fmt.Fprintf(&b, "%s\t%v\n", p.Text, p.Score)
		}
		got = append(got, b.String())
	}
	if got[0] != got[1] {
		t.Fatal("1 and 2 workers trained different pieces on Japanese")
	}
}
