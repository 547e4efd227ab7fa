package tokenizerjson

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"

	"github.com/toklabs/tok"
)

func init() {
	tok.RegisterFormat(tok.Format{
		Name:  "tokenizer.json",
		Match: Match,
		Open:  func(path string) (tok.Tokenizer, error) { return Open(path) },
	})
}

// topKeys are the top-level keys HF writes; the first key of a
// tokenizer.json is one of them ("version" in every file HF writes).
var topKeys = map[string]bool{"version": true, "truncation": true, "padding": true, "added_tokens": true,
	"normalizer": true, "pre_tokenizer": true, "post_processor": true, "decoder": true, "model": true}

// Match reports whether a file looks like a tokenizer.json: a .json file
// whose first key is one of HF's top-level keys (a GPT-2 vocab.json starts
// with a token instead).
func Match(path string, head []byte) bool {
	if !strings.EqualFold(filepath.Ext(path), ".json") {
		return false
	}
	dec := json.NewDecoder(bytes.NewReader(head))
	t, err := dec.Token()
	if err != nil || t != json.Delim('{') {
		return false
	}
	k, err := dec.Token()
	if err != nil {
		return false
	}
	key, ok := k.(string)
	return ok && topKeys[key]
}
