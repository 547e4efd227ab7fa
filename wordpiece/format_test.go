package wordpiece

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/toklabs/tok"
	"github.com/toklabs/tok/internal/sharedtest"
)

func TestMatchVocabTxt(t *testing.T) {
	tests := []struct {
		path, head string
		want       bool
	}{
		{"x/vocab.txt", "", true},
		{"bert-base-uncased-vocab.txt", "", true},
		{"model.vocab.txt", "", true},
		{"words.txt", "[PAD]\n[unused0]\n[UNK]\n[CLS]\nthe\n##s\n", true},
		{"words.txt", "hello world\nsecond line [UNK]\n", false}, // prose, not one token per line
		{"words.txt", "{\"a\":1}", false},
		{"spm.vocab", "<unk>\t0\n", false},
		{"notes.txt", "just\nsome\nwords\n", false},
	}
	for _, tt := range tests {
		if got := matchVocabTxt(tt.path, []byte(tt.head)); got != tt.want {
			t.Errorf("matchVocabTxt(%q, %.20q) = %v, want %v", tt.path, tt.head, got, tt.want)
		}
	}
	if !IsCasedName("bert-large-cased-vocab.txt") || IsCasedName("bert-base-uncased-vocab.txt") || IsCasedName("vocab.txt") {
		t.Error("IsCasedName")
	}
}

func TestOpen_vocabTxt(t *testing.T) {
	for _, c := range []struct {
		file  string
		cased bool
	}{{"vocab/bert-base-uncased-vocab.txt", false}, {"vocab/bert-large-cased-vocab.txt", true}} {
		tk, err := tok.Open(sharedtest.Path(t, c.file))
		if err != nil {
			t.Fatal(err)
		}
		b, ok := tk.(*BERT)
		if !ok {
			t.Fatalf("%s: tok.Open gave %T", c.file, tk)
		}
		if b.Normalizer().Lowercase == c.cased {
			t.Errorf("%s: lowercase = %v", c.file, b.Normalizer().Lowercase)
		}
		ids := tok.EncodeString(tk, "Hello [SEP] world")
		if sep, _ := tk.TokenToID("[SEP]"); len(ids) != 3 || ids[1] != sep {
			t.Errorf("%s: %v, want hello [SEP] world", c.file, ids)
		}
	}
}

func TestOpen_badVocabTxt(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "vocab.txt")
	if err := os.WriteFile(p, []byte("a\n##b\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := tok.Open(p)
	var fe *tok.FormatError
	if !errors.As(err, &fe) || fe.File != p || !errors.Is(err, ErrMissingUnk) {
		t.Errorf("missing [UNK]: %v, want a FormatError naming the file wrapping ErrMissingUnk", err)
	}
	if err := os.WriteFile(p, []byte("[UNK]\n\xc3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := tok.Open(p); !errors.As(err, &fe) || fe.Line != 2 {
		t.Errorf("invalid UTF-8: %v, want a FormatError at line 2", err)
	}
}
