package lmeval

import (
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"time"
	"unicode/utf8"

	"github.com/toklabs/tok"
	"github.com/toklabs/tok/corpora"
	"github.com/toklabs/tok/metrics"
	"github.com/toklabs/tok/model"
	"github.com/toklabs/tok/pipeline"
)

// Match chooses what is held equal across tokenizers during training.
type Match int

const (
	// MatchBytes gives every tokenizer the same number of training bytes.
	MatchBytes Match = iota
	// MatchFLOPs gives every tokenizer the same training FLOPs: those the
	// first tokenizer spends on the byte budget.
	MatchFLOPs
)

var matchNames = []string{"bytes", "flops"}

// String returns the flag spelling of m.
func (m Match) String() string {
	if m >= 0 && int(m) < len(matchNames) {
		return matchNames[m]
	}
	return fmt.Sprintf("Match(%d)", int(m))
}

// ParseMatch parses "bytes" or "flops".
func ParseMatch(s string) (Match, error) {
	for i, n := range matchNames {
		if s == n {
			return Match(i), nil
		}
	}
	return 0, fmt.Errorf("lmeval: unknown match %q (want bytes or flops)", s)
}

// Config is one comparison. Start from DefaultConfig.
type Config struct {
	// Tokenizers to compare (see Spec). Default: bpe, wordpiece and unigram
	// at 2000 tokens and the bytes baseline.
	Tokenizers []Spec
	// MaxCorpusBytes bounds the text read from the corpus; documents past
	// it are not read. Default 8 MB.
	MaxCorpusBytes int64
	// ValFraction of the documents, chosen by a hash of their text, is
	// held out for evaluation. Default 0.1.
	ValFraction float64
	// Seeds is the number of training runs per tokenizer (seeds 1..Seeds).
	// Default 3.
	Seeds int
	// Model is the architecture shared by all runs; VocabSize is set per
	// tokenizer, and ContextLen too when ContextBytes is set. Default: 2
	// layers, 4 heads, width 64, context 64 tokens.
	Model model.Config
	// Train holds the optimiser settings; Steps is derived from TrainBytes.
	Train model.TrainConfig
	// TrainBytes is the training text each model consumes (in bytes of the
	// original text, through the tokenizer's bytes per token). Default 1 MB.
	TrainBytes int64
	// Match holds bytes (default) or FLOPs equal across tokenizers.
	Match Match
	// ContextBytes, when positive, sets each model's context to this many
	// bytes of text: ContextLen = round(ContextBytes / bytes per token).
	// Default 0: the same ContextLen in tokens for all.
	ContextBytes int
	// EvalPoints is the number of validation evaluations along training,
	// for the curve. Default 8.
	EvalPoints int
	// Workers bounds parallelism in training vocabularies and models (0:
	// GOMAXPROCS). Results do not depend on it.
	Workers int
	// WorkDir holds trained vocabularies. Required.
	WorkDir string
	// Log receives progress lines; nil discards them.
	Log io.Writer
}

// DefaultConfig returns the defaults documented on Config, sized so that
// the default comparison on the built-in corpus runs in minutes on 2 cores.
func DefaultConfig() Config {
	mc := model.DefaultConfig()
	mc.Layers, mc.Heads, mc.Width, mc.ContextLen = 2, 4, 64, 64
	tc := model.DefaultTrainConfig()
	tc.BatchSize = 8
	tc.WarmupSteps = 20
	tc.EvalBatches = 8
	tc.CheckpointEvery = 0
	return Config{
		Tokenizers:     []Spec{"bpe:2000", "wordpiece:2000", "unigram:2000", "bytes"},
		MaxCorpusBytes: 8 << 20,
		ValFraction:    0.1,
		Seeds:          3,
		Model:          mc,
		Train:          tc,
		TrainBytes:     1 << 20,
		EvalPoints:     8,
	}
}

// docSet is the documents of one split, held in memory (bounded by
// MaxCorpusBytes): each document with a "\n" appended, which is part of
// the scored text.
type docSet struct {
	texts [][]byte
	bytes int64
	chars int64
	words int64
}

func (d *docSet) add(text []byte) {
	t := append(append([]byte(nil), text...), '\n')
	d.texts = append(d.texts, t)
	d.bytes += int64(len(t))
	d.chars += int64(utf8.RuneCount(t))
	d.words += metrics.Words(t)
}

// reader returns a corpora.Reader over the documents.
func (d *docSet) reader(name string) corpora.Reader { return &sliceReader{name: name, docs: d.texts} }

type sliceReader struct {
	name string
	docs [][]byte
	i    int
}

func (r *sliceReader) Read() (corpora.Document, error) {
	if r.i >= len(r.docs) {
		return corpora.Document{}, io.EOF
	}
	d := corpora.Document{Source: r.name, Index: int64(r.i), Text: r.docs[r.i]}
	r.i++
	return d, nil
}

// Compare reads the corpus, builds every tokenizer, trains and scores the
// models, and returns the report. corpus is read up to MaxCorpusBytes.
func Compare(cfg Config, corpus corpora.Reader, corpusName string) (*Report, error) {
	if cfg.WorkDir == "" {
		return nil, errors.New("lmeval: Config.WorkDir is required")
	}
	if cfg.Seeds < 1 || cfg.EvalPoints < 1 || cfg.TrainBytes <= 0 || cfg.ValFraction <= 0 || cfg.ValFraction >= 1 {
		return nil, fmt.Errorf("lmeval: invalid config: seeds %d, eval points %d, train bytes %d, val fraction %g",
			cfg.Seeds, cfg.EvalPoints, cfg.TrainBytes, cfg.ValFraction)
	}
	for _, s := range cfg.Tokenizers {
		if err := ValidateSpec(s); err != nil {
			return nil, err
		}
	}
	logf := func(format string, args ...any) {
		if cfg.Log != nil {
			fmt.Fprintf(cfg.Log, "lm-eval: "+format+"\n", args...)
		}
	}
	var train, val docSet
	var read int64
	for read < cfg.MaxCorpusBytes {
		doc, err := corpus.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		if len(doc.Text) == 0 {
			continue
		}
		read += int64(len(doc.Text))
		if pipeline.SplitOf(doc.Text, cfg.ValFraction) == 1 {
			val.add(doc.Text)
		} else {
			train.add(doc.Text)
		}
	}
	if len(train.texts) == 0 || len(val.texts) == 0 {
		return nil, fmt.Errorf("lmeval: corpus %s gave %d training and %d held-out documents; need both", corpusName, len(train.texts), len(val.texts))
	}
	logf("corpus %s: %d training documents (%.2f MB), %d held-out (%.2f MB)", corpusName,
		len(train.texts), float64(train.bytes)/1e6, len(val.texts), float64(val.bytes)/1e6)

	rep := &Report{Corpus: corpusName, HeldOutBytes: val.bytes, TrainBytes: cfg.TrainBytes, Config: map[string]any{
		"model": cfg.Model, "train": cfg.Train, "seeds": cfg.Seeds, "match": cfg.Match.String(),
		"context_bytes": cfg.ContextBytes, "val_fraction": cfg.ValFraction, "max_corpus_bytes": cfg.MaxCorpusBytes,
		"eval_points": cfg.EvalPoints,
	}}
	var flopBudget float64
	for i, spec := range cfg.Tokenizers {
		dir := filepath.Join(cfg.WorkDir, fmt.Sprintf("%02d-%s", i, spec.Name()))
		tk, err := build(spec, func() corpora.Reader { return train.reader("train") }, dir, cfg.Workers, logf)
		if err != nil {
			return nil, fmt.Errorf("lmeval: %s: %w", spec, err)
		}
		res, budget, err := evaluate(cfg, spec, tk, &train, &val, flopBudget, logf)
		if err != nil {
			return nil, fmt.Errorf("lmeval: %s: %w", spec, err)
		}
		if i == 0 {
			flopBudget = budget
		}
		rep.Tokenizers = append(rep.Tokenizers, res)
	}
	return rep, nil
}

// encodeAll concatenates the ids of every document.
func encodeAll(tk tok.Tokenizer, d *docSet) model.Tokens {
	var ids []uint32
	for _, t := range d.texts {
		ids = tk.AppendEncode(ids, t)
	}
	return model.Tokens(ids)
}

// evaluate trains cfg.Seeds models with tk and scores them. It returns the
// FLOPs one run spent, for FLOP matching.
func evaluate(cfg Config, spec Spec, tk tok.Tokenizer, train, val *docSet, flopBudget float64, logf func(string, ...any)) (TokenizerResult, float64, error) {
	res := TokenizerResult{Name: spec.Name(), Spec: string(spec), VocabSize: tk.VocabSize()}
	trainIDs := encodeAll(tk, train)
	in := metrics.NewIntrinsic(tk)
	in.AddTraining(trainIDs)
	var valIDs model.Tokens
	for _, t := range val.texts {
		n := len(valIDs)
		valIDs = tk.AppendEncode(valIDs, t)
		in.AddEncoded(t, valIDs[n:])
	}
	res.Intrinsic = in.Report()
	if len(trainIDs) < 2 || len(valIDs) < 2 {
		return res, 0, fmt.Errorf("too few tokens (%d training, %d held-out)", len(trainIDs), len(valIDs))
	}
	bpt := float64(train.bytes) / float64(len(trainIDs))

	mc := cfg.Model
	mc.VocabSize = tk.VocabSize()
	if cfg.ContextBytes > 0 {
		mc.ContextLen = max(8, int(math.Round(float64(cfg.ContextBytes)/bpt)))
	}
	if err := mc.Validate(); err != nil {
		return res, 0, err
	}
	tc := cfg.Train
	tokensPerStep := float64(tc.BatchSize * mc.ContextLen * max(1, tc.GradAccum))
	steps := int(math.Round(float64(cfg.TrainBytes) / (tokensPerStep * bpt)))
	flopsPerStep := model.FlopsPerToken(mc, mc.ContextLen) * tokensPerStep
	if cfg.Match == MatchFLOPs && flopBudget > 0 {
		steps = int(math.Round(flopBudget / flopsPerStep))
	}
	steps = max(steps, 1)
	tc.Steps = steps
	tc.WarmupSteps = min(tc.WarmupSteps, steps/10)
	tc.EvalEvery = max(1, steps/cfg.EvalPoints)
	tc.CheckpointEvery = 0
	if cfg.Workers > 0 {
		tc.Workers = cfg.Workers
	}
	params := model.NumParams(mc)
	logf("%s: vocab %d, %.3f bytes/token, context %d tokens, %d steps of %d tokens, %d parameters",
		spec.Name(), mc.VocabSize, bpt, mc.ContextLen, steps, int(tokensPerStep), params)

	valBPT := float64(val.bytes) / float64(len(valIDs))
	for seed := 1; seed <= cfg.Seeds; seed++ {
		start := time.Now()
		tc.Seed = uint64(seed)
		m, err := model.New(mc, uint64(seed))
		if err != nil {
			return res, 0, err
		}
		m.Workers = cfg.Workers
		data := model.Dataset{Train: trainIDs, Val: valIDs, BytesPerToken: valBPT}
		tr, err := model.NewTrainer(m, tc, data)
		if err != nil {
			return res, 0, err
		}
		if _, err := tr.Run(nil); err != nil {
			return res, 0, err
		}
		run := Run{Seed: int64(seed), Steps: steps, Params: int64(params),
			TrainTokens: int64(float64(steps) * tokensPerStep), Bytes: val.bytes, Chars: val.chars, Words: val.words}
		run.TrainBytes = int64(float64(run.TrainTokens) * bpt)
		run.EmbeddingShare = float64(mc.VocabSize*mc.Width) / float64(params)
		for _, h := range tr.History {
			if h.ValLoss != nil {
				run.Curve = append(run.Curve, CurvePoint{Step: h.Step,
					TrainBytes: int64(float64(h.Step) * tokensPerStep * bpt), ValBPB: data.BitsPerByte(*h.ValLoss)})
			}
		}
		nll, scored, err := heldOutNLL(m, valIDs, tc.BatchSize)
		if err != nil {
			return res, 0, err
		}
		run.NLL, run.Tokens = nll, scored
		run.Seconds = time.Since(start).Seconds()
		logf("%s seed %d: held-out BPB %.4f (%.1fs)", spec.Name(), seed, run.BPB(), run.Seconds)
		res.Runs = append(res.Runs, run)
	}
	return res, flopsPerStep * float64(steps), nil
}

// heldOutNLL scores every held-out token after the first with the model,
// over non-overlapping windows of the model's context: it returns the
// summed negative log-likelihood in nats and the number of tokens scored.
func heldOutNLL(m *model.Model, ids []uint32, batch int) (float64, int64, error) {
	T := m.Config.ContextLen
	n := len(ids) - 1 // predicted positions
	var nll float64
	var scored int64
	inputs := make([]uint32, 0, batch*T)
	targets := make([]uint32, 0, batch*T)
	full := n / T
	for w := 0; w < full; w += batch {
		b := min(batch, full-w)
		inputs, targets = inputs[:0], targets[:0]
		for k := 0; k < b; k++ {
			s := (w + k) * T
			inputs = append(inputs, ids[s:s+T]...)
			targets = append(targets, ids[s+1:s+T+1]...)
		}
		loss, err := m.Forward(inputs, targets, b, T)
		if err != nil {
			return 0, 0, err
		}
		nll += loss * float64(b*T)
		scored += int64(b * T)
	}
	if rest := n - full*T; rest > 0 {
		s := full * T
		loss, err := m.Forward(ids[s:s+rest], ids[s+1:s+rest+1], 1, rest)
		if err != nil {
			return 0, 0, err
		}
		nll += loss * float64(rest)
		scored += int64(rest)
	}
	return nll, scored, nil
}
