package wordpiece

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func tinyModel(t testing.TB, tokens ...string) *Model {
	t.Helper()
	m, err := NewModel(NewVocab(tokens), DefaultModelConfig())
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// The example of the Fast WordPiece paper (figure 1): vocabulary
// {a, abcdx, ##b, ##c, ##cdy, ##dz}.
func TestModel_AppendEncodeWord_paper(t *testing.T) {
	m := tinyModel(t, "[UNK]", "a", "abcdx", "##b", "##c", "##cdy", "##dz")
	tests := []struct {
		word string
		want []uint32
	}{
		{"abcdz", []uint32{1, 3, 4, 6}}, // a ##b ##c ##dz
		{"abcdx", []uint32{2}},
		{"abcdy", []uint32{1, 3, 5}}, // a ##b ##cdy
		{"a", []uint32{1}},
		{"ab", []uint32{1, 3}},
		{"abcd", []uint32{0}}, // ##d is not a token
		{"b", []uint32{0}},
		{"abcdxb", []uint32{2, 3}},
		{"", nil},
	}
	for _, tt := range tests {
		got := m.AppendEncodeWord(nil, []byte(tt.word))
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("LinMaxMatch(%q) = %v, want %v", tt.word, got, tt.want)
		}
		ref := m.AppendEncodeWordGreedy(nil, []byte(tt.word))
		if !reflect.DeepEqual(ref, tt.want) {
			t.Errorf("greedy(%q) = %v, want %v", tt.word, ref, tt.want)
		}
	}
}

func TestModel_maxInputChars(t *testing.T) {
	m := tinyModel(t, "[UNK]", "a", "##a")
	w := strings.Repeat("a", 100)
	if got := m.AppendEncodeWord(nil, []byte(w)); len(got) != 100 {
		t.Fatalf("100 chars: %d pieces, want 100", len(got))
	}
	if got := m.AppendEncodeWord(nil, []byte(w+"a")); !reflect.DeepEqual(got, []uint32{0}) {
		t.Fatalf("101 chars: %v, want [0]", got)
	}
	// Characters, not bytes: 100 two-byte characters are within the limit.
	m2 := tinyModel(t, "[UNK]", "é", "##é")
	if got := m2.AppendEncodeWord(nil, []byte(strings.Repeat("é", 100))); len(got) != 100 {
		t.Fatalf("100 é: %d pieces, want 100", len(got))
	}
}

func TestModel_prefixAtWordStart(t *testing.T) {
	// A word that begins with the prefix itself goes through the greedy
	// path; check that both agree on the literal reading.
	m := tinyModel(t, "[UNK]", "#", "##", "##a", "a", "###")
	for _, w := range []string{"##", "##a", "###", "#a", "####", "#", "a##"} {
		got := m.AppendEncodeWord(nil, []byte(w))
		ref := m.AppendEncodeWordGreedy(nil, []byte(w))
		if !reflect.DeepEqual(got, ref) {
			t.Errorf("%q: fast %v, greedy %v", w, got, ref)
		}
	}
}

func TestNewModel_missingUnk(t *testing.T) {
	_, err := NewModel(NewVocab([]string{"a", "##b"}), DefaultModelConfig())
	if !errors.Is(err, ErrMissingUnk) {
		t.Fatalf("err = %v, want ErrMissingUnk", err)
	}
}

func TestModel_AppendEncodeWordSpans(t *testing.T) {
	m := tinyModel(t, "[UNK]", "un", "##aff", "##able")
	ids, spans := m.AppendEncodeWordSpans(nil, nil, []byte("unaffable"))
	if !reflect.DeepEqual(ids, []uint32{1, 2, 3}) || !reflect.DeepEqual(spans, [][2]int{{0, 2}, {2, 5}, {5, 9}}) {
		t.Fatalf("got %v %v", ids, spans)
	}
	ids, spans = m.AppendEncodeWordSpans(nil, nil, []byte("unx"))
	if !reflect.DeepEqual(ids, []uint32{0}) || !reflect.DeepEqual(spans, [][2]int{{0, 3}}) {
		t.Fatalf("got %v %v", ids, spans)
	}
}

// fuzzVocab is a small vocabulary over a few letters, so random words often
// need several pieces, fail halfway, or hit long failure-pop chains.
var fuzzVocab = []string{"[UNK]", "a", "b", "ab", "abc", "abcd", "bcd", "c", "é", "aé",
	"##a", "##b", "##c", "##d", "##ab", "##bc", "##bcd", "##cda", "##dab", "##abcd", "##é", "##éa",
	"#", "##", "###", "x", "xy", "##y", "##yx", "##xyx"}

func FuzzModel_linMaxMatchVsGreedy(f *testing.F) {
	for _, s := range []string{"abcd", "abcdab", "aabbccdd", "abcdz", "éa", "xyxyxy", "##a", "a#b", "\xff", "abc\xe9"} {
		f.Add(s, false)
	}
	m := tinyModel(f, fuzzVocab...)
	cfg := DefaultModelConfig()
	cfg.MaxInputCharsPerWord = 0
	mUnlimited, err := NewModel(NewVocab(fuzzVocab), cfg)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, word string, unlimited bool) {
		mm := m
		if unlimited {
			mm = mUnlimited
		}
		got := mm.AppendEncodeWord(nil, []byte(word))
		want := mm.AppendEncodeWordGreedy(nil, []byte(word))
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%q: LinMaxMatch %v, greedy %v", word, got, want)
		}
		// Spans tile the word.
		_, spans := mm.AppendEncodeWordSpans(nil, nil, []byte(word))
		pos := 0
		for _, s := range spans {
			if s[0] != pos || s[1] <= s[0] {
				t.Fatalf("%q: spans %v do not tile", word, spans)
			}
			pos = s[1]
		}
		if pos != len(word) {
			t.Fatalf("%q: spans %v end at %d", word, spans, pos)
		}
	})
}

func TestModel_longWord(t *testing.T) {
	// A 1 MB word whose segmentation needs failure pops all along: the
	// pieces must tile the word, and agree with the greedy reference on a
	// prefix (the greedy one is quadratic, so only on a prefix).
	cfg := DefaultModelConfig()
	cfg.MaxInputCharsPerWord = 0
	m, err := NewModel(NewVocab(fuzzVocab), cfg)
	if err != nil {
		t.Fatal(err)
	}
	w := bytes.Repeat([]byte("abcdab"), 1<<20/6)
	got, spans := m.AppendEncodeWordSpans(nil, nil, w)
	if len(got) < 2 || spans[len(spans)-1][1] != len(w) {
		t.Fatalf("got %d pieces ending at %v", len(got), spans[len(spans)-1])
	}
	ref := m.AppendEncodeWordGreedy(nil, w[:600])
	k := len(ref) - 1 // the last piece of the prefix may differ
	if !reflect.DeepEqual(got[:k], ref[:k]) {
		t.Fatalf("prefix differs from greedy: %v vs %v", got[:8], ref[:8])
	}
}
