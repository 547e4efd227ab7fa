package wordpiece

import (
	"reflect"
	"testing"
	"unicode/utf8"

	"github.com/toklabs/tok"
	"github.com/toklabs/tok/internal/sharedtest"
	"github.com/toklabs/tok/pretokenize"
)

// encodeNaive is the BERT pipeline written plainly, as HF runs it: split
// out special tokens, then for each stretch normalize the whole of it
// (invalid bytes read as U+FFFD), pre-tokenize, and encode each word with
// the greedy reference.
func encodeNaive(b *BERT, text []byte) []uint32 {
	var out []uint32
	stretch := func(s []byte) {
		if !utf8.Valid(s) {
			s, _ = replaceInvalid(nil, nil, s)
		}
		n := b.norm.Normalize(nil, s)
		for _, w := range pretokenize.AppendBert(nil, n, tok.Span{Start: 0, End: len(n)}) {
			out = b.model.AppendEncodeWordGreedy(out, n[w.Start:w.End])
		}
	}
	start := 0
	for i := 0; i < len(text); i++ {
		if sp, ok := b.matchSpecial(text[i:]); ok {
			stretch(text[start:i])
			out = append(out, sp.ID)
			i += len(sp.Content) - 1
			start = i + 1
		}
	}
	stretch(text[start:])
	return out
}

// fuzzBERT is a small vocabulary with accents, CJK, and pieces that need
// failure pops.
func fuzzBERT(t testing.TB, cased bool) *BERT {
	v := NewVocab(append(append([]string{}, fuzzVocab...),
		"[CLS]", "[SEP]", "[MASK]", ".", ",", "!", "é", "e", "##e", "中", "文", "ı", "i", "##i", "İ", "a\u0307", "##\u0307", "\u0307",
		"cafe", "café", "ab", "##é", "σ", "ς", "##σ", "Σ", "A", "B", "##B", "AB"))
	cfg := DefaultBERTConfig()
	if cased {
		cfg = CasedBERTConfig()
	}
	b, err := NewBERT(v, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func FuzzBERT_vsNaive(f *testing.F) {
	for _, s := range []string{"Hello, World!", "café Café CAFÉ", "中文abc", "a\u0301b", "x\x00y\x7fz", "İstanbul",
		"[CLS] ab [SEP]ab[MASK]", "\xff\xfeab\xc3", "ΣΑΣ σας", "a\u0307\u0301bc", "e\u0323\u0301", "\u3000ab\u00a0cd",
		"ab\u0f39cd", "\U00020000x", "x\u200by", "a\tb\nc\rd\ve\ff"} {
		f.Add(s, false)
	}
	uncased, cased := fuzzBERT(f, false), fuzzBERT(f, true)
	f.Fuzz(func(t *testing.T, text string, isCased bool) {
		b := uncased
		if isCased {
			b = cased
		}
		want := encodeNaive(b, []byte(text))
		got := b.AppendEncode(nil, []byte(text))
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%q (cased %v):\n got %v\nwant %v", text, isCased, got, want)
		}
		ids, offs := b.AppendEncodeOffsets(nil, nil, []byte(text))
		if !reflect.DeepEqual(ids, want) {
			t.Fatalf("%q: offsets path ids %v, want %v", text, ids, want)
		}
		last := 0
		for i, sp := range offs {
			if sp.Start < 0 || sp.End > len(text) || sp.Start > sp.End || sp.Start < last {
				t.Fatalf("%q: offset %d = %v out of order or range (%v)", text, i, sp, offs)
			}
			last = sp.Start
		}
	})
}

func TestBERT_invalidUTF8(t *testing.T) {
	b := fuzzBERT(t, false)
	// Invalid bytes act as U+FFFD, which CleanText removes: they vanish and
	// do not split the word.
	if got, want := b.AppendEncode(nil, []byte("a\xffb")), b.AppendEncode(nil, []byte("ab")); !reflect.DeepEqual(got, want) {
		t.Errorf("a\\xffb = %v, want %v (as ab)", got, want)
	}
	ids, offs := b.AppendEncodeOffsets(nil, nil, []byte("\xffab"))
	if len(ids) != 1 || offs[0] != (tok.Span{Start: 1, End: 3}) {
		t.Errorf("\\xffab: %v %v, want one token at [1,3)", ids, offs)
	}
}

// TestModel_linMaxMatchVsGreedyBERT compares LinMaxMatch with the greedy
// reference on every distinct normalized word of the golden texts, for
// both BERT vocabularies, with the 100-character limit off so that long
// words are segmented too.
func TestModel_linMaxMatchVsGreedyBERT(t *testing.T) {
	for _, cased := range []bool{false, true} {
		b := bertFor(t, cased)
		cfg := b.Model().Config()
		cfg.MaxInputCharsPerWord = 0
		m, err := NewModel(b.Model().Vocab(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, name := range goldenTexts {
			for _, l := range readLines(t, sharedtest.Path(t, "golden/texts/"+name+".txt")) {
				n := b.norm.Normalize(nil, l)
				for _, w := range pretokenize.AppendBert(nil, n, tok.Span{Start: 0, End: len(n)}) {
					word := n[w.Start:w.End]
					if seen[string(word)] || len(word) > 2000 {
						continue
					}
					seen[string(word)] = true
					got := m.AppendEncodeWord(nil, word)
					want := m.AppendEncodeWordGreedy(nil, word)
					if !reflect.DeepEqual(got, want) {
						t.Fatalf("cased=%v %q: LinMaxMatch %v, greedy %v", cased, word, got, want)
					}
				}
			}
		}
		t.Logf("cased=%v: %d distinct words agree", cased, len(seen))
	}
}
