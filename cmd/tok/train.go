package main

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/urfave/cli/v2"
	"golang.org/x/term"

	"github.com/toklabs/tok"
	"github.com/toklabs/tok/model"
	"github.com/toklabs/tok/pipeline"
)

func init() {
	c, tc := model.DefaultConfig(), model.DefaultTrainConfig()
	register(&cli.Command{
		Name:  "train",
		Usage: "train the built-in transformer on a tokenizer's tokens and report loss in nats/token and bits/byte",
		Description: `Trains tok's compact GPT (package model) on the tokens of --data and writes checkpoints to --out.
--data is either a dataset directory made by tok encode --out / tok finalize (Arrow shards with train and
validation splits, read by random access; --tokenizer must then be the tokenizer that made them, checked by
hash; a dataset encoded without a validation split has the last --val-fraction of its train tokens held out)
or a text file, tokenized in memory with --tokenizer ("bytes", the default, or a vocabulary file), whose last
--val-fraction of tokens is the validation split. Flags after --out mirror model.Config and
model.TrainConfig one to one. --resume continues the run in --out exactly where its last checkpoint stopped.

Example: tok train --data ../shared/corpora/en-tinyshakespeare.txt --out runs/shakes`,
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "data", Required: true, Usage: "dataset `DIR` (Arrow shards) or a text file"},
			&cli.StringFlag{Name: "out", Required: true, Usage: "run `DIR` for checkpoints, state and the loss plot"},
			&cli.StringFlag{Name: "tokenizer", Aliases: []string{"t"}, Value: "bytes", Usage: "vocabulary `PATH` (anything tok.Open reads) or \"bytes\""},
			&cli.Float64Flag{Name: "val-fraction", Value: 0.1, Usage: "fraction of the tokens (at the end) held out for validation, for a text file or a dataset without a validation split"},
			&cli.BoolFlag{Name: "resume", Usage: "continue the run in --out from its last checkpoint (config flags are then ignored, except --steps)"},
			&cli.IntFlag{Name: "log-every", Value: 10, Usage: "print a progress line every `N` steps (a terminal gets a bar updated every step)"},

			&cli.IntFlag{Name: "vocab-size", Usage: "vocabulary size; 0 takes the tokenizer's"},
			&cli.IntFlag{Name: "context-len", Value: c.ContextLen, Usage: "context length in tokens"},
			&cli.IntFlag{Name: "layers", Value: c.Layers, Usage: "transformer blocks"},
			&cli.IntFlag{Name: "heads", Value: c.Heads, Usage: "attention heads"},
			&cli.IntFlag{Name: "width", Value: c.Width, Usage: "residual width (n_embd)"},
			&cli.IntFlag{Name: "mlp-ratio", Value: c.MLPRatio, Usage: "MLP hidden width / width"},
			&cli.StringFlag{Name: "position", Value: c.Position.String(), Usage: "position scheme: learned, rope or alibi"},
			&cli.StringFlag{Name: "norm", Value: c.Norm.String(), Usage: "normalisation: layernorm or rmsnorm"},
			&cli.Float64Flag{Name: "norm-eps", Value: c.NormEps, Usage: "normalisation epsilon"},
			&cli.Float64Flag{Name: "rope-base", Value: c.RoPEBase, Usage: "RoPE frequency base"},
			&cli.Float64Flag{Name: "init-std", Value: c.InitStd, Usage: "weight initialisation standard deviation"},
		}, trainConfigFlags(tc)...),
		Action: runTrain,
	})
}

func trainConfigFlags(tc model.TrainConfig) []cli.Flag {
	return []cli.Flag{
		&cli.IntFlag{Name: "steps", Value: tc.Steps, Usage: "optimizer steps"},
		&cli.IntFlag{Name: "batch-size", Value: tc.BatchSize, Usage: "sequences per micro-batch"},
		&cli.IntFlag{Name: "grad-accum", Value: tc.GradAccum, Usage: "micro-batches per step"},
		&cli.Float64Flag{Name: "lr", Value: tc.LR, Usage: "peak learning rate"},
		&cli.Float64Flag{Name: "min-lr", Value: tc.MinLR, Usage: "learning rate at the end of the cosine"},
		&cli.IntFlag{Name: "warmup-steps", Value: tc.WarmupSteps, Usage: "linear warm-up steps"},
		&cli.IntFlag{Name: "decay-steps", Value: tc.DecaySteps, Usage: "step where the cosine reaches min-lr (0: --steps)"},
		&cli.Float64Flag{Name: "weight-decay", Value: tc.WeightDecay, Usage: "AdamW weight decay (2-D weights)"},
		&cli.Float64Flag{Name: "beta1", Value: tc.Beta1, Usage: "AdamW beta1"},
		&cli.Float64Flag{Name: "beta2", Value: tc.Beta2, Usage: "AdamW beta2"},
		&cli.Float64Flag{Name: "adam-eps", Value: tc.AdamEps, Usage: "AdamW epsilon"},
		&cli.Float64Flag{Name: "grad-clip", Value: tc.GradClip, Usage: "global gradient-norm clip (0: off)"},
		&cli.IntFlag{Name: "eval-every", Value: tc.EvalEvery, Usage: "evaluate every `N` steps (0: only at the end)"},
		&cli.IntFlag{Name: "eval-batches", Value: tc.EvalBatches, Usage: "batches per evaluation"},
		&cli.IntFlag{Name: "checkpoint-every", Value: tc.CheckpointEvery, Usage: "checkpoint every `N` steps (0: only at the end)"},
		&cli.Uint64Flag{Name: "seed", Value: tc.Seed, Usage: "seed for initialisation and batches"},
		&cli.IntFlag{Name: "workers", Value: tc.Workers, Usage: "threads (0: all cores); results do not depend on it"},
	}
}

// loadDataset opens a shard dataset directory or tokenizes a text file.
func loadDataset(path, tokSpec string, valFraction float64) (model.Dataset, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return model.Dataset{}, err
	}
	if fi.IsDir() {
		return loadShards(path, tokSpec, valFraction)
	}
	if !(valFraction > 0 && valFraction < 1) {
		return model.Dataset{}, fmt.Errorf("--val-fraction %g must be in (0, 1)", valFraction)
	}
	text, err := os.ReadFile(path)
	if err != nil {
		return model.Dataset{}, err
	}
	tk, id, err := openRunTokenizer(tokSpec)
	if err != nil {
		return model.Dataset{}, err
	}
	ids := tk.AppendEncode(nil, text)
	if len(ids) == 0 {
		return model.Dataset{}, fmt.Errorf("%s: no tokens", path)
	}
	train, val := model.SplitTokens(model.Tokens(ids), valFraction)
	return model.Dataset{Train: train, Val: val, Tokenizer: id,
		BytesPerToken: float64(len(text)) / float64(len(ids))}, nil
}

// loadShards opens a finished pipeline dataset; tokSpec must name the
// tokenizer that encoded it (its hash is checked against the manifest).
func loadShards(dir, tokSpec string, valFraction float64) (model.Dataset, error) {
	ds, err := pipeline.OpenDataset(dir)
	if err != nil {
		return model.Dataset{}, err
	}
	man := ds.Manifest()
	_, id, err := openRunTokenizer(tokSpec)
	if err != nil {
		return model.Dataset{}, err
	}
	if id.SHA256 != man.Tokenizer.SHA256 {
		return model.Dataset{}, fmt.Errorf("%s was encoded by the tokenizer with hash %s, but --tokenizer %s has hash %s: pass the tokenizer that made the shards",
			dir, man.Tokenizer.SHA256, tokSpec, id.SHA256)
	}
	id.VocabSize = max(id.VocabSize, man.Tokenizer.VocabSize)
	train, err := ds.Split(pipeline.SplitTrain)
	if err != nil {
		return model.Dataset{}, err
	}
	d := model.Dataset{Train: &splitSource{s: train}, Tokenizer: id}
	if _, ok := man.Splits[pipeline.SplitValidation]; ok {
		val, err := ds.Split(pipeline.SplitValidation)
		if err != nil {
			return model.Dataset{}, err
		}
		d.Val = &splitSource{s: val}
	} else {
		// Encoded without --val-fraction: hold out the last valFraction of
		// the train split's tokens, as for a text file.
		if !(valFraction > 0 && valFraction < 1) {
			return model.Dataset{}, fmt.Errorf("%s has no validation split and --val-fraction %g is not in (0, 1)", dir, valFraction)
		}
		n := train.NumTokens()
		cut := int64(float64(n) * (1 - valFraction))
		d.Train = &windowSource{src: d.Train, start: 0, n: cut}
		d.Val = &windowSource{src: &splitSource{s: train}, start: cut, n: n - cut}
		fmt.Fprintf(os.Stderr, "tok train: %s has no validation split; holding out its last %d of %d tokens (--val-fraction %g)\n", dir, n-cut, n, valFraction)
	}
	if train.NumTokens() > 0 {
		d.BytesPerToken = float64(train.NumBytes()) / float64(train.NumTokens())
	}
	return d, nil
}

// windowSource is the tokens [start, start+n) of another source.
type windowSource struct {
	src      model.TokenSource
	start, n int64
}

func (w *windowSource) NumTokens() int64 { return w.n }

func (w *windowSource) ReadWindow(dst []uint32, start int64) error {
	if start < 0 || start+int64(len(dst)) > w.n {
		return fmt.Errorf("window [%d, %d) outside %d tokens", start, start+int64(len(dst)), w.n)
	}
	return w.src.ReadWindow(dst, w.start+start)
}

// splitSource adapts a pipeline split to model.TokenSource. Not safe for
// concurrent use (the trainer reads windows one at a time).
type splitSource struct {
	s   *pipeline.Split
	buf []int32
}

func (a *splitSource) NumTokens() int64 { return a.s.NumTokens() }

func (a *splitSource) ReadWindow(dst []uint32, start int64) error {
	var err error
	if a.buf, err = a.s.ReadWindow(start, len(dst), a.buf[:0]); err != nil {
		return err
	}
	for i, v := range a.buf {
		dst[i] = uint32(v)
	}
	return nil
}

// openRunTokenizer opens --tokenizer and returns its identity: the hash is
// pipeline.HashFiles's, so runs and shard datasets agree on it.
func openRunTokenizer(spec string) (tok.Tokenizer, model.TokenizerID, error) {
	tk, err := openTokenizer(spec)
	if err != nil {
		return nil, model.TokenizerID{}, err
	}
	if spec == "bytes" {
		return tk, model.BytesTokenizer, nil
	}
	sum, err := pipeline.HashFiles(spec)
	if err != nil {
		return nil, model.TokenizerID{}, err
	}
	abs, _ := filepath.Abs(spec)
	return tk, model.TokenizerID{Name: filepath.Base(spec), Path: abs, SHA256: sum, VocabSize: tk.VocabSize()}, nil
}

func runTrain(cx *cli.Context) error {
	data, err := loadDataset(cx.String("data"), cx.String("tokenizer"), cx.Float64("val-fraction"))
	if err != nil {
		return err
	}
	out := cx.String("out")
	var tr *model.Trainer
	if cx.Bool("resume") {
		steps := 0
		if cx.IsSet("steps") {
			steps = cx.Int("steps")
		}
		if tr, err = model.Resume(out, data, steps); err != nil {
			return err
		}
		if cx.IsSet("workers") {
			tr.Config.Workers, tr.Model.Workers = cx.Int("workers"), cx.Int("workers")
		}
		fmt.Fprintf(os.Stderr, "resuming %s at step %d of %d\n", out, tr.Step, tr.Config.Steps)
	} else {
		if _, err := os.Stat(filepath.Join(out, "state.json")); err == nil {
			return fmt.Errorf("%s already holds a run; pass --resume to continue it or choose another --out", out)
		}
		c, err := configFromFlags(cx, data.Tokenizer.VocabSize)
		if err != nil {
			return err
		}
		tc := trainConfigFromFlags(cx)
		m, err := model.New(c, tc.Seed)
		if err != nil {
			return err
		}
		if tr, err = model.NewTrainer(m, tc, data); err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "model: %d parameters, %d layers, %d heads, width %d, context %d, vocab %d (%s), %s positions, %s\n",
			len(m.Params), c.Layers, c.Heads, c.Width, c.ContextLen, c.VocabSize, data.Tokenizer.Name, c.Position, c.Norm)
		fmt.Fprintf(os.Stderr, "data: %d train tokens, %d validation tokens, %.3f bytes/token\n",
			data.Train.NumTokens(), data.Val.NumTokens(), data.BytesPerToken)
	}
	logEvery := max(1, cx.Int("log-every"))
	tty := term.IsTerminal(int(os.Stderr.Fd()))
	tr.Progress = func(p model.Progress) {
		line := fmt.Sprintf("step %d/%d  loss %.4f  lr %.2e  gnorm %.2f  %.0f tok/s  %.1f GFLOP/s  elapsed %s  eta %s",
			p.Step, p.Steps, p.Loss, p.LR, p.GradNorm, p.TokensPerSec, p.GFLOPS,
			p.Elapsed.Round(time.Second), p.ETA.Round(time.Second))
		switch {
		case tty: // one status line with a bar, rewritten every step
			const width = 20
			done := width * p.Step / max(1, p.Steps)
			fmt.Fprintf(os.Stderr, "\r[%s%s] %s\x1b[K", strings.Repeat("#", done), strings.Repeat(".", width-done), line)
			if p.Step == p.Steps || !math.IsNaN(p.ValLoss) {
				fmt.Fprintln(os.Stderr)
			}
		case p.Step%logEvery == 0 || p.Step == p.Steps || !math.IsNaN(p.ValLoss):
			fmt.Fprintln(os.Stderr, line)
		}
		if !math.IsNaN(p.ValLoss) {
			fmt.Fprintf(os.Stderr, "step %d/%d  val loss %.4f nats/token  %.4f bits/byte\n", p.Step, p.Steps, p.ValLoss, p.ValBPB)
		}
	}
	start := time.Now()
	val, err := tr.Run(func(t *model.Trainer) error { return t.Save(out) })
	if err != nil {
		var nf *model.NonFiniteError
		if errors.As(err, &nf) {
			return fmt.Errorf("%w (the last checkpoint in %s is intact)", err, out)
		}
		return err
	}
	plot := filepath.Join(out, "loss.svg")
	if err := model.WriteLossSVG(plot, tr.History, fmt.Sprintf("%s on %s", out, filepath.Base(cx.String("data")))); err != nil {
		return err
	}
	fmt.Printf("steps %d  val loss %.4f nats/token  %.4f bits/byte  wall %.1fs  checkpoint %s  plot %s\n",
		tr.Step, val, data.BitsPerByte(val), time.Since(start).Seconds(), out, plot)
	return nil
}

func configFromFlags(cx *cli.Context, tokVocab int) (model.Config, error) {
	c := model.DefaultConfig()
	c.VocabSize = tokVocab
	if v := cx.Int("vocab-size"); v > 0 {
		if v < tokVocab {
			return c, fmt.Errorf("--vocab-size %d is smaller than the tokenizer's %d", v, tokVocab)
		}
		c.VocabSize = v
	}
	c.ContextLen, c.Layers, c.Heads, c.Width, c.MLPRatio = cx.Int("context-len"), cx.Int("layers"), cx.Int("heads"), cx.Int("width"), cx.Int("mlp-ratio")
	var err error
	if c.Position, err = model.ParsePosScheme(cx.String("position")); err != nil {
		return c, err
	}
	if c.Norm, err = model.ParseNormKind(cx.String("norm")); err != nil {
		return c, err
	}
	c.NormEps, c.RoPEBase, c.InitStd = cx.Float64("norm-eps"), cx.Float64("rope-base"), cx.Float64("init-std")
	return c, c.Validate()
}

func trainConfigFromFlags(cx *cli.Context) model.TrainConfig {
	return model.TrainConfig{
		Steps: cx.Int("steps"), BatchSize: cx.Int("batch-size"), GradAccum: cx.Int("grad-accum"),
		LR: cx.Float64("lr"), MinLR: cx.Float64("min-lr"), WarmupSteps: cx.Int("warmup-steps"),
		DecaySteps: cx.Int("decay-steps"), WeightDecay: cx.Float64("weight-decay"),
		Beta1: cx.Float64("beta1"), Beta2: cx.Float64("beta2"), AdamEps: cx.Float64("adam-eps"),
		GradClip: cx.Float64("grad-clip"), EvalEvery: cx.Int("eval-every"), EvalBatches: cx.Int("eval-batches"),
		CheckpointEvery: cx.Int("checkpoint-every"), Seed: cx.Uint64("seed"), Workers: cx.Int("workers"),
	}
}
