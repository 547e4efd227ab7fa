package jsonstr

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

// specialNaive is the reference for Special.
func specialNaive(b []byte, i int) int {
	for ; i < len(b); i++ {
		if c := b[i]; c == '"' || c == '\\' || c < 0x20 {
			return i
		}
	}
	return len(b)
}

func FuzzSpecial(f *testing.F) {
	f.Add([]byte("plain text with a \" quote"), 0)
	f.Add([]byte("é\x7f\x80\x9f\xa0 \x1f\\"), 3)
	f.Fuzz(func(t *testing.T, b []byte, i int) {
		if i < 0 || i > len(b) {
			i = 0
		}
		if got, want := Special(b, i), specialNaive(b, i); got != want {
			t.Fatalf("%q from %d: %d, want %d", b, i, got, want)
		}
	})
}

func TestAppend(t *testing.T) {
	cases := []struct {
		in, want string
		ok       bool
	}{
		{`plain"`, "plain", true},
		{`a\nb\t\"c\\d\/e"`, "a\nb\t\"c\\d/e", true},
		{`\u00e9\u20AC"`, "é€", true},
		{`\ud83d\ude00"`, "😀", true},
		{`\ud83d x"`, "\ufffd x", true},
		{`\ude00\ud83d"`, "\ufffd\ufffd", true},
		{`unterminated`, "", false},
		{"control\x01\"", "", false},
		{`bad \q escape"`, "", false},
		{`bad \u12g4"`, "", false},
	}
	for _, c := range cases {
		got, next, ok := Append(nil, []byte(c.in), 0)
		if ok != c.ok || ok && (string(got) != c.want || next != len(c.in)) {
			t.Errorf("Append(%q) = %q, %d, %v; want %q, %d, %v", c.in, got, next, ok, c.want, len(c.in), c.ok)
		}
	}
}

// FuzzAppend checks Append against encoding/json on valid UTF-8: the same
// strings accepted, the same text.
func FuzzAppend(f *testing.F) {
	for _, s := range []string{`"a"`, `"x\u00e9\ud83d\ude00"`, `"\ud800"`, `"a\"b"`, `"\u0000"`, "\"\x01\""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) == 0 || b[0] != '"' || !utf8.Valid(b) {
			return
		}
		got, next, ok := Append(nil, b, 1)
		var want string
		err := json.Unmarshal(b[:max(next, 1)], &want)
		if ok && (err != nil || want != string(got)) {
			t.Fatalf("%q: Append gave %q, encoding/json %q, %v", b, got, want, err)
		}
		if !ok {
			// encoding/json rejects every prefix ending where Append stopped.
			if json.Unmarshal(b, &want) == nil && json.Valid(b) {
				t.Fatalf("%q: Append refused a string encoding/json reads as %q", b, want)
			}
		}
	})
}

// BenchmarkSpecial scans a long run of plain text (English prose with an
// escape every few hundred bytes, as in JSON Lines corpora).
func BenchmarkSpecial(b *testing.B) {
	text := []byte(strings.Repeat("The quick brown fox jumps over the lazy dog, again and again. ", 8) + "\\n")
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		for i := 0; i < len(text); i++ {
			i = Special(text, i)
		}
	}
}
