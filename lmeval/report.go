package lmeval

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"github.com/toklabs/tok/internal/atomicfile"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
)

// WriteTable writes the comparison as an aligned text table, best BPB first.
func (r *Report) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "tokenizer\tvocab\tBPB\t±\tBPC\tword PPL\tbytes/tok\tfertility\tRényi eff.\tutil.\tlossy bytes\t")
	for _, t := range r.Ranked() {
		bpb := t.Of(Run.BPB)
		fmt.Fprintf(tw, "%s\t%d\t%.4f\t%.4f\t%.4f\t%.1f\t%.3f\t%.3f\t%.3f\t%.3f\t%d\t\n",
			t.Name, t.VocabSize, bpb.Mean, bpb.Std, t.Of(Run.BPC).Mean, t.Of(Run.WordPPL).Mean,
			t.Intrinsic.BytesPerToken, t.Intrinsic.Fertility, t.Intrinsic.RenyiEfficiency,
			t.Intrinsic.VocabUtilisation, t.Intrinsic.LossyBytes)
	}
	return tw.Flush()
}

// WriteMarkdown writes report.md: the setup, the ranked table, the
// intrinsic measures, and notes on lossy tokenizers and per-token
// perplexity.
func (r *Report) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	b.WriteString("# Tokenizer comparison\n\n")
	fmt.Fprintf(&b, "Corpus: `%s`. Held-out text: %d bytes. Training text per run: %d bytes.\n\n", r.Corpus, r.HeldOutBytes, r.TrainBytes)
	if r.Command != "" {
		fmt.Fprintf(&b, "Command: `%s`\n\n", r.Command)
	}
	b.WriteString("## Bits per byte on held-out text (lower is better)\n\n")
	b.WriteString("BPB = Σ −ln p(token) / (ln 2 × UTF-8 bytes of the original text); mean ± sample standard deviation over seeds.\n\n")
	b.WriteString("| tokenizer | vocab | runs | BPB | ± | BPC | word PPL | token PPL* | params | embedding share |\n")
	b.WriteString("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n")
	for _, t := range r.Ranked() {
		bpb := t.Of(Run.BPB)
		name := t.Name
		if t.Lossy() {
			name += " †"
		}
		var params int64
		var emb float64
		if len(t.Runs) > 0 {
			params, emb = t.Runs[0].Params, t.Runs[0].EmbeddingShare
		}
		fmt.Fprintf(&b, "| %s | %d | %d | %.4f | %.4f | %.4f | %.2f | %.2f | %d | %.1f%% |\n",
			name, t.VocabSize, bpb.N, bpb.Mean, bpb.Std, t.Of(Run.BPC).Mean, t.Of(Run.WordPPL).Mean,
			t.Of(Run.TokenPPL).Mean, params, 100*emb)
	}
	b.WriteString("\n\\* Per-token perplexity is not comparable across vocabularies: a tokenizer that makes more, easier tokens lowers it without predicting the text any better.\n")
	b.WriteString("\n## Intrinsic measures on the held-out text\n\n")
	b.WriteString("| tokenizer | tokens | bytes/token | fertility | continued words | Rényi eff. (α=2.5) | vocab used | unseen in training | lossy bytes |\n")
	b.WriteString("|---|--:|--:|--:|--:|--:|--:|--:|--:|\n")
	for _, t := range r.Ranked() {
		in := t.Intrinsic
		fmt.Fprintf(&b, "| %s | %d | %.3f | %.3f | %.1f%% | %.3f | %.1f%% | %s | %d |\n",
			t.Name, in.Tokens, in.BytesPerToken, in.Fertility, 100*in.ContinuedWords, in.RenyiEfficiency,
			100*in.VocabUtilisation, unseen(in.UnseenTypes, in.UnseenTokens), in.LossyBytes)
	}
	var lossy []string
	for _, t := range r.Tokenizers {
		if t.Lossy() {
			lossy = append(lossy, fmt.Sprintf("%s (%d of %d bytes in %d documents)", t.Name, t.Intrinsic.LossyBytes, t.Intrinsic.Bytes, t.Intrinsic.LossyDocuments))
		}
	}
	if len(lossy) > 0 {
		b.WriteString("\n† Lossy: decoding does not give the held-out text back (unknown tokens, lowercasing or normalization), so the model scores a class of strings and its BPB is optimistic: " + strings.Join(lossy, "; ") + ".\n")
	}
	b.WriteString("\n## Charts\n\n![validation BPB against training bytes](bpb_curve.svg)\n\n![final BPB](bpb_final.svg)\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func unseen(types int, toks int64) string {
	if types < 0 {
		return "n/a"
	}
	return fmt.Sprintf("%d types, %d tokens", types, toks)
}

// WriteJSON writes results.json: the whole report, every run and curve.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteCSV writes results.csv: one row per run.
func (r *Report) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"tokenizer", "spec", "vocab_size", "seed", "nll_nats", "tokens", "bytes", "chars", "words",
		"bpb", "bpc", "word_ppl", "token_ppl", "train_bytes", "train_tokens", "steps", "params", "seconds",
		"bytes_per_token", "fertility", "continued_words", "renyi_efficiency", "vocab_utilisation", "lossy_bytes"})
	f := func(x float64) string { return strconv.FormatFloat(x, 'g', 10, 64) }
	i := func(x int64) string { return strconv.FormatInt(x, 10) }
	for _, t := range r.Tokenizers {
		in := t.Intrinsic
		for _, run := range t.Runs {
			cw.Write([]string{t.Name, t.Spec, strconv.Itoa(t.VocabSize), i(run.Seed), f(run.NLL), i(run.Tokens),
				i(run.Bytes), i(run.Chars), i(run.Words), f(run.BPB()), f(run.BPC()), f(run.WordPPL()), f(run.TokenPPL()),
				i(run.TrainBytes), i(run.TrainTokens), strconv.Itoa(run.Steps), i(run.Params), f(run.Seconds),
				f(in.BytesPerToken), f(in.Fertility), f(in.ContinuedWords), f(in.RenyiEfficiency), f(in.VocabUtilisation),
				i(in.LossyBytes)})
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteAll writes report.md, results.json, results.csv and the charts
// into dir, creating it if needed.
func (r *Report) WriteAll(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for name, write := range map[string]func(io.Writer) error{
		"report.md": r.WriteMarkdown, "results.json": r.WriteJSON, "results.csv": r.WriteCSV,
	} {
		if err := writeFileAtomic(filepath.Join(dir, name), write); err != nil {
			return err
		}
	}
	return r.WriteCharts(dir)
}

// writeFileAtomic writes through a temporary file renamed into place.
func writeFileAtomic(path string, write func(io.Writer) error) error {
	return atomicfile.Write(path, write)
}
