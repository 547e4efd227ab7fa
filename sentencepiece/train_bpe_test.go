package sentencepiece

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// trainBPENaive is trainBPE's reference: before every merge it counts all
// adjacent pairs of all words afresh and takes the best one in the same
// order (count, merged text, symbol ids).
func trainBPENaive(words []string, freqs []int64, required []rune, cfg *TrainConfig) []scoredPiece {
	target := cfg.VocabSize - metaCount(cfg) - len(required)
	var symText []string
	symID := map[string]int32{}
	intern := func(s string) int32 {
		if id, ok := symID[s]; ok {
			return id
		}
		symID[s] = int32(len(symText))
		symText = append(symText, s)
		return symID[s]
	}
	for _, c := range required {
		intern(string(c))
	}
	seqs := make([][]int32, len(words))
	for i, w := range words {
		for _, c := range w {
			id, ok := symID[string(c)]
			if !ok || c == unkChar {
				id = -1
			}
			seqs[i] = append(seqs[i], id)
		}
	}
	valid := func(a, b int32) bool {
		s := symText[a] + symText[b]
		return utf8.RuneCountInString(s) <= cfg.MaxPieceLength && cfg.validPiece([]rune(s))
	}
	var pieces []scoredPiece
	for len(pieces) < target {
		counts := map[[2]int32]int64{}
		for i, seq := range seqs {
			for k := 0; k+1 < len(seq); k++ {
				if seq[k] >= 0 && seq[k+1] >= 0 && valid(seq[k], seq[k+1]) {
					counts[[2]int32{seq[k], seq[k+1]}] += freqs[i]
				}
			}
		}
		var best [2]int32
		var bestCount int64
		for p, c := range counts {
			if c <= 0 {
				continue
			}
			if bestCount == 0 || c > bestCount {
				best, bestCount = p, c
				continue
			}
			if c < bestCount {
				continue
			}
			if d := strings.Compare(symText[p[0]]+symText[p[1]], symText[best[0]]+symText[best[1]]); d < 0 || d == 0 && (p[0] < best[0] || p[0] == best[0] && p[1] < best[1]) {
				best = p
			}
		}
		if bestCount == 0 {
			break
		}
		text := symText[best[0]] + symText[best[1]]
		nid := intern(text)
		pieces = append(pieces, scoredPiece{text, -float64(len(pieces))})
		for i, seq := range seqs {
			out := seq[:0]
			for k := 0; k < len(seq); k++ {
				if k+1 < len(seq) && seq[k] == best[0] && seq[k+1] == best[1] {
					out = append(out, nid)
					k++
					continue
				}
				out = append(out, seq[k])
			}
			seqs[i] = out
		}
	}
	for _, c := range required {
		pieces = append(pieces, scoredPiece{string(c), -float64(len(pieces))})
	}
	return pieces
}

// bpeInput turns text into trainBPE's input as TrainFromCounts does:
// counted words, sorted, characters outside the coverage rewritten.
func bpeInput(t testing.TB, text string, cfg TrainConfig) (words []string, freqs []int64, required []rune) {
	t.Helper()
	var lines [][]byte
	for _, l := range strings.Split(text, "\n") {
		lines = append(lines, []byte(l))
	}
	wc, err := CountWords(&linesDocs{lines: lines}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	words, freqs, finals := wc.sortedWords()
	required, _, words, freqs, _ = applyCoverage(words, freqs, finals, cfg.CharacterCoverage)
	return words, freqs, required
}

func checkBPEMatchesNaive(t *testing.T, text string, cfg TrainConfig) {
	t.Helper()
	words, freqs, required := bpeInput(t, text, cfg)
	if len(words) == 0 {
		return
	}
	got, err := trainBPE(words, freqs, required, &cfg)
	if err != nil {
		return // vocabulary too small for the characters: nothing to compare
	}
	want := trainBPENaive(words, freqs, required, &cfg)
	if !slices.Equal(got, want) {
		t.Fatalf("%q:\ntrainBPE %v\nnaive    %v", text, got, want)
	}
}

// trainBPE (incremental counts, indexed queue) learns the same merges as
// the naive recount on texts with repeats, overlaps ("aaaa"), ties,
// unknown characters and mixed scripts.
func TestTrainBPE_MatchesNaive(t *testing.T) {
	cfg := DefaultTrainConfig()
	cfg.Algorithm = BPE
	cfg.Workers = 1
	for _, tc := range []struct {
		text  string
		vocab int
	}{
		{"aaaa aaaa aaa aa a\nbanana bandana", 20},
		{"abab abab ab ba baba\nxyxyxy", 15},
		{"low lower lowest newer wider new\nlow low lower", 40},
		{"東京都 東京 京都 都市\nひらがな カタカナ 漢字かな", 40},
		{"a1b2 12 123 1234 ab12ab\n(1) (2) 0.00", 30},
		{"abc abc acb bca cab\nabcabc", 100}, // runs out of pairs
	} {
		cfg.VocabSize = tc.vocab
		cfg.CharacterCoverage = 1
		checkBPEMatchesNaive(t, tc.text, cfg)
		cfg.CharacterCoverage = 0.9 // rare characters become unknown
		checkBPEMatchesNaive(t, tc.text, cfg)
	}
}

func FuzzTrainBPE_MatchesNaive(f *testing.F) {
	for _, s := range []string{"aaaa aaa\nabab", "東京 京都 東京都", "ab ba abba baab\nabab"} {
		f.Add(s, uint8(30))
	}
	f.Fuzz(func(t *testing.T, text string, vocab uint8) {
		if len(text) > 300 || !utf8.ValidString(text) || strings.ContainsRune(text, 0) {
			return
		}
		cfg := DefaultTrainConfig()
		cfg.Algorithm = BPE
		cfg.Workers = 1
		cfg.VocabSize = int(vocab)
		if cfg.check() != nil {
			return
		}
		checkBPEMatchesNaive(t, text, cfg)
	})
}

// compareConcat(x1, x2, y1, y2) is strings.Compare(x1+x2, y1+y2).
func FuzzCompareConcat(f *testing.F) {
	for _, s := range [][4]string{
		{"ab", "c", "a", "bc"}, {"", "", "", ""}, {"a", "", "", "a"}, {"ab", "", "a", "c"},
		{"▁", "あ", "▁あ", ""}, {"x", "yz", "xy", "zz"}, {"abc", "d", "ab", "c"}, {"", "b", "a", "b"},
	} {
		f.Add(s[0], s[1], s[2], s[3])
	}
	f.Fuzz(func(t *testing.T, x1, x2, y1, y2 string) {
		if got, want := compareConcat(x1, x2, y1, y2), strings.Compare(x1+x2, y1+y2); got != want {
			t.Fatalf("compareConcat(%q, %q, %q, %q) = %d, want %d", x1, x2, y1, y2, got, want)
		}
	})
}
