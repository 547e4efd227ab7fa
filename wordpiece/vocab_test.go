package wordpiece

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/toklabs/tok"
)

func TestReadVocab(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		tokens  []string
		lookups map[string]uint32 // token -> id
		holes   []uint32          // ids without a token
	}{
		{"plain", "[UNK]\na\n##b\n", []string{"[UNK]", "a", "##b"}, map[string]uint32{"a": 1, "##b": 2}, nil},
		{"no final newline", "[UNK]\na", []string{"[UNK]", "a"}, map[string]uint32{"a": 1}, nil},
		{"CRLF and trailing spaces", "[UNK]\r\na  \r\n", []string{"[UNK]", "a"}, map[string]uint32{"a": 1}, nil},
		{"leading space kept", " a\n", []string{" a"}, map[string]uint32{" a": 0}, nil},
		{"empty lines are the empty token, last wins", "[UNK]\n\na\n\n", []string{"[UNK]", "", "a", ""}, map[string]uint32{"": 3}, []uint32{1}},
		{"duplicates: last wins", "[UNK]\nx\ny\nx\n", []string{"[UNK]", "x", "y", "x"}, map[string]uint32{"x": 3, "y": 2}, []uint32{1}},
	}
	for _, tt := range tests {
		v, err := ReadVocab(strings.NewReader(tt.in), tt.name)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if !reflect.DeepEqual(v.Tokens(), tt.tokens) {
			t.Errorf("%s: tokens %q, want %q", tt.name, v.Tokens(), tt.tokens)
		}
		for tok, id := range tt.lookups {
			if got, ok := v.TokenToID(tok); !ok || got != id {
				t.Errorf("%s: TokenToID(%q) = %d %v, want %d", tt.name, tok, got, ok, id)
			}
			if got, ok := v.IDToToken(id); !ok || got != tok {
				t.Errorf("%s: IDToToken(%d) = %q %v, want %q", tt.name, id, got, ok, tok)
			}
		}
		for _, id := range tt.holes {
			if got, ok := v.IDToToken(id); ok {
				t.Errorf("%s: IDToToken(%d) = %q, want no token (shadowed)", tt.name, id, got)
			}
		}
	}
}

func TestReadVocab_errors(t *testing.T) {
	_, err := ReadVocab(strings.NewReader(""), "empty.txt")
	if !errors.Is(err, ErrEmptyVocab) || !strings.Contains(err.Error(), "empty.txt") {
		t.Errorf("empty: %v", err)
	}
	_, err = ReadVocab(strings.NewReader("[UNK]\na\xffb\n"), "bad.txt")
	var fe *tok.FormatError
	if !errors.As(err, &fe) || fe.Line != 2 || fe.File != "bad.txt" {
		t.Errorf("invalid UTF-8: %v, want a FormatError at bad.txt:2", err)
	}
	v, err := ReadVocab(strings.NewReader("a\n##b\n"), "nounk.txt")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewBERT(v, DefaultBERTConfig()); !errors.Is(err, ErrMissingUnk) {
		t.Errorf("missing [UNK]: %v", err)
	}
}

func TestNewVocabFromMap(t *testing.T) {
	v, err := NewVocabFromMap(map[string]uint32{"[UNK]": 0, "a": 2})
	if err != nil {
		t.Fatal(err)
	}
	if v.Len() != 3 {
		t.Errorf("Len = %d, want 3", v.Len())
	}
	if _, ok := v.IDToToken(1); ok {
		t.Error("id 1 has a token")
	}
	if _, err := NewVocabFromMap(map[string]uint32{"a": 1, "b": 1}); err == nil {
		t.Error("two tokens with one id: no error")
	}
	if _, err := NewVocabFromMap(map[string]uint32{"a": 1 << 30}); err == nil {
		t.Error("huge sparse id: no error")
	}
}

func TestWriteVocab_rejects(t *testing.T) {
	var sb strings.Builder
	for _, bad := range []string{"a\nb", "a ", "x\r"} {
		if err := WriteVocab(&sb, []string{"[UNK]", bad}); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func FuzzReadVocab(f *testing.F) {
	f.Add("[UNK]\na\n##b\n", "ab")
	f.Add("[UNK]\r\n\n\n##\n#\n", "a##b")
	f.Add("x\n[UNK]\nx\n", "xx")
	f.Fuzz(func(t *testing.T, file, text string) {
		v, err := ReadVocab(strings.NewReader(file), "fuzz")
		if err != nil {
			return
		}
		for id := range v.Len() {
			if tk, ok := v.IDToToken(uint32(id)); ok {
				if back, _ := v.TokenToID(tk); back != uint32(id) {
					t.Fatalf("id %d -> %q -> %d", id, tk, back)
				}
			}
		}
		b, err := NewBERT(v, DefaultBERTConfig())
		if err != nil {
			return
		}
		// Must not panic, and LinMaxMatch must agree with greedy on the
		// words of text.
		ids := b.AppendEncode(nil, []byte(text))
		for _, id := range ids {
			if int(id) >= v.Len() {
				t.Fatalf("id %d out of range", id)
			}
		}
		for _, w := range strings.Fields(text) {
			got := b.Model().AppendEncodeWord(nil, []byte(w))
			want := b.Model().AppendEncodeWordGreedy(nil, []byte(w))
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%q: %v vs greedy %v", w, got, want)
			}
		}
	})
}
