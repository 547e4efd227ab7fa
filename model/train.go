package model

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"time"
)

// ErrNonFinite is wrapped by the error a Trainer returns when the loss or
// the gradient becomes NaN or infinite.
var ErrNonFinite = errors.New("model: non-finite value in training")

// NonFiniteError reports the step at which training diverged.
type NonFiniteError struct {
	Step  int    // the 0-based optimizer step
	What  string // "loss" or "gradient norm"
	Value float64
}

func (e *NonFiniteError) Error() string {
	return fmt.Sprintf("model: %s is %g at step %d; stopping (lower the learning rate or check the data)", e.What, e.Value, e.Step)
}

func (e *NonFiniteError) Unwrap() error { return ErrNonFinite }

// Record is one point of the loss curve.
type Record struct {
	Step      int     `json:"step"` // steps completed
	TrainLoss float64 `json:"train_loss"`
	LR        float64 `json:"lr"`
	GradNorm  float64 `json:"grad_norm"`
	// ValLoss is the validation loss in nats per token, NaN (omitted) when
	// not evaluated at this step.
	ValLoss *float64 `json:"val_loss,omitempty"`
}

// Progress is what a Trainer reports after every step.
type Progress struct {
	Step, Steps  int
	Loss         float64 // training loss of this step, nats per token
	LR, GradNorm float64
	TokensPerSec float64
	GFLOPS       float64 // achieved, from FlopsPerToken
	Elapsed, ETA time.Duration
	// TokensPerSec and GFLOPS count training steps only, not evaluation
	// or checkpoints; Elapsed and ETA count everything.
	// ValLoss, ValBPB are set (non-NaN) on evaluation steps.
	ValLoss, ValBPB float64
}

// Trainer trains a Model with AdamW, linear warm-up then cosine decay,
// gradient clipping and accumulation. It is not safe for concurrent use.
type Trainer struct {
	Model  *Model
	Config TrainConfig
	Data   Dataset
	// Step is the number of optimizer steps completed.
	Step int
	// History is the loss curve so far.
	History []Record
	// Progress, if set, is called after every step.
	Progress func(Progress)

	m, v    []float32      // AdamW moments, layout of Model.Params
	segs    []paramSegment // the tensors of Model.Params in order
	x, y, w []uint32
}

// paramSegment is one tensor's place in Model.Params.
type paramSegment struct {
	end   int  // offset just past the tensor
	decay bool // takes weight decay
}

// NewTrainer prepares a trainer for a fresh or loaded model.
func NewTrainer(m *Model, tc TrainConfig, data Dataset) (*Trainer, error) {
	if err := tc.Validate(); err != nil {
		return nil, err
	}
	if data.Train == nil || data.Val == nil {
		return nil, errors.New("model: dataset needs a train and a validation source")
	}
	if data.Tokenizer.VocabSize > m.Config.VocabSize {
		return nil, fmt.Errorf("model: tokenizer %s has %d ids but the model's vocabulary is %d",
			data.Tokenizer.Name, data.Tokenizer.VocabSize, m.Config.VocabSize)
	}
	t := &Trainer{Model: m, Config: tc, Data: data,
		m: make([]float32, len(m.Params)), v: make([]float32, len(m.Params))}
	end := 0
	for _, s := range ParamSpecs(m.Config) {
		end += s.Size()
		t.segs = append(t.segs, paramSegment{end: end, decay: s.Decay})
	}
	m.Workers = tc.Workers
	T := m.Config.ContextLen
	t.x, t.y, t.w = make([]uint32, tc.BatchSize*T), make([]uint32, tc.BatchSize*T), make([]uint32, T+1)
	return t, nil
}

// LearningRate is the schedule at 0-based step it: linear warm-up to LR
// over WarmupSteps, then cosine decay to MinLR at DecaySteps (Steps if 0).
func (tc TrainConfig) LearningRate(it int) float64 {
	total := tc.DecaySteps
	if total == 0 {
		total = tc.Steps
	}
	if it < tc.WarmupSteps {
		return tc.LR * float64(it+1) / float64(tc.WarmupSteps+1)
	}
	if it > total || total <= tc.WarmupSteps {
		return tc.MinLR
	}
	r := float64(it-tc.WarmupSteps) / float64(total-tc.WarmupSteps)
	return tc.MinLR + 0.5*(1+math.Cos(math.Pi*r))*(tc.LR-tc.MinLR)
}

// batchRNG is the generator of micro-batch k of step s: a pure function of
// the seed and the position, so a resumed run reads the same data.
func (t *Trainer) batchRNG(step, micro int) *rand.Rand {
	return rand.New(rand.NewPCG(t.Config.Seed, uint64(step)*uint64(t.Config.GradAccum)+uint64(micro)))
}

// TrainStep runs one optimizer step (GradAccum micro-batches) and returns
// its mean training loss and the gradient norm before clipping.
func (t *Trainer) TrainStep() (loss, gradNorm float64, err error) {
	tc, m := t.Config, t.Model
	B, T := tc.BatchSize, m.Config.ContextLen
	m.ZeroGrad()
	for k := 0; k < tc.GradAccum; k++ {
		if err := readBatch(t.Data.Train, t.batchRNG(t.Step, k), B, T, t.x, t.y, t.w); err != nil {
			return 0, 0, fmt.Errorf("model: step %d: reading training data: %w", t.Step, err)
		}
		l, err := m.Forward(t.x, t.y, B, T)
		if err != nil {
			return 0, 0, fmt.Errorf("model: step %d: %w", t.Step, err)
		}
		if math.IsNaN(l) || math.IsInf(l, 0) {
			return l, 0, &NonFiniteError{Step: t.Step, What: "loss", Value: l}
		}
		loss += l / float64(tc.GradAccum)
		if err := m.Backward(1 / float32(tc.GradAccum)); err != nil {
			return 0, 0, err
		}
	}
	gradNorm = math.Sqrt(sumSquares(m.Grads, tc.workers()))
	if math.IsNaN(gradNorm) || math.IsInf(gradNorm, 0) {
		return loss, gradNorm, &NonFiniteError{Step: t.Step, What: "gradient norm", Value: gradNorm}
	}
	gscale := float32(1)
	if tc.GradClip > 0 && gradNorm > tc.GradClip {
		gscale = float32(tc.GradClip / (gradNorm + 1e-6))
	}
	t.adamW(tc.LearningRate(t.Step), gscale)
	t.Step++
	return loss, gradNorm, nil
}

// adamW is PyTorch's AdamW: decoupled weight decay on 2-D weights, bias
// corrected moments; gradients are first multiplied by gscale (clipping).
func (t *Trainer) adamW(lr float64, gscale float32) {
	tc := t.Config
	step := float64(t.Step + 1)
	bc1 := 1 - math.Pow(tc.Beta1, step)
	bc2 := 1 - math.Pow(tc.Beta2, step)
	b1, b2 := float32(tc.Beta1), float32(tc.Beta2)
	stepSize := float32(lr / bc1)
	rbc2 := float32(1 / math.Sqrt(bc2))
	eps := float32(tc.AdamEps)
	decayed := float32(1 - lr*tc.WeightDecay)
	p, g, m, v := t.Model.Params, t.Model.Grads, t.m, t.v
	// One region over fixed chunks of the whole parameter vector (a
	// region per tensor made dozens of tiny ones); each element's update
	// depends on nothing else, so neither the chunking nor the worker
	// count changes a bit.
	const chunk = 16384
	parallelFor((len(p)+chunk-1)/chunk, tc.workers(), func(c int) {
		lo, hi := c*chunk, min(len(p), (c+1)*chunk)
		seg := sort.Search(len(t.segs), func(i int) bool { return t.segs[i].end > lo })
		for lo < hi {
			end := min(hi, t.segs[seg].end)
			decay := float32(1)
			if t.segs[seg].decay {
				decay = decayed
			}
			for j := lo; j < end; j++ {
				gj := g[j] * gscale
				m[j] = b1*m[j] + (1-b1)*gj
				v[j] = b2*v[j] + (1-b2)*gj*gj
				p[j] = p[j]*decay - stepSize*m[j]/(float32(math.Sqrt(float64(v[j])))*rbc2+eps)
			}
			lo = end
			seg++
		}
	})
}

// sumSquares is Σ x² in float64, summed by fixed chunks in order so the
// result does not depend on the worker count.
func sumSquares(x []float32, workers int) float64 {
	const chunk = 16384
	parts := make([]float64, (len(x)+chunk-1)/chunk)
	parallelFor(len(parts), workers, func(c int) {
		var s float64
		for _, v := range x[c*chunk : min(len(x), (c+1)*chunk)] {
			s += float64(v) * float64(v)
		}
		parts[c] = s
	})
	var s float64
	for _, p := range parts {
		s += p
	}
	return s
}

// Evaluate returns the mean loss in nats per token over EvalBatches
// batches of src. The batches are the same at every call (drawn from the
// seed alone), so successive evaluations are comparable.
func (t *Trainer) Evaluate(src TokenSource) (float64, error) {
	tc, m := t.Config, t.Model
	B, T := tc.BatchSize, m.Config.ContextLen
	rng := rand.New(rand.NewPCG(tc.Seed^0x5eed, math.MaxUint64))
	var sum float64
	for i := 0; i < tc.EvalBatches; i++ {
		if err := readBatch(src, rng, B, T, t.x, t.y, t.w); err != nil {
			return 0, fmt.Errorf("model: evaluation: %w", err)
		}
		l, err := m.Forward(t.x, t.y, B, T)
		if err != nil {
			return 0, err
		}
		sum += l
	}
	return sum / float64(tc.EvalBatches), nil
}

// BitsPerByte converts nats per token into bits per byte; NaN when the
// bytes per token are unknown.
func (d Dataset) BitsPerByte(natsPerToken float64) float64 {
	if d.BytesPerToken <= 0 {
		return math.NaN()
	}
	return natsPerToken / math.Ln2 / d.BytesPerToken
}

// Run trains until Config.Steps, evaluating every EvalEvery steps and at
// the end, and calling checkpoint (if not nil) every CheckpointEvery steps
// and at the end. It returns the final validation loss.
func (t *Trainer) Run(checkpoint func(*Trainer) error) (float64, error) {
	tc := t.Config
	B, T := tc.BatchSize, t.Model.Config.ContextLen
	tokensPerStep := float64(B * T * tc.GradAccum)
	flops := FlopsPerToken(t.Model.Config, T)
	start := time.Now()
	var trainTime time.Duration // excludes evaluation and checkpoints
	first := t.Step
	val := math.NaN()
	for t.Step < tc.Steps {
		lr := tc.LearningRate(t.Step)
		t0 := time.Now()
		loss, gn, err := t.TrainStep()
		if err != nil {
			return math.NaN(), err
		}
		trainTime += time.Since(t0)
		rec := Record{Step: t.Step, TrainLoss: loss, LR: lr, GradNorm: gn}
		p := Progress{Step: t.Step, Steps: tc.Steps, Loss: loss, LR: lr, GradNorm: gn,
			ValLoss: math.NaN(), ValBPB: math.NaN()}
		if (tc.EvalEvery > 0 && t.Step%tc.EvalEvery == 0) || t.Step == tc.Steps {
			if val, err = t.Evaluate(t.Data.Val); err != nil {
				return math.NaN(), err
			}
			v := val
			rec.ValLoss = &v
			p.ValLoss, p.ValBPB = val, t.Data.BitsPerByte(val)
		}
		t.History = append(t.History, rec)
		el := time.Since(start)
		done := t.Step - first
		p.Elapsed = el
		p.TokensPerSec = tokensPerStep * float64(done) / trainTime.Seconds()
		p.GFLOPS = p.TokensPerSec * flops / 1e9
		p.ETA = time.Duration(float64(el) / float64(done) * float64(tc.Steps-t.Step))
		if t.Progress != nil {
			t.Progress(p)
		}
		if checkpoint != nil && ((tc.CheckpointEvery > 0 && t.Step%tc.CheckpointEvery == 0) || t.Step == tc.Steps) {
			if err := checkpoint(t); err != nil {
				return math.NaN(), err
			}
		}
	}
	if math.IsNaN(val) { // nothing left to train (a finished run resumed)
		return t.Evaluate(t.Data.Val)
	}
	return val, nil
}
