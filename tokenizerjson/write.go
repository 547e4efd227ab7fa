package tokenizerjson

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"sort"
)

// jsonString appends s as a JSON string (HTML characters not escaped).
func jsonString(dst []byte, s string) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return append(dst, bytes.TrimRight(buf.Bytes(), "\n")...)
}

// marshalBPE writes a BPE model object with HF's field order, the vocab
// in id order and the merges as pairs.
func marshalBPE(v bpeJSON) ([]byte, error) {
	out := []byte(`{"type":"BPE","dropout":`)
	if v.Dropout != nil {
		out = fmt.Appendf(out, "%v", *v.Dropout)
	} else {
		out = append(out, "null"...)
	}
	optString := func(key string, p *string) {
		out = append(out, `,"`+key+`":`...)
		if p == nil {
			out = append(out, "null"...)
		} else {
			out = jsonString(out, *p)
		}
	}
	optString("unk_token", v.UnkToken)
	optString("continuing_subword_prefix", v.ContinuingSubwordPrefix)
	optString("end_of_word_suffix", v.EndOfWordSuffix)
	out = fmt.Appendf(out, `,"fuse_unk":%t,"byte_fallback":%t,"ignore_merges":%t,"vocab":{`, v.FuseUnk, v.ByteFallback, v.IgnoreMerges)
	type entry struct {
		tok string
		id  uint32
	}
	entries := make([]entry, 0, len(v.Vocab))
	for k, id := range v.Vocab {
		entries = append(entries, entry{k, id})
	}
	sort.Slice(entries, func(i, j int) bool {
		if entries[i].id != entries[j].id {
			return entries[i].id < entries[j].id
		}
		return entries[i].tok < entries[j].tok
	})
	for i, e := range entries {
		if i > 0 {
			out = append(out, ',')
		}
		out = jsonString(out, e.tok)
		out = fmt.Appendf(out, ":%d", e.id)
	}
	out = append(out, `},"merges":[`...)
	for i, m := range v.Merges.pairs {
		if i > 0 {
			out = append(out, ',')
		}
		out = append(out, '[')
		out = jsonString(out, m[0])
		out = append(out, ',')
		out = jsonString(out, m[1])
		out = append(out, ']')
	}
	return append(out, "]}"...), nil
}

// WriteTo writes the tokenizer back as a tokenizer.json: the components
// as they were read, the model from its json.Marshaler (an error if the
// model has none).
func (t *Tokenizer) WriteTo(w io.Writer) (int64, error) {
	mm, ok := t.model.(json.Marshaler)
	if !ok {
		return 0, fmt.Errorf("tokenizerjson: model %T cannot be written", t.model)
	}
	model, err := mm.MarshalJSON()
	if err != nil {
		return 0, err
	}
	added := t.raw.AddedTokens
	if added == nil {
		added = []AddedToken{}
	}
	addedJSON, err := json.Marshal(added)
	if err != nil {
		return 0, err
	}
	return writeFile(w, []fileField{
		{"version", []byte(`"1.0"`)},
		{"truncation", t.raw.Truncation},
		{"padding", t.raw.Padding},
		{"added_tokens", addedJSON},
		{"normalizer", t.raw.Normalizer},
		{"pre_tokenizer", t.raw.PreTokenizer},
		{"post_processor", t.raw.PostProcessor},
		{"decoder", t.raw.Decoder},
		{"model", model},
	})
}

type fileField struct {
	key   string
	value []byte
}

// writeFile writes the top-level object, one key per line.
func writeFile(w io.Writer, fields []fileField) (int64, error) {
	bw := bufio.NewWriter(w)
	var n int64
	write := func(s []byte) {
		k, _ := bw.Write(s)
		n += int64(k)
	}
	write([]byte("{\n"))
	for i, f := range fields {
		v := f.value
		if isNull(v) {
			v = []byte("null")
		}
		write([]byte(`  "` + f.key + `": `))
		write(v)
		if i < len(fields)-1 {
			write([]byte(","))
		}
		write([]byte("\n"))
	}
	write([]byte("}\n"))
	return n, bw.Flush()
}
