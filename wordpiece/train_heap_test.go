package wordpiece

import (
	"reflect"
	"testing"
)

// TestTrainer_likelihoodHeap checks the heap after every merge: the input
// once made the trainer nondeterministic (keys changed behind the heap).
func TestTrainer_likelihoodHeap(t *testing.T) {
	debugLikelihood = func(q lkHeap, score func(*lkPairInfo) float64) {
		for i := 1; i < len(q); i++ {
			if q.Less(i, (i-1)/2) {
				t.Errorf("heap invariant broken at %d: %v(%v,%d) above %v(%v,%d)", i, q[(i-1)/2].pair, q[(i-1)/2].score, q[(i-1)/2].count, q[i].pair, q[i].score, q[i].count)
			}
			if q[i].pos != i {
				t.Errorf("pos %d != %d", q[i].pos, i)
			}
		}
	}
	defer func() { debugLikelihood = nil }()
	cfg := DefaultTrainerConfig()
	cfg.Algorithm = Likelihood
	cfg.SpecialTokens = []string{"[UNK]"}
	cfg.VocabSize = 43
	cfg.MinFrequency = 1
	tr, _ := NewTrainer(cfg)
	got, _ := tr.Train([]WordCount{{"0100X2", 1}, {"2A0B", 1}})
	want := trainLikelihoodNaive(cfg, []WordCount{{"0100X2", 1}, {"2A0B", 1}})
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}
