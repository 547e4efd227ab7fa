package wordpiece

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/toklabs/tok/normalize"
)

// jsonString writes s as a JSON string without HTML escaping, as serde
// writes it.
func jsonString(w *bufio.Writer, s string) {
	var sb strings.Builder
	enc := json.NewEncoder(&sb)
	enc.SetEscapeHTML(false)
	enc.Encode(s)
	w.WriteString(strings.TrimSuffix(sb.String(), "\n"))
}

// WriteModelJSON writes the "model" object of a tokenizer.json for m: type
// WordPiece, its settings, and the vocabulary in id order.
func WriteModelJSON(w io.Writer, m *Model) error {
	bw := bufio.NewWriter(w)
	writeModelJSON(bw, m.vocab, m.Config())
	return bw.Flush()
}

func writeModelJSON(bw *bufio.Writer, v *Vocab, cfg ModelConfig) {
	bw.WriteString(`{"type":"WordPiece","unk_token":`)
	jsonString(bw, cfg.UnkToken)
	bw.WriteString(`,"continuing_subword_prefix":`)
	jsonString(bw, cfg.ContinuingSubwordPrefix)
	fmt.Fprintf(bw, `,"max_input_chars_per_word":%d,"vocab":{`, cfg.MaxInputCharsPerWord)
	first := true
	for id, t := range v.tokens {
		if !v.valid[id] {
			continue
		}
		if !first {
			bw.WriteByte(',')
		}
		first = false
		jsonString(bw, t)
		fmt.Fprintf(bw, ":%d", id)
	}
	bw.WriteString("}}")
}

// TokenizerJSONConfig says what [WriteTokenizerJSON] puts around the model.
type TokenizerJSONConfig struct {
	Model      ModelConfig
	Normalizer normalize.Bert
	// SpecialTokens become "added_tokens" (special, not normalized) when
	// they are in the vocabulary; [CLS] and [SEP] also make the BertProcessing
	// post-processor.
	SpecialTokens []string
}

// DefaultTokenizerJSONConfig is the uncased BERT pipeline.
func DefaultTokenizerJSONConfig() TokenizerJSONConfig {
	c := DefaultBERTConfig()
	return TokenizerJSONConfig{Model: c.Model, Normalizer: c.Normalizer, SpecialTokens: c.SpecialTokens}
}

// WriteTokenizerJSON writes an HF tokenizer.json for the vocabulary
// (tokens by id): the BERT normalizer, BertPreTokenizer, BertProcessing
// post-processor, WordPiece decoder and WordPiece model.
func WriteTokenizerJSON(w io.Writer, tokens []string, cfg TokenizerJSONConfig) error {
	v := NewVocab(tokens)
	if _, ok := v.TokenToID(cfg.Model.UnkToken); !ok {
		return fmt.Errorf("%w: %q", ErrMissingUnk, cfg.Model.UnkToken)
	}
	bw := bufio.NewWriter(w)
	bw.WriteString(`{"version":"1.0","truncation":null,"padding":null,"added_tokens":[`)
	type special struct {
		s  string
		id uint32
	}
	var specials []special
	for _, s := range cfg.SpecialTokens {
		if id, ok := v.TokenToID(s); ok {
			specials = append(specials, special{s, id})
		}
	}
	// Added tokens in id order, as HF writes them.
	for i := 1; i < len(specials); i++ {
		for j := i; j > 0 && specials[j].id < specials[j-1].id; j-- {
			specials[j], specials[j-1] = specials[j-1], specials[j]
		}
	}
	for i, s := range specials {
		if i > 0 {
			bw.WriteByte(',')
		}
		fmt.Fprintf(bw, `{"id":%d,"content":`, s.id)
		jsonString(bw, s.s)
		bw.WriteString(`,"single_word":false,"lstrip":false,"rstrip":false,"normalized":false,"special":true}`)
	}
	n := cfg.Normalizer
	fmt.Fprintf(bw, `],"normalizer":{"type":"BertNormalizer","clean_text":%t,"handle_chinese_chars":%t,"strip_accents":%t,"lowercase":%t},`,
		n.CleanText, n.HandleChineseChars, n.StripAccents, n.Lowercase)
	bw.WriteString(`"pre_tokenizer":{"type":"BertPreTokenizer"},"post_processor":`)
	cls, okc := v.TokenToID("[CLS]")
	sep, oks := v.TokenToID("[SEP]")
	if okc && oks {
		fmt.Fprintf(bw, `{"type":"BertProcessing","sep":["[SEP]",%d],"cls":["[CLS]",%d]}`, sep, cls)
	} else {
		bw.WriteString("null")
	}
	bw.WriteString(`,"decoder":{"type":"WordPiece","prefix":`)
	jsonString(bw, cfg.Model.ContinuingSubwordPrefix)
	bw.WriteString(`,"cleanup":true},"model":`)
	writeModelJSON(bw, v, cfg.Model)
	bw.WriteString("}\n")
	return bw.Flush()
}

// WriteFiles writes tokens as dir/vocab.txt and dir/tokenizer.json.
func WriteFiles(dir string, tokens []string, cfg TokenizerJSONConfig) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := writeFile(dir+"/vocab.txt", func(w io.Writer) error { return WriteVocab(w, tokens) }); err != nil {
		return err
	}
	return writeFile(dir+"/tokenizer.json", func(w io.Writer) error { return WriteTokenizerJSON(w, tokens, cfg) })
}

// writeFile writes through a temporary file and renames it, so a failed
// write never leaves a truncated file in place of an old one.
func writeFile(path string, write func(io.Writer) error) error {
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		os.Remove(tmp)
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, path)
}
