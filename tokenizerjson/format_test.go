package tokenizerjson

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/toklabs/tok"
)

func TestMatch(t *testing.T) {
	tests := []struct {
		path, head string
		want       bool
	}{
		{"x/tokenizer.json", `{"version": "1.0", "truncation": null`, true},
		{"x/tokenizer.json", "{\n  \"version\": \"1.0\",", true},
		{"x/other.JSON", `{"added_tokens": []`, true},
		{"x/vocab.json", `{"!": 0, "\"": 1, "version": 2`, false},
		{"x/tokenizer.model", `{"version": "1.0"`, false},
		{"x/tokenizer.json", `["version"]`, false},
		{"x/tokenizer.json", ``, false},
	}
	for _, tt := range tests {
		if got := Match(tt.path, []byte(tt.head)); got != tt.want {
			t.Errorf("Match(%q, %q) = %v, want %v", tt.path, tt.head, got, tt.want)
		}
	}
}

// TestOpenRegistered checks that tok.Open reads tokenizer.json files
// through the registered format, directories included.
func TestOpenRegistered(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "tokenizer.json")
	if err := os.WriteFile(path, []byte(minimal), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, dir} {
		tk, err := tok.Open(p)
		if err != nil {
			t.Fatalf("tok.Open(%s): %v", p, err)
		}
		if _, ok := tk.(*Tokenizer); !ok {
			t.Fatalf("tok.Open(%s) gave %T", p, tk)
		}
		if got := tok.EncodeString(tk, "abc"); formatIDs(got) != "[4]" {
			t.Errorf("encode = %v", got)
		}
	}
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(minimal[:120]), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := tok.Open(bad); err == nil {
		t.Errorf("tok.Open of a truncated file: no error")
	}
}
