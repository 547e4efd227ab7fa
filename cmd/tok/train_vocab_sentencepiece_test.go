package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/toklabs/tok/sentencepiece"
	"github.com/toklabs/tok/tokenizerjson"
)

// train-vocab --algo spm-bpe writes a tokenizer.json that encodes as the
// spm.model beside it, and `tok convert` writes the same file from the
// model; for unigram too.
func TestTrainVocabSentencePiece_TokenizerJSON(t *testing.T) {
	dir := t.TempDir()
	var corpus bytes.Buffer
	lines := []string{
		"Light is propagated from luminous bodies in time.",
		"  the rays of light <sep> are refracted   at the surface ",
		"naïve café – ﬁne ① ＡＢＣ",
		"x\ty",
	}
	for i := 0; i < 300; i++ {
		fmt.Fprintf(&corpus, "%s %d\n", lines[i%len(lines)], i%17)
	}
	corpusPath := filepath.Join(dir, "corpus.txt")
	if err := os.WriteFile(corpusPath, corpus.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	texts := append(slices.Clone(lines), "", " ", "unseen 日本語 text ∑", "<sep><sep>light",
		"\tlead tab", "trail tab\t", " \t x \u3000", "\u00a0nbsp\u00a0")
	for _, tc := range []struct {
		algo, size string
		args       []string
	}{
		{"spm-bpe", "150", nil},
		{"spm-bpe", "400", []string{"--spm-byte-fallback", "--spm-normalization", "identity", "--spm-remove-extra-whitespaces=false"}},
		{"spm-bpe", "400", []string{"--spm-byte-fallback", "--spm-normalization", "identity"}},
		{"unigram", "150", nil},
	} {
		out := filepath.Join(dir, fmt.Sprintf("%s-%s-%d", tc.algo, tc.size, len(tc.args)))
		args := append([]string{"train-vocab", "--algo", tc.algo, "--vocab-size", tc.size, "--special-tokens", "<sep>", "--out", out}, tc.args...)
		runTok(t, append(args, corpusPath)...)
		model, err := sentencepiece.Load(filepath.Join(out, "spm.model"))
		if err != nil {
			t.Fatal(err)
		}
		jsonPath := filepath.Join(out, "tokenizer.json")
		tk, err := tokenizerjson.Open(jsonPath)
		if err != nil {
			t.Fatalf("%s: %v", jsonPath, err)
		}
		if tc.algo == "spm-bpe" {
			for _, text := range texts {
				if strings.Contains(text, "<sep>") {
					// HF splits at added tokens before normalizing; see
					// tokenizerjson.WriteSentencePieceBPE.
					continue
				}
				want := model.AppendEncode(nil, []byte(text))
				if got := tk.AppendEncode(nil, []byte(text)); !slices.Equal(got, want) {
					t.Errorf("%s %v %q: tokenizer.json gives %v, spm.model %v", tc.algo, tc.args, text, got, want)
				}
			}
		}
		converted := filepath.Join(out, "converted.json")
		runTok(t, "convert", filepath.Join(out, "spm.model"), converted)
		a, _ := os.ReadFile(jsonPath)
		b, err := os.ReadFile(converted)
		if err != nil || !bytes.Equal(a, b) {
			t.Errorf("%s: tok convert wrote another file than train-vocab (%v)", tc.algo, err)
		}
	}
}

func TestConvert_Errors(t *testing.T) {
	dir := t.TempDir()
	notModel := filepath.Join(dir, "x.model")
	os.WriteFile(notModel, []byte("not a model"), 0o644)
	for _, args := range [][]string{
		{"convert"},
		{"convert", notModel},
		{"convert", notModel, filepath.Join(dir, "out.json")},
		{"convert", filepath.Join(dir, "missing.model"), filepath.Join(dir, "out.json")},
	} {
		if err := newApp().Run(append([]string{"tok"}, args...)); err == nil {
			t.Errorf("tok %v: no error", args)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "out.json")); !os.IsNotExist(err) {
		t.Errorf("a failed convert left out.json behind (%v)", err)
	}
}
