package sentencepiece

import (
	"testing"
	"unicode/utf8"

	"github.com/toklabs/tok/internal/sharedtest"
)

func TestBuildCharsMapKnownAnswers(t *testing.T) {
	rules := map[string]string{"A": "a", "AB": "x", "\u00e9": "e\u0301", "ﬁ": "fi", "\x7f": ""}
	m, err := BuildCharsMap(rules)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		in, out string
		n       int
	}{
		{"A", "a", 1}, {"ABC", "x", 2}, {"AC", "a", 1}, {"\u00e9!", "e\u0301", 2},
		{"ﬁx", "fi", 3}, {"\x7fz", "", 1}, {"z", "z", 1}, {"\xff", "\uFFFD", 1}, {"日本", "日", 3},
	}
	for _, tt := range tests {
		got, n := m.Lookup([]byte(tt.in))
		if string(got) != tt.out || n != tt.n {
			t.Errorf("Lookup(%q) = %q, %d; want %q, %d", tt.in, got, n, tt.out, tt.n)
		}
	}
	// The serialized form parses back to the same behaviour.
	m2, err := ParseCharsMap(m.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range rules {
		if got, n := m2.Lookup([]byte(k)); string(got) != v || n != len(k) {
			t.Errorf("reparsed Lookup(%q) = %q, %d", k, got, n)
		}
	}
}

// TestNmtNFKCAgainstALBERT compares our nmt_nfkc rules, one code point at a
// time, with the charsmap spm_train stored in albert-30k-clean.model.
func TestNmtNFKCAgainstALBERT(t *testing.T) {
	m, err := Load(sharedtest.Path(t, "vocab/albert-30k-clean.model"))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("albert normalizer %q", m.proto.GetNormalizerSpec().GetName())
	ours, err := BuildCharsMap(NmtNFKC.Rules())
	if err != nil {
		t.Fatal(err)
	}
	differ, total := 0, 0
	for c := rune(0); c <= utf8.MaxRune; c++ {
		if c >= 0xD800 && c <= 0xDFFF {
			continue
		}
		s := []byte(string(c))
		a, _ := m.norm.Map.Lookup(s)
		b, _ := ours.Lookup(s)
		total++
		if string(a) != string(b) {
			if differ < 20 {
				t.Logf("U+%04X: albert %q ours %q", c, a, b)
			}
			differ++
		}
	}
	t.Logf("%d of %d code points differ", differ, total)
	// The differences are characters newer than the Unicode version of
	// ALBERT's tables (U+A7F2, U+10781, ... are Unicode 14), which NFKC
	// now decomposes.
	if differ > 140 {
		t.Errorf("%d code points differ from ALBERT's nmt_nfkc; want at most 140", differ)
	}
}
