package lmeval

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/toklabs/tok/metrics"
)

func sampleReport() *Report {
	run := func(seed int64, nll float64) Run {
		return Run{Seed: seed, NLL: nll, Tokens: 500, Bytes: 1000, Chars: 900, Words: 200,
			Curve: []CurvePoint{{Step: 10, TrainBytes: 1e6, ValBPB: 3}, {Step: 20, TrainBytes: 2e6, ValBPB: nll / (math.Ln2 * 1000)}}}
	}
	return &Report{
		Corpus: "test", HeldOutBytes: 1000, TrainBytes: 2e6,
		Tokenizers: []TokenizerResult{
			{Name: "bytes", VocabSize: 256, Runs: []Run{run(1, 1000*math.Ln2*2.0), run(2, 1000*math.Ln2*2.2)}},
			{Name: "bpe", VocabSize: 512, Runs: []Run{run(1, 1000*math.Ln2*1.5), run(2, 1000*math.Ln2*1.7)},
				Intrinsic: metrics.IntrinsicReport{LossyBytes: 0, BytesPerToken: 2}},
			{Name: "wp", VocabSize: 512, Runs: []Run{run(1, 1000*math.Ln2*1.4)},
				Intrinsic: metrics.IntrinsicReport{LossyBytes: 12, Bytes: 1000, LossyDocuments: 1}},
		},
	}
}

func TestRunMeasures(t *testing.T) {
	// Hand-checked: NLL = 1000·ln2·2 nats over 1000 bytes → 2 bits per byte;
	// over 900 chars → 2·1000/900 bits per char; word PPL = exp(NLL/200).
	r := Run{NLL: 1000 * math.Ln2 * 2, Bytes: 1000, Chars: 900, Words: 200, Tokens: 500}
	if got := r.BPB(); math.Abs(got-2) > 1e-12 {
		t.Errorf("BPB = %v, want 2", got)
	}
	if got := r.BPC(); math.Abs(got-2000.0/900) > 1e-12 {
		t.Errorf("BPC = %v", got)
	}
	if got, want := r.WordPPL(), math.Exp(1000*math.Ln2*2/200); math.Abs(got-want) > 1e-9*want {
		t.Errorf("WordPPL = %v, want %v", got, want)
	}
	if got, want := r.TokenPPL(), 16.0; math.Abs(got-want) > 1e-9 { // exp(2000 ln2 / 500) = 2^4
		t.Errorf("TokenPPL = %v, want %v", got, want)
	}
}

func TestSummaryAndRanking(t *testing.T) {
	rep := sampleReport()
	s := rep.Tokenizers[0].Of(Run.BPB)
	if math.Abs(s.Mean-2.1) > 1e-12 || math.Abs(s.Std-math.Sqrt(0.02)) > 1e-12 || s.N != 2 {
		t.Errorf("summary = %+v, want mean 2.1 std %v", s, math.Sqrt(0.02))
	}
	var order []string
	for _, tr := range rep.Ranked() {
		order = append(order, tr.Name)
	}
	if strings.Join(order, ",") != "wp,bpe,bytes" {
		t.Errorf("ranking %v", order)
	}
}

func TestWriteAll(t *testing.T) {
	dir := t.TempDir()
	rep := sampleReport()
	if err := rep.WriteAll(dir); err != nil {
		t.Fatal(err)
	}
	md, _ := os.ReadFile(filepath.Join(dir, "report.md"))
	for _, want := range []string{"| wp † | 512 | 1 | 1.4000 |", "| bpe | 512 | 2 | 1.6000 |", "wp (12 of 1000 bytes in 1 documents)"} {
		if !bytes.Contains(md, []byte(want)) {
			t.Errorf("report.md lacks %q:\n%s", want, md)
		}
	}
	var back Report
	js, _ := os.ReadFile(filepath.Join(dir, "results.json"))
	if err := json.Unmarshal(js, &back); err != nil || len(back.Tokenizers) != 3 || back.Tokenizers[1].Runs[1].NLL != rep.Tokenizers[1].Runs[1].NLL {
		t.Errorf("results.json does not round-trip: %v", err)
	}
	f, _ := os.Open(filepath.Join(dir, "results.csv"))
	rows, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil || len(rows) != 1+5 {
		t.Fatalf("results.csv: %d rows, %v", len(rows), err)
	}
	for _, name := range []string{"bpb_curve.png", "bpb_curve.svg", "bpb_final.png", "bpb_final.svg"} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil || fi.Size() < 1000 {
			t.Errorf("chart %s missing or tiny: %v", name, err)
		}
	}
}
