package bpe

import (
	"bytes"
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"

	"github.com/toklabs/tok"
	"github.com/toklabs/tok/internal/sharedtest"
	"github.com/toklabs/tok/pretokenize"
)

// This file checks that Model supports what the BPE models of real
// tokenizer.json files need (byte-level and character-level symbols,
// ignore_merges, unk + fuse_unk + byte_fallback), by encoding the golden
// texts with the model fields of those files. The normalizers and
// pre-tokenizers around the model are emulated here only as far as these
// files use them; reading tokenizer.json for real is package
// tokenizerjson's job.

type hfFile struct {
	AddedTokens []struct {
		ID      uint32 `json:"id"`
		Content string `json:"content"`
	} `json:"added_tokens"`
	Normalizer   json.RawMessage `json:"normalizer"`
	PreTokenizer json.RawMessage `json:"pre_tokenizer"`
	Model        struct {
		Type                    string            `json:"type"`
		Dropout                 *float64          `json:"dropout"`
		UnkToken                *string           `json:"unk_token"`
		ContinuingSubwordPrefix *string           `json:"continuing_subword_prefix"`
		EndOfWordSuffix         *string           `json:"end_of_word_suffix"`
		FuseUnk                 bool              `json:"fuse_unk"`
		ByteFallback            bool              `json:"byte_fallback"`
		IgnoreMerges            bool              `json:"ignore_merges"`
		Vocab                   map[string]uint32 `json:"vocab"`
		Merges                  []json.RawMessage `json:"merges"`
	} `json:"model"`
}

// hfTestTokenizer builds a Tokenizer from the BPE model of a tokenizer.json
// and returns it with the normalizer to apply to each text segment.
func hfTestTokenizer(t *testing.T, path string) (*Tokenizer, func([]byte) []byte) {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var f hfFile
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatal(err)
	}
	var merges [][2]string
	for _, raw := range f.Model.Merges {
		var pair [2]string
		var s string
		if err := json.Unmarshal(raw, &s); err == nil {
			a, b, _ := strings.Cut(s, " ")
			pair = [2]string{a, b}
		} else if err := json.Unmarshal(raw, &pair); err != nil {
			t.Fatal(err)
		}
		merges = append(merges, pair)
	}
	pre := string(f.PreTokenizer)
	var opts []ModelOption
	if strings.Contains(pre, `"ByteLevel"`) {
		opts = append(opts, WithByteLevel(true))
	}
	if f.Model.Dropout != nil {
		opts = append(opts, WithDropout(*f.Model.Dropout))
	}
	if f.Model.UnkToken != nil {
		opts = append(opts, WithUnkToken(*f.Model.UnkToken))
	}
	if f.Model.ContinuingSubwordPrefix != nil {
		opts = append(opts, WithContinuingSubwordPrefix(*f.Model.ContinuingSubwordPrefix))
	}
	if f.Model.EndOfWordSuffix != nil {
		opts = append(opts, WithEndOfWordSuffix(*f.Model.EndOfWordSuffix))
	}
	opts = append(opts, WithFuseUnk(f.Model.FuseUnk), WithByteFallback(f.Model.ByteFallback), WithIgnoreMerges(f.Model.IgnoreMerges))
	m, err := NewMergesModel(f.Model.Vocab, merges, opts...)
	if err != nil {
		t.Fatal(err)
	}
	// Pre-tokenizer: the Split regex, or ByteLevel's own GPT-2 regex.
	var cfg TokenizerConfig
	var split struct {
		Pretokenizers []struct {
			Type    string `json:"type"`
			Pattern struct {
				Regex string `json:"Regex"`
			} `json:"pattern"`
		} `json:"pretokenizers"`
		Type string `json:"type"`
	}
	if len(f.PreTokenizer) > 0 && string(f.PreTokenizer) != "null" {
		if err := json.Unmarshal(f.PreTokenizer, &split); err != nil {
			t.Fatal(err)
		}
	}
	pattern := ""
	for _, p := range split.Pretokenizers {
		if p.Type == "Split" {
			pattern = p.Pattern.Regex
		}
	}
	if split.Type == "ByteLevel" {
		pattern, _ = pretokenize.Named("gpt2")
	}
	if pattern != "" {
		if cfg.PreTokenizer, err = pretokenize.Compile(pattern); err != nil {
			t.Fatal(err)
		}
	}
	for _, a := range f.AddedTokens {
		cfg.Special = append(cfg.Special, tok.SpecialToken{Content: a.Content, ID: a.ID})
	}
	cfg.MatchSpecial = true
	tk, err := NewTokenizer(m, cfg)
	if err != nil {
		t.Fatal(err)
	}
	normalizer := string(f.Normalizer)
	normalize := func(b []byte) []byte { return b }
	switch {
	case strings.Contains(normalizer, `"NFC"`):
		normalize = norm.NFC.Bytes
	case strings.Contains(normalizer, `"NFKC"`):
		normalize = norm.NFKC.Bytes
	case strings.Contains(normalizer, `"Prepend"`): // SentencePiece-style: ▁ first, spaces → ▁
		normalize = func(b []byte) []byte {
			if len(b) == 0 {
				return b
			}
			return append([]byte("▁"), bytes.ReplaceAll(b, []byte(" "), []byte("▁"))...)
		}
	}
	return tk, normalize
}

// encodeHF encodes a line as HuggingFace does: added tokens are cut out
// first, then each remaining segment is normalized and encoded.
func encodeHF(tk *Tokenizer, normalize func([]byte) []byte, line []byte) []uint32 {
	var ids []uint32
	start := 0
	for i := 0; i < len(line); i++ {
		for _, s := range tk.specialStart[line[i]] {
			if bytes.HasPrefix(line[i:], []byte(s.Content)) {
				ids = tk.AppendEncodeOrdinary(ids, normalize(line[start:i]))
				ids = append(ids, s.ID)
				i += len(s.Content) - 1
				start = i + 1
				break
			}
		}
	}
	return tk.AppendEncodeOrdinary(ids, normalize(line[start:]))
}

func TestParityTokenizerJSONModels(t *testing.T) {
	for _, name := range []string{"hf-gpt35turbo", "hf-gpt4o", "hf-llama3", "hf-qwen3", "hf-claude", "hf-mistral7b-from-lenml-llama2"} {
		t.Run(name, func(t *testing.T) {
			file := name + ".tokenizer.json"
			tk, normalize := hfTestTokenizer(t, sharedtest.Path(t, "vocab/"+file))
			for _, text := range goldenTexts {
				lines := textLines(t, sharedtest.Path(t, "golden/texts/"+text+".txt"))
				want := readGolden(t, sharedtest.Path(t, "golden/"+file+"/"+text+".jsonl"))
				same, shown := 0, 0
				for i, l := range lines {
					got := encodeHF(tk, normalize, l)
					if slices.Equal(got, want[i]) {
						same++
					} else if shown < 2 {
						shown++
						t.Errorf("%s line %d: got %v, want %v", text, i+1, head(got), head(want[i]))
					}
				}
				t.Logf("%s/%s: %d/%d lines identical", file, text, same, len(lines))
			}
		})
	}
}
