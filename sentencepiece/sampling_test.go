package sentencepiece

import (
	"math"
	"testing"

	"github.com/toklabs/tok/sentencepiece/internal/modelpb"
)

func TestNBest(t *testing.T) {
	m := tinyModel(t, modelpb.TrainerSpec_UNIGRAM)
	text := []byte("abab")
	paths, scores := m.NBest(text, 50)
	if idsJSON(paths[0]) != idsJSON(m.AppendEncode(nil, text)) {
		t.Fatalf("best path %v, Viterbi %v", paths[0], m.AppendEncode(nil, text))
	}
	seen := map[string]bool{}
	for i, p := range paths {
		if i > 0 && scores[i] > scores[i-1] {
			t.Fatalf("scores not decreasing: %v", scores)
		}
		got, _ := m.AppendDecode(nil, p)
		if string(got) != "abab" {
			t.Fatalf("path %v decodes to %q", p, got)
		}
		if seen[idsJSON(p)] {
			t.Fatalf("duplicate path %v", p)
		}
		seen[idsJSON(p)] = true
	}
	// "abab" (no dummy prefix) splits at any of 3 places into pieces of
	// the vocabulary {a, b, ab, ba, aba}: a|b|a|b, ab|a|b, a|ba|b, a|b|ab,
	// ab|ab, aba|b, a|bab? (no "bab"), ... count them by brute force.
	if want := countSegmentations(m, "abab"); len(paths) != want {
		t.Fatalf("%d paths, want all %d segmentations", len(paths), want)
	}
}

func countSegmentations(m *Model, s string) int {
	if s == "" {
		return 1
	}
	n := 0
	for l := 1; l <= len(s); l++ {
		if id, ok := m.lookupText(s[:l]); ok && m.pieces[id].Type == Normal {
			n += countSegmentations(m, s[l:])
		}
	}
	return n
}

// TestSamplerDistribution samples the whole lattice and compares the
// frequency of each segmentation with P(seg)^alpha / Z.
func TestSamplerDistribution(t *testing.T) {
	m := tinyModel(t, modelpb.TrainerSpec_UNIGRAM)
	const alpha = 0.5
	text := []byte("abab")
	paths, scores := m.NBest(text, 100)
	var z float64
	for _, s := range scores {
		z += math.Exp(alpha * s)
	}
	s, err := m.NewSampler(-1, alpha, 42)
	if err != nil {
		t.Fatal(err)
	}
	const draws = 20000
	counts := map[string]int{}
	for i := 0; i < draws; i++ {
		counts[idsJSON(s.AppendEncode(nil, text))]++
	}
	for i, p := range paths {
		want := math.Exp(alpha*scores[i]) / z
		got := float64(counts[idsJSON(p)]) / draws
		if math.Abs(got-want) > 0.015 {
			t.Errorf("path %v: sampled %.4f, want %.4f", p, got, want)
		}
	}
	// Same seed, same samples.
	a, _ := m.NewSampler(-1, alpha, 7)
	b, _ := m.NewSampler(-1, alpha, 7)
	for i := 0; i < 100; i++ {
		if idsJSON(a.AppendEncode(nil, text)) != idsJSON(b.AppendEncode(nil, text)) {
			t.Fatal("samplers with the same seed differ")
		}
	}
}

func TestSamplerNBestAndDropout(t *testing.T) {
	uni := tinyModel(t, modelpb.TrainerSpec_UNIGRAM)
	s, _ := uni.NewSampler(2, 1, 1)
	paths, _ := uni.NBest([]byte("abab"), 2)
	for i := 0; i < 200; i++ {
		got := idsJSON(s.AppendEncode(nil, []byte("abab")))
		if got != idsJSON(paths[0]) && got != idsJSON(paths[1]) {
			t.Fatalf("sample %s is not among the 2 best", got)
		}
	}
	bpe := tinyModel(t, modelpb.TrainerSpec_BPE)
	full, _ := bpe.NewSampler(0, 1, 1) // dropout 1: no merge survives
	got := full.AppendEncode(nil, []byte("abc"))
	if len(got) != 3 {
		t.Fatalf("dropout 1 gave %v, want 3 characters", got)
	}
	none, _ := bpe.NewSampler(0, 0, 1)
	if idsJSON(none.AppendEncode(nil, []byte("abcab"))) != idsJSON(bpe.AppendEncode(nil, []byte("abcab"))) {
		t.Fatal("dropout 0 differs from encoding")
	}
}
