package tokenizerjson

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/toklabs/tok/internal/sharedtest"
	"github.com/toklabs/tok/wordpiece"
)

func TestWordPiece_parse(t *testing.T) {
	ctx := ModelContext{File: "t.json", Path: "model"}
	m, err := parseWordPiece(json.RawMessage(`{"type":"WordPiece","vocab":{"[UNK]":0,"un":1,"##aff":2,"##able":3}}`), ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Defaults: [UNK], "##", 100 characters.
	if got := m.AppendEncodePiece(nil, []byte("unaffable")); len(got) != 3 || got[0] != 1 || got[2] != 3 {
		t.Errorf("unaffable = %v, want [1 2 3]", got)
	}
	if got := m.AppendEncodePiece(nil, []byte(strings.Repeat("un", 51))); len(got) != 1 || got[0] != 0 {
		t.Errorf("102-character word = %v, want [0] (over max_input_chars_per_word)", got)
	}
	for _, bad := range []string{
		`{"type":"WordPiece"}`,                                         // no vocab
		`{"type":"WordPiece","vocab":{"a":0}}`,                         // no [UNK]
		`{"type":"WordPiece","vocab":{"[UNK]":0,"a":1,"b":1}}`,         // shared id
		`{"type":"WordPiece","unk_token":"<unk>","vocab":{"[UNK]":0}}`, // unk not in vocab
		`{"type":"WordPiece","vocab":[1,2]}`,                           // not an object
	} {
		if _, err := parseWordPiece(json.RawMessage(bad), ctx); err == nil || !strings.Contains(err.Error(), "model") {
			t.Errorf("%s: err = %v, want an error naming the model", bad, err)
		}
	}
}

func TestWordPiece_marshalRoundTrip(t *testing.T) {
	raw := `{"type":"WordPiece","unk_token":"[UNK]","continuing_subword_prefix":"@@","max_input_chars_per_word":7,"vocab":{"[UNK]":0,"a\"<b>":1,"@@c":2}}`
	m, err := parseWordPiece(json.RawMessage(raw), ModelContext{Path: "model"})
	if err != nil {
		t.Fatal(err)
	}
	out, err := m.(*WordPieceModel).MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != raw {
		t.Errorf("round trip:\n got %s\nwant %s", out, raw)
	}
}

// TestWordPiece_offsetsMatchBERT cross-checks two pipelines over the same
// WordPiece model: this package's generic one, loaded from the golden
// tokenizer.json, and wordpiece.BERT built from vocab.txt, whose offsets
// equal HF's on every line (wordpiece/offsets_test.go). Ids must agree on
// every line of the golden texts, and offsets on every line of en; lines
// of multi and edge where the offsets differ are logged.
func TestWordPiece_offsetsMatchBERT(t *testing.T) {
	tj, err := Open(sharedtest.Path(t, "vocab/hf-bert-base-uncased-derived.tokenizer.json"))
	if err != nil {
		t.Fatal(err)
	}
	v, err := wordpiece.ReadVocabFile(sharedtest.Path(t, "vocab/bert-base-uncased-vocab.txt"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := wordpiece.NewBERT(v, wordpiece.DefaultBERTConfig())
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"en", "multi", "edge"} {
		data, err := os.ReadFile(sharedtest.Path(t, "golden/texts/"+name+".txt"))
		if err != nil {
			t.Fatal(err)
		}
		lines := bytes.Split(bytes.TrimSuffix(data, []byte("\n")), []byte("\n"))
		same := 0
		for i, l := range lines {
			e := tj.Encode(l, EncodeOptions{})
			ids, offs := b.AppendEncodeOffsets(nil, nil, l)
			if len(ids) != len(e.IDs) {
				t.Fatalf("%s line %d: tokenizerjson %d ids, wordpiece %d", name, i+1, len(e.IDs), len(ids))
			}
			ok := true
			for k := range ids {
				if ids[k] != e.IDs[k] {
					t.Fatalf("%s line %d: id %d: tokenizerjson %d, wordpiece %d", name, i+1, k, e.IDs[k], ids[k])
				}
				if offs[k] != e.Offsets[k] {
					if ok {
						t.Logf("%s line %d: token %d offsets: tokenizerjson %v, wordpiece (= HF) %v", name, i+1, k, e.Offsets[k], offs[k])
					}
					ok = false
				}
			}
			if ok {
				same++
			}
		}
		t.Logf("%s: ids agree on %d lines, offsets on %d", name, len(lines), same)
		if name == "en" && same != len(lines) {
			t.Errorf("en: offsets agree on %d of %d lines", same, len(lines))
		}
	}
}
