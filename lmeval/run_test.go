package lmeval

import (
	"math"
	"testing"

	"github.com/toklabs/tok/corpora"
	"github.com/toklabs/tok/model"
	"github.com/toklabs/tok/pipeline"
	"github.com/toklabs/tok/rawbytes"
)

func tinyConfig(t *testing.T) Config {
	cfg := DefaultConfig()
	cfg.Tokenizers = []Spec{"bytes", "bpe:300"}
	cfg.MaxCorpusBytes = 120 << 10
	cfg.Seeds = 2
	cfg.Model.Layers, cfg.Model.Heads, cfg.Model.Width, cfg.Model.ContextLen = 1, 2, 16, 16
	cfg.Train.BatchSize = 4
	cfg.TrainBytes = 16 << 10
	cfg.EvalPoints = 2
	cfg.WorkDir = t.TempDir()
	return cfg
}

func defaultCorpus(t *testing.T) corpora.Reader {
	c, err := corpora.Default()
	if err != nil {
		t.Fatalf("built-in corpus: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestCompareDeterministicAndAccounted(t *testing.T) {
	cfg := tinyConfig(t)
	a, err := Compare(cfg, defaultCorpus(t), "default")
	if err != nil {
		t.Fatal(err)
	}
	cfg.WorkDir = t.TempDir()
	cfg.Workers = 1
	b, err := Compare(cfg, defaultCorpus(t), "default")
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Tokenizers) != 2 || len(b.Tokenizers) != 2 {
		t.Fatalf("got %d and %d tokenizers", len(a.Tokenizers), len(b.Tokenizers))
	}
	for i := range a.Tokenizers {
		ta, tb := a.Tokenizers[i], b.Tokenizers[i]
		for s := range ta.Runs {
			if ta.Runs[s].NLL != tb.Runs[s].NLL {
				t.Errorf("%s seed %d: NLL %v with all workers, %v with one", ta.Name, s+1, ta.Runs[s].NLL, tb.Runs[s].NLL)
			}
		}
		if ta.Runs[0].NLL == ta.Runs[1].NLL {
			t.Errorf("%s: two seeds gave the same NLL %v", ta.Name, ta.Runs[0].NLL)
		}
	}

	// The held-out bytes are those of the documents the split assigns to
	// validation, each with its "\n"; recount them independently.
	r := defaultCorpus(t)
	var want, read int64
	for read < cfg.MaxCorpusBytes {
		d, err := r.Read()
		if err != nil {
			break
		}
		if len(d.Text) == 0 {
			continue
		}
		read += int64(len(d.Text))
		if pipeline.SplitOf(d.Text, cfg.ValFraction) == 1 {
			want += int64(len(d.Text)) + 1
		}
	}
	if a.HeldOutBytes != want {
		t.Errorf("held-out bytes %d, recounted %d", a.HeldOutBytes, want)
	}
	bytesRun := a.Tokenizers[0].Runs[0]
	if bytesRun.Tokens != want-1 {
		t.Errorf("bytes tokenizer scored %d tokens of %d held-out bytes; want bytes-1", bytesRun.Tokens, want)
	}
	// BPB from the saved NLL and byte count, by hand.
	if got, hand := bytesRun.BPB(), bytesRun.NLL/(math.Ln2*float64(want)); got != hand {
		t.Errorf("BPB %v, recomputed %v", got, hand)
	}
	// A learned vocabulary compresses the text; the byte baseline does not.
	if bp := a.Tokenizers[1].Intrinsic.BytesPerToken; bp <= 1.2 {
		t.Errorf("bpe:300 bytes/token = %v, want > 1.2", bp)
	}
	if len(bytesRun.Curve) == 0 {
		t.Error("no validation curve")
	}
}

func TestHeldOutNLLIndependentOfBatching(t *testing.T) {
	mc := model.DefaultConfig()
	mc.Layers, mc.Heads, mc.Width, mc.ContextLen = 1, 2, 16, 8
	m, err := model.New(mc, 7)
	if err != nil {
		t.Fatal(err)
	}
	ids := rawbytes.Tokenizer{}.AppendEncode(nil, []byte("The quick brown fox jumps over the lazy dog; 0123456789."))
	n1, s1, err := heldOutNLL(m, ids, 1)
	if err != nil {
		t.Fatal(err)
	}
	n4, s4, err := heldOutNLL(m, ids, 4)
	if err != nil {
		t.Fatal(err)
	}
	if s1 != int64(len(ids)-1) || s4 != s1 {
		t.Errorf("scored %d and %d tokens of %d", s1, s4, len(ids))
	}
	if math.Abs(n1-n4) > 1e-4*math.Abs(n1) {
		t.Errorf("NLL %v with batch 1, %v with batch 4", n1, n4)
	}
	// An untrained model is close to uniform: about ln(256) nats per token.
	if per := n1 / float64(s1); math.Abs(per-math.Log(256)) > 0.5 {
		t.Errorf("untrained loss %v nats/token, want about %v", per, math.Log(256))
	}
}
