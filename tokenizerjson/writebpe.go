package tokenizerjson

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/toklabs/tok"
	"github.com/toklabs/tok/normalize"
	"github.com/toklabs/tok/pretokenize"
)

// BPESpec is a byte-level BPE vocabulary to write as a tokenizer.json
// with [WriteBPE], for example the result of the bpe trainer.
type BPESpec struct {
	// Tokens holds the bytes of every token by id; a nil entry is an
	// unused id and is not written. The bytes of a special token (see
	// Special) are its content.
	Tokens [][]byte

	// Merges lists the merges by priority (the first merges first) as
	// pairs of token ids. The concatenation of each pair must be a token.
	Merges [][2]uint32

	// Special lists the special tokens. An id inside Tokens must hold the
	// content's bytes; an id beyond it is an added token outside the
	// model's vocabulary.
	Special []tok.SpecialToken

	// Pattern is the pre-tokenizer regex. "" or pretokenize.PatternGPT2
	// writes HF's ByteLevel pre-tokenizer with use_regex; any other
	// pattern writes Sequence[Split(pattern, Isolated), ByteLevel without
	// regex], the layout of the Llama 3 and GPT-4o files.
	Pattern string
}

// ErrSpec wraps the errors of an inconsistent BPESpec.
var ErrSpec = errors.New("tokenizerjson: bad BPE spec")

// WriteBPE writes spec as a tokenizer.json that HF tokenizers loads
// (Tokenizer.from_file) and that encodes as spec describes: no
// normalizer, the byte-level pre-tokenizer of spec.Pattern, the ByteLevel
// decoder, and a BPE model whose vocabulary and merges are spelled in
// GPT-2's byte alphabet. Special tokens are written both in the model's
// vocab (when their id is inside Tokens) and in added_tokens.
func WriteBPE(w io.Writer, spec BPESpec) error {
	special := map[uint32]string{}
	for _, s := range spec.Special {
		if s.Content == "" {
			return fmt.Errorf("%w: special token %d has empty content", ErrSpec, s.ID)
		}
		if _, dup := special[s.ID]; dup {
			return fmt.Errorf("%w: two special tokens with id %d", ErrSpec, s.ID)
		}
		if int64(s.ID) < int64(len(spec.Tokens)) && spec.Tokens[s.ID] != nil && string(spec.Tokens[s.ID]) != s.Content {
			return fmt.Errorf("%w: special token %q has id %d, which holds %q", ErrSpec, s.Content, s.ID, spec.Tokens[s.ID])
		}
		special[s.ID] = s.Content
	}
	name := func(id uint32) string {
		if c, ok := special[id]; ok {
			return c
		}
		return string(normalize.AppendByteLevel(nil, spec.Tokens[id]))
	}
	vocab := make(map[string]uint32, len(spec.Tokens))
	byBytes := make(map[string]uint32, len(spec.Tokens))
	for id, b := range spec.Tokens {
		if b == nil {
			continue
		}
		n := name(uint32(id))
		if other, dup := vocab[n]; dup {
			return fmt.Errorf("%w: ids %d and %d are both %q", ErrSpec, other, id, n)
		}
		vocab[n] = uint32(id)
		if _, isSpecial := special[uint32(id)]; !isSpecial {
			byBytes[string(b)] = uint32(id)
		}
	}
	var mj bpeJSON
	mj.Vocab = vocab
	mj.Merges.pairs = make([][2]string, len(spec.Merges))
	for i, m := range spec.Merges {
		for _, id := range m {
			if int64(id) >= int64(len(spec.Tokens)) || spec.Tokens[id] == nil {
				return fmt.Errorf("%w: merge %d names unknown id %d", ErrSpec, i, id)
			}
		}
		joined := string(spec.Tokens[m[0]]) + string(spec.Tokens[m[1]])
		if _, ok := byBytes[joined]; !ok {
			return fmt.Errorf("%w: merge %d (%d, %d): %q is not a token", ErrSpec, i, m[0], m[1], joined)
		}
		mj.Merges.pairs[i] = [2]string{name(m[0]), name(m[1])}
	}
	model, err := marshalBPE(mj)
	if err != nil {
		return err
	}

	added := make([]AddedToken, 0, len(spec.Special))
	for _, s := range spec.Special {
		added = append(added, AddedToken{ID: s.ID, Content: s.Content, Special: true})
	}
	sortAdded(added)
	addedJSON, err := json.Marshal(added)
	if err != nil {
		return err
	}

	var pre string
	if spec.Pattern == "" || spec.Pattern == pretokenize.PatternGPT2 {
		pre = `{"type":"ByteLevel","add_prefix_space":false,"trim_offsets":true,"use_regex":true}`
	} else {
		if _, err := pretokenize.Compile(spec.Pattern); err != nil {
			return fmt.Errorf("%w: pattern: %w", ErrSpec, err)
		}
		p := jsonString(nil, spec.Pattern)
		pre = `{"type":"Sequence","pretokenizers":[{"type":"Split","pattern":{"Regex":` + string(p) +
			`},"behavior":"Isolated","invert":false},{"type":"ByteLevel","add_prefix_space":false,"trim_offsets":true,"use_regex":false}]}`
	}
	_, err = writeFile(w, []fileField{
		{"version", []byte(`"1.0"`)},
		{"truncation", nil},
		{"padding", nil},
		{"added_tokens", addedJSON},
		{"normalizer", nil},
		{"pre_tokenizer", []byte(pre)},
		{"post_processor", []byte(`{"type":"ByteLevel","add_prefix_space":false,"trim_offsets":false,"use_regex":false}`)},
		{"decoder", []byte(`{"type":"ByteLevel","add_prefix_space":false,"trim_offsets":true,"use_regex":true}`)},
		{"model", model},
	})
	return err
}
