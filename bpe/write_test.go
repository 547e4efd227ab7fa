package bpe

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/toklabs/tok"
	"github.com/toklabs/tok/pretokenize"
)

func trainSmall(t *testing.T, cfg TrainConfig) *TrainResult {
	t.Helper()
	text := strings.Repeat("the cat sat on the mat. The hat is <b>&</b> \"that\"\nof the rat, naïve café — 東京 ", 20)
	counts := countLinesHF(t, []byte(text), 2)
	return mustTrain(t, cfg, counts)
}

// Written vocab.json + merges.txt load back through tok.Open and encode;
// with the full alphabet any bytes (invalid UTF-8 too) round-trip.
func TestWriteGPT2Files_OpenRoundTrip(t *testing.T) {
	cfg := DefaultTrainConfig()
	cfg.VocabSize = 330
	cfg.SpecialTokens = []string{"<|endoftext|>"}
	res := trainSmall(t, cfg)
	dir := t.TempDir()
	if _, _, err := res.WriteGPT2Files(dir); err != nil {
		t.Fatal(err)
	}
	tk, err := tok.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if tk.VocabSize() != len(res.Tokens) {
		t.Errorf("loaded vocab size %d, trained %d", tk.VocabSize(), len(res.Tokens))
	}
	for _, s := range []string{"the cat sat on the mat", "naïve café 東京", "\xff\xfe bytes \x00", ""} {
		ids := tk.AppendEncode(nil, []byte(s))
		back, err := tk.AppendDecode(nil, ids)
		if err != nil || string(back) != s {
			t.Errorf("%q: decode(encode) = %q, %v", s, back, err)
		}
	}
	// A trained word is one token.
	ids := tk.AppendEncode(nil, []byte(" the"))
	if len(ids) != 1 {
		t.Errorf(`" the" encodes to %v, want one token`, ids)
	}
	if id, ok := tk.TokenToID("<|endoftext|>"); !ok || id != 0 {
		t.Errorf("special token id %d %v, want 0", id, ok)
	}
}

func TestWriteTiktoken_RoundTrip(t *testing.T) {
	cfg := DefaultTrainConfig()
	cfg.VocabSize = 300
	res := trainSmall(t, cfg)
	p := filepath.Join(t.TempDir(), "x.tiktoken")
	if err := WriteFileAtomic(p, res.WriteTiktoken); err != nil {
		t.Fatal(err)
	}
	f, _ := os.Open(p)
	defer f.Close()
	ranks, err := ReadTiktokenRanks(f, p)
	if err != nil {
		t.Fatal(err)
	}
	if len(ranks) != len(res.Tokens) {
		t.Fatalf("%d ranks, want %d", len(ranks), len(res.Tokens))
	}
	for i := range ranks {
		if !bytes.Equal(ranks[i], res.Tokens[i]) {
			t.Fatalf("rank %d = %q, want %q", i, ranks[i], res.Tokens[i])
		}
	}
	tk, err := OpenTiktokenWith(p, Encoding{Name: "trained", Pattern: pretokenize.PatternGPT2})
	if err != nil {
		t.Fatal(err)
	}
	s := "the cat sat on the mat \xff"
	back, err := tk.AppendDecode(nil, tk.AppendEncode(nil, []byte(s)))
	if err != nil || string(back) != s {
		t.Errorf("decode(encode) = %q, %v", back, err)
	}
}

func TestWriteVocabJSON_NoHTMLEscape(t *testing.T) {
	res := &TrainResult{Tokens: [][]byte{[]byte("<|endoftext|>"), []byte("a\"b")}, NumSpecial: 1}
	var b bytes.Buffer
	if err := res.WriteVocabJSON(&b); err != nil {
		t.Fatal(err)
	}
	if want := `{"<|endoftext|>":0,"a\"b":1}` + "\n"; b.String() != want {
		t.Errorf("got %s want %s", b.String(), want)
	}
}

func TestWriteFileAtomic_KeepsOldOnError(t *testing.T) {
	p := filepath.Join(t.TempDir(), "vocab.json")
	os.WriteFile(p, []byte("old"), 0o644)
	boom := errors.New("boom")
	err := WriteFileAtomic(p, func(w io.Writer) error {
		w.Write([]byte("half"))
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err %v", err)
	}
	if b, _ := os.ReadFile(p); string(b) != "old" {
		t.Errorf("file now %q, want the old content", b)
	}
	if m, _ := filepath.Glob(filepath.Join(filepath.Dir(p), ".*tmp*")); len(m) != 0 {
		t.Errorf("temporary files left: %v", m)
	}
}
