package model

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
)

// PosScheme selects how token positions enter the model.
type PosScheme int

const (
	// PosLearned adds a learned absolute position embedding (GPT-2).
	PosLearned PosScheme = iota
	// PosRoPE rotates queries and keys by position (Su et al. 2021),
	// rotate-half pairing (i, i+headSize/2).
	PosRoPE
	// PosALiBi adds a per-head linear distance penalty to attention scores
	// ("Train Short, Test Long", Press et al. 2021).
	PosALiBi
)

var posNames = []string{"learned", "rope", "alibi"}

// String returns the flag spelling of p.
func (p PosScheme) String() string {
	if p >= 0 && int(p) < len(posNames) {
		return posNames[p]
	}
	return fmt.Sprintf("PosScheme(%d)", int(p))
}

// ParsePosScheme parses "learned", "rope" or "alibi".
func ParsePosScheme(s string) (PosScheme, error) {
	for i, n := range posNames {
		if strings.EqualFold(s, n) {
			return PosScheme(i), nil
		}
	}
	return 0, fmt.Errorf("model: unknown position scheme %q (want learned, rope or alibi)", s)
}

// MarshalText implements encoding.TextMarshaler.
func (p PosScheme) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (p *PosScheme) UnmarshalText(b []byte) error {
	v, err := ParsePosScheme(string(b))
	*p = v
	return err
}

// NormKind selects the normalisation layer.
type NormKind int

const (
	// LayerNorm normalises by mean and variance, with a gain and no bias
	// (nanoGPT's bias=False).
	LayerNorm NormKind = iota
	// RMSNorm normalises by the root mean square, with a gain.
	RMSNorm
)

var normNames = []string{"layernorm", "rmsnorm"}

// String returns the flag spelling of n.
func (n NormKind) String() string {
	if n >= 0 && int(n) < len(normNames) {
		return normNames[n]
	}
	return fmt.Sprintf("NormKind(%d)", int(n))
}

// ParseNormKind parses "layernorm" or "rmsnorm".
func ParseNormKind(s string) (NormKind, error) {
	for i, n := range normNames {
		if strings.EqualFold(s, n) {
			return NormKind(i), nil
		}
	}
	return 0, fmt.Errorf("model: unknown norm %q (want layernorm or rmsnorm)", s)
}

// MarshalText implements encoding.TextMarshaler.
func (n NormKind) MarshalText() ([]byte, error) { return []byte(n.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (n *NormKind) UnmarshalText(b []byte) error {
	v, err := ParseNormKind(string(b))
	*n = v
	return err
}

// Config is the architecture of a model. The zero value is not valid; start
// from DefaultConfig. The defaults are nanoGPT's CPU recipe for tiny
// Shakespeare at byte level.
type Config struct {
	// VocabSize is the number of token ids (256 for raw bytes). Default 256.
	VocabSize int `json:"vocab_size"`
	// ContextLen is the longest sequence the model sees (block size). Default 64.
	ContextLen int `json:"context_len"`
	// Layers is the number of transformer blocks. Default 4.
	Layers int `json:"layers"`
	// Heads is the number of attention heads; Width must be a multiple. Default 4.
	Heads int `json:"heads"`
	// Width is the residual stream width (n_embd). Default 128.
	Width int `json:"width"`
	// MLPRatio is the MLP hidden width over Width. Default 4.
	MLPRatio int `json:"mlp_ratio"`
	// Position is the position scheme. Default PosLearned.
	Position PosScheme `json:"position"`
	// Norm is the normalisation layer. Default LayerNorm.
	Norm NormKind `json:"norm"`
	// NormEps is the epsilon inside the normalisation. Default 1e-5.
	NormEps float64 `json:"norm_eps"`
	// RoPEBase is the RoPE frequency base. Default 10000.
	RoPEBase float64 `json:"rope_base"`
	// InitStd is the standard deviation of the weight initialisation; the
	// residual output projections use InitStd/sqrt(2*Layers). Default 0.02.
	InitStd float64 `json:"init_std"`
}

// DefaultConfig returns the documented defaults.
func DefaultConfig() Config {
	return Config{
		VocabSize: 256, ContextLen: 64, Layers: 4, Heads: 4, Width: 128, MLPRatio: 4,
		Position: PosLearned, Norm: LayerNorm, NormEps: 1e-5, RoPEBase: 10000, InitStd: 0.02,
	}
}

// headSize is Width/Heads.
func (c Config) headSize() int { return c.Width / c.Heads }

// hidden is the MLP hidden width.
func (c Config) hidden() int { return c.Width * c.MLPRatio }

// Validate reports the first invalid field.
func (c Config) Validate() error {
	switch {
	case c.VocabSize < 2:
		return fmt.Errorf("model: vocab size %d < 2", c.VocabSize)
	case c.ContextLen < 1:
		return fmt.Errorf("model: context length %d < 1", c.ContextLen)
	case c.Layers < 1:
		return fmt.Errorf("model: layers %d < 1", c.Layers)
	case c.Heads < 1 || c.Width < 1 || c.Width%c.Heads != 0:
		return fmt.Errorf("model: width %d is not a positive multiple of heads %d", c.Width, c.Heads)
	case c.MLPRatio < 1:
		return fmt.Errorf("model: mlp ratio %d < 1", c.MLPRatio)
	case c.Position < PosLearned || c.Position > PosALiBi:
		return fmt.Errorf("model: invalid position scheme %d", int(c.Position))
	case c.Norm < LayerNorm || c.Norm > RMSNorm:
		return fmt.Errorf("model: invalid norm %d", int(c.Norm))
	case c.Position == PosRoPE && c.headSize()%2 != 0:
		return fmt.Errorf("model: RoPE needs an even head size, have %d", c.headSize())
	case !(c.NormEps > 0):
		return errors.New("model: norm epsilon must be positive")
	case c.Position == PosRoPE && !(c.RoPEBase > 1):
		return errors.New("model: RoPE base must be > 1")
	}
	return nil
}

// TrainConfig holds the optimisation settings. Start from DefaultTrainConfig;
// the defaults are nanoGPT's CPU recipe for tiny Shakespeare.
type TrainConfig struct {
	// Steps is the number of optimizer steps. Default 2000.
	Steps int `json:"steps"`
	// BatchSize is the number of sequences per micro-batch. Default 12.
	BatchSize int `json:"batch_size"`
	// GradAccum is the number of micro-batches summed into one step. Default 1.
	GradAccum int `json:"grad_accum"`
	// LR is the peak learning rate. Default 1e-3.
	LR float64 `json:"lr"`
	// MinLR is the learning rate at the end of the cosine decay. Default 1e-4.
	MinLR float64 `json:"min_lr"`
	// WarmupSteps is the linear warm-up length. Default 100.
	WarmupSteps int `json:"warmup_steps"`
	// DecaySteps is where the cosine reaches MinLR; 0 means Steps. Default 0.
	DecaySteps int `json:"decay_steps"`
	// WeightDecay applies to 2-D weights only. Default 0.1.
	WeightDecay float64 `json:"weight_decay"`
	// Beta1 is AdamW's first-moment decay. Default 0.9.
	Beta1 float64 `json:"beta1"`
	// Beta2 is AdamW's second-moment decay. Default 0.99.
	Beta2 float64 `json:"beta2"`
	// AdamEps is AdamW's epsilon. Default 1e-8.
	AdamEps float64 `json:"adam_eps"`
	// GradClip is the global gradient-norm limit; 0 disables. Default 1.0.
	GradClip float64 `json:"grad_clip"`
	// EvalEvery is the evaluation interval in steps; 0 evaluates only at the end. Default 250.
	EvalEvery int `json:"eval_every"`
	// EvalBatches is the number of batches per evaluation. Default 20.
	EvalBatches int `json:"eval_batches"`
	// CheckpointEvery is the checkpoint interval in steps; 0 writes only at the end. Default 500.
	CheckpointEvery int `json:"checkpoint_every"`
	// Seed seeds initialisation and batch sampling. Default 1337.
	Seed uint64 `json:"seed"`
	// Workers bounds the parallel kernels; 0 means GOMAXPROCS. Results do
	// not depend on it. Default 0.
	Workers int `json:"workers"`
}

// DefaultTrainConfig returns the documented defaults.
func DefaultTrainConfig() TrainConfig {
	return TrainConfig{
		Steps: 2000, BatchSize: 12, GradAccum: 1, LR: 1e-3, MinLR: 1e-4, WarmupSteps: 100,
		WeightDecay: 0.1, Beta1: 0.9, Beta2: 0.99, AdamEps: 1e-8, GradClip: 1.0,
		EvalEvery: 250, EvalBatches: 20, CheckpointEvery: 500, Seed: 1337,
	}
}

// Validate reports the first invalid field.
func (t TrainConfig) Validate() error {
	switch {
	case t.Steps < 0:
		return fmt.Errorf("model: steps %d < 0", t.Steps)
	case t.BatchSize < 1:
		return fmt.Errorf("model: batch size %d < 1", t.BatchSize)
	case t.GradAccum < 1:
		return fmt.Errorf("model: grad accum %d < 1", t.GradAccum)
	case !(t.LR > 0) || t.MinLR < 0 || t.MinLR > t.LR:
		return fmt.Errorf("model: need 0 <= min lr (%g) <= lr (%g), lr > 0", t.MinLR, t.LR)
	case t.WarmupSteps < 0 || t.DecaySteps < 0 || t.EvalEvery < 0 || t.CheckpointEvery < 0:
		return errors.New("model: negative step interval")
	case t.Beta1 < 0 || t.Beta1 >= 1 || t.Beta2 < 0 || t.Beta2 >= 1:
		return errors.New("model: betas must be in [0, 1)")
	case t.GradClip < 0 || t.WeightDecay < 0:
		return errors.New("model: negative grad clip or weight decay")
	case t.EvalBatches < 1:
		return fmt.Errorf("model: eval batches %d < 1", t.EvalBatches)
	}
	return nil
}

func (t TrainConfig) workers() int {
	if t.Workers > 0 {
		return t.Workers
	}
	return runtime.GOMAXPROCS(0)
}
