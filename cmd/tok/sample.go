package main

import (
	"bufio"
	"fmt"
	"os"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/toklabs/tok"
	"github.com/toklabs/tok/model"
	"github.com/toklabs/tok/rawbytes"
)

func init() {
	sc := model.DefaultSampleConfig()
	register(&cli.Command{
		Name:  "sample",
		Usage: "generate text from a model trained with tok train, streaming it as it is drawn",
		Description: `Loads the checkpoint of --run (a run directory or a model.safetensors file), feeds --prompt and
samples --max-tokens tokens with a KV cache. The run's tokenizer (recorded in the checkpoint) encodes the
prompt and decodes the output; a tokenizer file that changed since training is an error.

Example: tok sample --run runs/shakes --prompt "ROMEO:" --max-tokens 200 --temperature 0.8`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "run", Required: true, Usage: "run `DIR` or model.safetensors file"},
			&cli.StringFlag{Name: "prompt", Value: "\n", Usage: "text to start from"},
			&cli.IntFlag{Name: "max-tokens", Value: sc.MaxTokens, Usage: "tokens to generate"},
			&cli.Float64Flag{Name: "temperature", Value: sc.Temperature, Usage: "softmax temperature (0: greedy)"},
			&cli.IntFlag{Name: "top-k", Value: sc.TopK, Usage: "keep the K most likely tokens (0: off)"},
			&cli.Float64Flag{Name: "top-p", Value: sc.TopP, Usage: "nucleus: keep tokens up to cumulative probability P (1: off)"},
			&cli.Uint64Flag{Name: "seed", Value: sc.Seed, Usage: "sampling seed"},
			&cli.IntFlag{Name: "workers", Usage: "threads (0: all cores)"},
			&cli.BoolFlag{Name: "no-prompt", Usage: "write only the generated text, not the prompt before it"},
			&cli.BoolFlag{Name: "stats", Usage: "print tokens/s on standard error at the end"},
		},
		Action: runSample,
	})
}

// runTokenizer reopens the tokenizer a run was trained with.
func runTokenizer(id model.TokenizerID) (tok.Tokenizer, error) {
	if id.SHA256 == model.BytesTokenizer.SHA256 || (id.Name == model.BytesTokenizer.Name && id.Path == "") {
		return rawbytes.Tokenizer{}, nil
	}
	if id.Path == "" {
		return nil, fmt.Errorf("the checkpoint does not say where tokenizer %q is", id.Name)
	}
	tk, now, err := openRunTokenizer(id.Path)
	if err != nil {
		return nil, err
	}
	if now.SHA256 != id.SHA256 {
		return nil, fmt.Errorf("tokenizer %s changed since training (sha256 %s, checkpoint has %s)", id.Path, now.SHA256, id.SHA256)
	}
	return tk, nil
}

func runSample(cx *cli.Context) error {
	m, id, _, err := model.LoadModel(cx.String("run"))
	if err != nil {
		return err
	}
	m.Workers = cx.Int("workers")
	tk, err := runTokenizer(id)
	if err != nil {
		return err
	}
	prompt := tk.AppendEncode(nil, []byte(cx.String("prompt")))
	sc := model.SampleConfig{MaxTokens: cx.Int("max-tokens"), Temperature: cx.Float64("temperature"),
		TopK: cx.Int("top-k"), TopP: cx.Float64("top-p"), Seed: cx.Uint64("seed")}
	w := bufio.NewWriter(os.Stdout)
	if !cx.Bool("no-prompt") {
		w.WriteString(cx.String("prompt"))
	}
	var buf []byte
	start := time.Now()
	n := 0
	err = m.NewSampler().Generate(prompt, sc, func(id uint32) error {
		n++
		buf, err = tk.AppendDecode(buf[:0], []uint32{id})
		if err != nil {
			return err
		}
		w.Write(buf)
		return w.Flush() // stream each token as it is drawn
	})
	fmt.Fprintln(w)
	w.Flush()
	if cx.Bool("stats") {
		el := time.Since(start)
		fmt.Fprintf(os.Stderr, "sampled %d tokens in %.2fs: %.0f tokens/s (prompt %d tokens)\n", n, el.Seconds(), float64(n)/el.Seconds(), len(prompt))
	}
	return err
}
