package model

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestLearningRate(t *testing.T) {
	tc := DefaultTrainConfig() // lr 1e-3, min 1e-4, warmup 100, 2000 steps
	for _, tt := range []struct {
		it   int
		want float64
	}{
		{0, 1e-3 / 101}, {99, 1e-3 * 100 / 101}, {100, 1e-3}, {1050, 1e-4 + 0.5*0.9e-3}, {2000, 1e-4}, {2500, 1e-4},
	} {
		if got := tc.LearningRate(tt.it); math.Abs(got-tt.want) > 1e-12 {
			t.Errorf("LearningRate(%d) = %g, want %g", tt.it, got, tt.want)
		}
	}
}

// textTokens is a small byte corpus with structure worth learning.
func textTokens() Tokens {
	s := strings.Repeat("the cat sat on the mat. the dog sat on the log. ", 40)
	t := make(Tokens, len(s))
	for i := range s {
		t[i] = uint32(s[i])
	}
	return t
}

func smallTrain(t *testing.T, workers, steps int) *Trainer {
	t.Helper()
	c := DefaultConfig()
	c.ContextLen, c.Layers, c.Heads, c.Width = 16, 2, 2, 32
	tc := DefaultTrainConfig()
	tc.Steps, tc.BatchSize, tc.GradAccum, tc.WarmupSteps, tc.EvalEvery, tc.EvalBatches = steps, 4, 2, 3, 5, 2
	tc.LR, tc.MinLR = 1e-2, 1e-3
	tc.Workers = workers
	m, err := New(c, tc.Seed)
	if err != nil {
		t.Fatal(err)
	}
	train, val := SplitTokens(textTokens(), 0.1)
	tr, err := NewTrainer(m, tc, Dataset{Train: train, Val: val, BytesPerToken: 1, Tokenizer: BytesTokenizer})
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func TestTrainingLearns(t *testing.T) {
	tr := smallTrain(t, 0, 60)
	val, err := tr.Run(nil)
	if err != nil {
		t.Fatal(err)
	}
	first := tr.History[0].TrainLoss
	if first < 5 || first > 6 { // ln 256 = 5.55 at initialisation
		t.Errorf("first loss %g, want about ln 256", first)
	}
	if val > 1.5 {
		t.Errorf("validation loss after 60 steps %g, want < 1.5 on a repetitive text", val)
	}
	t.Logf("loss %.3f -> val %.3f", first, val)
}

func TestTrainingDeterministicAcrossWorkers(t *testing.T) {
	one := smallTrain(t, 1, 4)
	if _, err := one.Run(nil); err != nil {
		t.Fatal(err)
	}
	for _, workers := range []int{2, 3} {
		other := smallTrain(t, workers, 4)
		if _, err := other.Run(nil); err != nil {
			t.Fatal(err)
		}
		for i := range one.History {
			if a, b := one.History[i].TrainLoss, other.History[i].TrainLoss; math.Float64bits(a) != math.Float64bits(b) {
				t.Fatalf("step %d: loss %v with 1 worker, %v with %d", i+1, a, b, workers)
			}
		}
		for i := range one.Model.Params {
			if a, b := one.Model.Params[i], other.Model.Params[i]; math.Float32bits(a) != math.Float32bits(b) {
				t.Fatalf("param %d: 1 worker %g, %d workers %g", i, a, workers, b)
			}
		}
	}
}

func TestResumeIsExact(t *testing.T) {
	whole := smallTrain(t, 0, 8)
	if _, err := whole.Run(nil); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	half := smallTrain(t, 0, 8)
	half.Config.Steps = 4
	if _, err := half.Run(func(tr *Trainer) error { return tr.Save(dir) }); err != nil {
		t.Fatal(err)
	}
	train, val := SplitTokens(textTokens(), 0.1)
	resumed, err := Resume(dir, Dataset{Train: train, Val: val, BytesPerToken: 1, Tokenizer: BytesTokenizer}, 8)
	if err != nil {
		t.Fatal(err)
	}
	if resumed.Step != 4 {
		t.Fatalf("resumed at step %d, want 4", resumed.Step)
	}
	if _, err := resumed.Run(nil); err != nil {
		t.Fatal(err)
	}
	if len(resumed.History) != len(whole.History) {
		t.Fatalf("history %d records, want %d", len(resumed.History), len(whole.History))
	}
	for i := range whole.History {
		if whole.History[i].TrainLoss != resumed.History[i].TrainLoss {
			t.Errorf("step %d: loss %v uninterrupted, %v resumed", i+1, whole.History[i].TrainLoss, resumed.History[i].TrainLoss)
		}
	}
	for i := range whole.Model.Params {
		if whole.Model.Params[i] != resumed.Model.Params[i] {
			t.Fatalf("param %d differs after resume", i)
		}
	}
}

func TestNonFiniteIsReported(t *testing.T) {
	tr := smallTrain(t, 0, 10)
	tr.Config.Steps = 2
	if _, err := tr.Run(nil); err != nil {
		t.Fatal(err)
	}
	tr.Config.Steps = 10
	tr.Model.Params[len(tr.Model.Params)-1] = float32(math.Inf(1)) // a final-norm gain
	_, err := tr.Run(nil)
	var nf *NonFiniteError
	if !errors.As(err, &nf) || !errors.Is(err, ErrNonFinite) {
		t.Fatalf("err = %v, want a NonFiniteError", err)
	}
	if nf.Step != 2 {
		t.Errorf("reported step %d, want 2", nf.Step)
	}
}

func TestCheckpointBadInput(t *testing.T) {
	dir := t.TempDir()
	tr := smallTrain(t, 0, 1)
	if _, err := tr.Run(func(tr *Trainer) error { return tr.Save(dir) }); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := LoadModel(dir); err != nil {
		t.Fatalf("LoadModel: %v", err)
	}
	// truncated
	data, _ := os.ReadFile(filepath.Join(dir, modelFile))
	for _, n := range []int{0, 5, 100, len(data) - 4} {
		p := filepath.Join(t.TempDir(), "m.safetensors")
		os.WriteFile(p, data[:n], 0o644)
		_, _, _, err := LoadModel(p)
		var ce *CorruptError
		if !errors.As(err, &ce) || !strings.Contains(err.Error(), p) {
			t.Errorf("truncated to %d bytes: err = %v, want a CorruptError naming the file", n, err)
		}
	}
	// another configuration's tensors under this configuration's metadata
	other := smallTrain(t, 0, 1)
	other.Model.Config.Width = 16
	c := other.Model.Config
	bad := filepath.Join(t.TempDir(), "m.safetensors")
	flat := make([]float32, NumParams(c))
	meta := map[string]string{"format": checkpointFormat, "version": "1", "config": `{"vocab_size":256,"context_len":16,"layers":2,"heads":2,"width":32,"mlp_ratio":4,"position":"learned","norm":"layernorm","norm_eps":1e-5,"rope_base":10000,"init_std":0.02}`,
		"tokenizer": `{"name":"bytes","vocab_size":256}`, "step": "1"}
	if err := WriteSafetensors(bad, namedTensors(c, flat, ""), meta); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := LoadModel(bad); err == nil || !strings.Contains(err.Error(), "shape") {
		t.Errorf("mismatched shapes: err = %v", err)
	}
	// data from another tokenizer
	train, val := SplitTokens(textTokens(), 0.1)
	_, err := Resume(dir, Dataset{Train: train, Val: val, Tokenizer: TokenizerID{Name: "bpe.json", SHA256: "ab", VocabSize: 256}}, 0)
	if err == nil || !strings.Contains(err.Error(), "bpe.json") {
		t.Errorf("other tokenizer: err = %v", err)
	}
	// tokens beyond the vocabulary
	if _, err := tr.Model.Forward([]uint32{300}, []uint32{1}, 1, 1); err == nil {
		t.Error("token 300 with vocabulary 256 accepted")
	}
}

func TestSamplerMatchesFullForward(t *testing.T) {
	for _, pos := range []PosScheme{PosLearned, PosRoPE, PosALiBi} {
		c := tinyConfig(pos, RMSNorm)
		m, err := New(c, 3)
		if err != nil {
			t.Fatal(err)
		}
		tokens := []uint32{1, 5, 2, 12, 7, 0}
		if _, err := m.Forward(tokens, nil, 1, len(tokens)); err != nil {
			t.Fatal(err)
		}
		full := append([]float32(nil), m.Logits()...)
		s := m.NewSampler()
		for p, tok := range tokens {
			got, err := s.Feed(tok)
			if err != nil {
				t.Fatal(err)
			}
			if e := relErr(got, full[p*c.VocabSize:(p+1)*c.VocabSize]); e > 1e-5 {
				t.Errorf("%v: position %d: cached logits differ from the full forward by %.3g", pos, p, e)
			}
		}
		if _, err := s.Feed(1); err == nil {
			t.Errorf("%v: feeding past the context accepted", pos)
		}
	}
}

func TestGenerateDeterministic(t *testing.T) {
	tr := smallTrain(t, 0, 150)
	if _, err := tr.Run(nil); err != nil {
		t.Fatal(err)
	}
	gen := func(seed uint64, sc SampleConfig) string {
		sc.Seed, sc.MaxTokens = seed, 100 // > ContextLen: exercises the cache restart
		var out []byte
		if err := tr.Model.NewSampler().Generate([]uint32{'t'}, sc, func(id uint32) error {
			out = append(out, byte(id))
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return string(out)
	}
	sc := DefaultSampleConfig()
	a, b := gen(1, sc), gen(1, sc)
	if a != b || len(a) != 100 {
		t.Fatalf("same seed gave %q and %q", a, b)
	}
	sc.Temperature = 0
	greedy := gen(1, sc)
	if !strings.Contains(greedy, "sat on the") {
		t.Errorf("greedy sample %q does not reproduce the training text", greedy)
	}
	sc = DefaultSampleConfig()
	sc.TopK = 1
	if got := gen(9, sc); got != greedy {
		t.Errorf("top-k 1 %q differs from greedy %q", got, greedy)
	}
}

// BenchmarkTrainer_TrainStep times one step of nanoGPT's CPU recipe
// (config A: 4 layers, 4 heads, width 128, context 64, batch 12) at byte
// level, and of config B (6 layers, 6 heads, width 384, context 256,
// batch 8), with 1 and 2 workers; SetBytes is the tokens per step, so MB/s
// reads as millions of tokens/s.
func BenchmarkTrainer_TrainStep(b *testing.B) {
	tokens := make(Tokens, 100000)
	for i := range tokens {
		tokens[i] = uint32(i*7919) % 256
	}
	for _, cfg := range []struct {
		name                    string
		layers, heads, width, T int
		batch                   int
	}{
		{"A", 4, 4, 128, 64, 12},
		{"B", 6, 6, 384, 256, 8},
	} {
		for _, workers := range []int{1, 2} {
			b.Run(fmt.Sprintf("config=%s/workers=%d", cfg.name, workers), func(b *testing.B) {
				c := DefaultConfig()
				c.Layers, c.Heads, c.Width, c.ContextLen = cfg.layers, cfg.heads, cfg.width, cfg.T
				m, err := New(c, 1)
				if err != nil {
					b.Fatal(err)
				}
				tc := DefaultTrainConfig()
				tc.BatchSize, tc.Workers = cfg.batch, workers
				tr, err := NewTrainer(m, tc, Dataset{Train: tokens, Val: tokens, Tokenizer: BytesTokenizer})
				if err != nil {
					b.Fatal(err)
				}
				b.SetBytes(int64(tc.BatchSize * c.ContextLen))
				b.ReportAllocs()
				c0, w0 := cpuTime(), time.Now()
				for b.Loop() {
					if _, _, err := tr.TrainStep(); err != nil {
						b.Fatal(err)
					}
				}
				ntok := float64(b.N * tc.BatchSize * c.ContextLen)
				b.ReportMetric(ntok/(cpuTime()-c0).Seconds(), "tok/cpu-s")
				b.ReportMetric(ntok/time.Since(w0).Seconds(), "tok/s")
			})
		}
	}
}

// TestLargeVocabulary runs a cl100k-sized vocabulary through forward,
// backward and the sampler (the output layer spans several nc blocks).
func TestLargeVocabulary(t *testing.T) {
	c := DefaultConfig()
	c.VocabSize, c.ContextLen, c.Layers, c.Heads, c.Width = 100277, 4, 1, 2, 16
	m, err := New(c, 1)
	if err != nil {
		t.Fatal(err)
	}
	tokens, targets := []uint32{100276, 5, 70000, 9}, []uint32{5, 70000, 9, 100000}
	loss, err := m.Forward(tokens, targets, 1, 4)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(loss-math.Log(float64(c.VocabSize))) > 0.1 {
		t.Errorf("initial loss %g, want about ln V = %g", loss, math.Log(float64(c.VocabSize)))
	}
	m.ZeroGrad()
	if err := m.Backward(1); err != nil {
		t.Fatal(err)
	}
	g := views(c, m.Grads)
	if g.wte[100000*c.Width] == 0 && g.wte[100000*c.Width+1] == 0 {
		t.Error("no gradient reached the embedding of target 100000")
	}
	m.Forward(tokens, nil, 1, 4)
	full := append([]float32(nil), m.Logits()...)
	s := m.NewSampler()
	for p, tok := range tokens {
		got, err := s.Feed(tok)
		if err != nil {
			t.Fatal(err)
		}
		if e := relErr(got, full[p*c.VocabSize:(p+1)*c.VocabSize]); e > 1e-5 {
			t.Fatalf("position %d: cached logits differ by %g", p, e)
		}
	}
}
