package lmeval

import (
	"math"
	"sort"

	"github.com/toklabs/tok/metrics"
)

// CurvePoint is one evaluation during training: the validation bits per
// byte after the model has consumed TrainBytes bytes of training text.
type CurvePoint struct {
	Step       int     `json:"step"`
	TrainBytes int64   `json:"train_bytes"`
	ValBPB     float64 `json:"val_bpb"`
}

// Run is one training run of the model with one tokenizer and one seed,
// and its score on the held-out text.
type Run struct {
	Seed  int64        `json:"seed"`
	Curve []CurvePoint `json:"curve"`

	// NLL is Σ −ln p(token) over every token of the held-out text, in nats.
	NLL    float64 `json:"nll_nats"`
	Tokens int64   `json:"tokens"` // held-out tokens scored
	Bytes  int64   `json:"bytes"`  // UTF-8 bytes of the original held-out text
	Chars  int64   `json:"chars"`  // code points of the original held-out text
	Words  int64   `json:"words"`  // whitespace-separated words of the held-out text

	Steps          int     `json:"steps"`
	TrainTokens    int64   `json:"train_tokens"`
	TrainBytes     int64   `json:"train_bytes"`
	Params         int64   `json:"params"`
	EmbeddingShare float64 `json:"embedding_share"` // fraction of parameters in the (tied) embedding
	Seconds        float64 `json:"seconds"`
}

// BPB is bits per byte of the held-out text: NLL / (ln 2 · bytes).
func (r Run) BPB() float64 { return metrics.BitsPerByte(r.NLL, r.Bytes) }

// BPC is bits per character (code point) of the held-out text.
func (r Run) BPC() float64 { return metrics.BitsPerChar(r.NLL, r.Chars) }

// WordPPL is the word-level perplexity exp(NLL / words).
func (r Run) WordPPL() float64 { return metrics.Perplexity(r.NLL, r.Words) }

// TokenPPL is the per-token perplexity exp(NLL / tokens). It is not
// comparable across vocabularies.
func (r Run) TokenPPL() float64 { return metrics.Perplexity(r.NLL, r.Tokens) }

// TokenizerResult gathers the runs of one tokenizer.
type TokenizerResult struct {
	Name      string                  `json:"name"`
	Spec      string                  `json:"spec"` // file path or trained spec such as bpe:8000
	VocabSize int                     `json:"vocab_size"`
	Intrinsic metrics.IntrinsicReport `json:"intrinsic"`
	Runs      []Run                   `json:"runs"`
}

// Lossy reports whether the tokenizer failed to round-trip some held-out
// text (unknown tokens, lowercasing, normalization): its BPB is then
// optimistic, since it scores an equivalence class of strings.
func (t TokenizerResult) Lossy() bool { return t.Intrinsic.LossyBytes > 0 }

// Summary is the mean and the sample standard deviation over runs.
type Summary struct {
	Mean, Std float64
	N         int
}

func summarize(xs []float64) Summary {
	s := Summary{N: len(xs)}
	if len(xs) == 0 {
		return Summary{Mean: math.NaN(), Std: math.NaN()}
	}
	for _, x := range xs {
		s.Mean += x
	}
	s.Mean /= float64(len(xs))
	if len(xs) > 1 {
		var v float64
		for _, x := range xs {
			v += (x - s.Mean) * (x - s.Mean)
		}
		s.Std = math.Sqrt(v / float64(len(xs)-1))
	}
	return s
}

// Of summarises one measure of every run.
func (t TokenizerResult) Of(measure func(Run) float64) Summary {
	xs := make([]float64, len(t.Runs))
	for i, r := range t.Runs {
		xs[i] = measure(r)
	}
	return summarize(xs)
}

// Report is the whole comparison.
type Report struct {
	Corpus       string            `json:"corpus"`
	Command      string            `json:"command"`
	Config       map[string]any    `json:"config"`
	HeldOutBytes int64             `json:"held_out_bytes"`
	TrainBytes   int64             `json:"train_bytes"`
	Tokenizers   []TokenizerResult `json:"tokenizers"`
}

// Ranked returns the tokenizers ordered by mean BPB, best first.
func (r *Report) Ranked() []TokenizerResult {
	out := append([]TokenizerResult(nil), r.Tokenizers...)
	sort.SliceStable(out, func(i, j int) bool {
		return out[i].Of(Run.BPB).Mean < out[j].Of(Run.BPB).Mean
	})
	return out
}
