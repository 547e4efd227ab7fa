package normalize

import (
	"bufio"
	"encoding/json"
	"os"
	"slices"
	"testing"
	"unicode/utf8"

	"github.com/toklabs/tok"
)

func boolp(b bool) *bool { return &b }

func sp(start, end int) tok.Span { return tok.Span{Start: start, End: end} }

// hfNormalizers maps the names used in testdata/hf-normalizers.jsonl to
// the normalizer each stands for (see gen-hf-normalizers.js).
var hfNormalizers = map[string]Normalizer{
	"bert":                 DefaultBert(),
	"bert-cased":           NewBert(true, true, nil, false),
	"bert-nostrip":         NewBert(true, true, boolp(false), true),
	"bert-nochinese":       NewBert(true, false, nil, true),
	"bert-noclean":         NewBert(false, true, nil, true),
	"nfc":                  NFC,
	"nfd":                  NFD,
	"nfkc":                 NFKC,
	"nfkd":                 NFKD,
	"lowercase":            Lowercase{},
	"strip-accents":        StripAccents{},
	"strip":                Strip{Left: true, Right: true},
	"strip-left":           Strip{Left: true},
	"strip-right":          Strip{Right: true},
	"nmt":                  Nmt{},
	"prepend":              Prepend{Prefix: "▁"},
	"replace":              NewReplaceString(" ", "▁"),
	"replace-multi":        NewReplaceString("ab", "X"),
	"seq-nfkd-strip-lower": Sequence{NFKD, StripAccents{}, Lowercase{}},
	"seq-prepend-replace":  Sequence{Prepend{Prefix: "▁"}, NewReplaceString(" ", "▁")},
}

type hfCase struct {
	N   string `json:"n"`
	In  string `json:"in"`
	Out string `json:"out"`
}

func loadHFCases(t *testing.T) []hfCase {
	t.Helper()
	f, err := os.Open("testdata/hf-normalizers.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cases []hfCase
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var c hfCase
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatal(err)
		}
		cases = append(cases, c)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(cases) < 100 {
		t.Fatalf("only %d cases in testdata", len(cases))
	}
	return cases
}

// TestHFNormalizers compares every normalizer with the output of HF
// tokenizers' own normalizers (testdata/hf-normalizers.jsonl).
func TestHFNormalizers(t *testing.T) {
	for _, c := range loadHFCases(t) {
		n, ok := hfNormalizers[c.N]
		if !ok {
			t.Fatalf("no normalizer for %q", c.N)
		}
		got := string(n.Normalize(nil, []byte(c.In)))
		if got != c.Out {
			t.Errorf("%s(%q) = %q, HF gives %q", c.N, c.In, got, c.Out)
		}
		gotA, align := n.NormalizeAligned(nil, nil, []byte(c.In))
		if string(gotA) != c.Out {
			t.Errorf("%s aligned(%q) = %q, HF gives %q", c.N, c.In, gotA, c.Out)
		}
		checkAlign(t, c.N, []byte(c.In), gotA, align)
	}
}

// checkAlign checks the alignment invariants: one non-empty span per
// output byte, inside the input, and non-decreasing starts.
func checkAlign(t *testing.T, name string, in, out []byte, align []tok.Span) {
	t.Helper()
	if len(align) != len(out) {
		t.Errorf("%s(%q): %d spans for %d bytes", name, in, len(align), len(out))
		return
	}
	prev := 0
	for i, sp := range align {
		if sp.Start < 0 || sp.End > len(in) || sp.Start >= sp.End {
			t.Errorf("%s(%q): byte %d has span %v", name, in, i, sp)
			return
		}
		if sp.Start < prev {
			t.Errorf("%s(%q): byte %d span %v goes back before %d", name, in, i, sp, prev)
			return
		}
		prev = sp.Start
	}
}

func TestAlignKnown(t *testing.T) {
	tests := []struct {
		n     Normalizer
		in    string
		out   string
		align []tok.Span
	}{
		{Lowercase{}, "AB", "ab", []tok.Span{sp(0, 1), sp(1, 2)}},
		{Lowercase{}, "İ", "i\u0307", []tok.Span{sp(0, 2), sp(0, 2), sp(0, 2)}},
		{DefaultBert(), "a中", "a 中 ", []tok.Span{sp(0, 1), sp(1, 4), sp(1, 4), sp(1, 4), sp(1, 4), sp(1, 4)}},
		{DefaultBert(), "é", "e", []tok.Span{sp(0, 2)}},
		{Prepend{"_"}, "ab", "_ab", []tok.Span{sp(0, 1), sp(0, 1), sp(1, 2)}},
		{NewReplaceString("ab", "X"), "cabd", "cXd", []tok.Span{sp(0, 1), sp(1, 3), sp(3, 4)}},
		{Strip{Left: true, Right: true}, " a ", "a", []tok.Span{sp(1, 2)}},
		{Sequence{Prepend{"▁"}, NewReplaceString(" ", "▁")}, "a b", "▁a▁b",
			[]tok.Span{sp(0, 1), sp(0, 1), sp(0, 1), sp(0, 1), sp(1, 2), sp(1, 2), sp(1, 2), sp(2, 3)}},
		{NFC, "e\u0301x", "éx", []tok.Span{sp(0, 3), sp(0, 3), sp(3, 4)}},
	}
	for _, tt := range tests {
		out, align := tt.n.NormalizeAligned(nil, nil, []byte(tt.in))
		if string(out) != tt.out {
			t.Errorf("%T(%q) = %q, want %q", tt.n, tt.in, out, tt.out)
			continue
		}
		if len(align) != len(tt.align) {
			t.Errorf("%T(%q) align = %v, want %v", tt.n, tt.in, align, tt.align)
			continue
		}
		for i := range align {
			if align[i] != tt.align[i] {
				t.Errorf("%T(%q) align = %v, want %v", tt.n, tt.in, align, tt.align)
				break
			}
		}
	}
}

// TestInvalidUTF8 checks that bytes outside UTF-8 pass through unchanged.
func TestInvalidUTF8(t *testing.T) {
	in := []byte("a\xffb\xc3")
	for name, n := range map[string]Normalizer{"nfc": NFC, "nfkc": NFKC, "lower": Lowercase{}, "prepend": Prepend{"x"}} {
		out := n.Normalize(nil, in)
		if utf8.Valid(out) {
			t.Errorf("%s: invalid bytes were lost: %q", name, out)
		}
	}
	if got := string(Lowercase{}.Normalize(nil, in)); got != string(in) {
		t.Errorf("lowercase(%q) = %q", in, got)
	}
}

func TestByteLevelAlphabet(t *testing.T) {
	if r := ByteLevelRune(' '); r != 'Ġ' {
		t.Errorf("space -> %q", r)
	}
	if r := ByteLevelRune('\n'); r != 'Ċ' {
		t.Errorf("LF -> %q", r)
	}
	if r := ByteLevelRune(0xAD); r != 'Ń' {
		t.Errorf("0xAD -> %q", r)
	}
	seen := map[rune]bool{}
	for b := 0; b < 256; b++ {
		r := ByteLevelRune(byte(b))
		if seen[r] {
			t.Fatalf("rune %q used twice", r)
		}
		seen[r] = true
		if back, ok := ByteLevelByte(r); !ok || back != byte(b) {
			t.Fatalf("byte %#x -> %q -> %#x %v", b, r, back, ok)
		}
	}
}

func FuzzNormalizeAligned(f *testing.F) {
	f.Add([]byte("Héllo 中文 İ\u0301 x\xff"))
	f.Add([]byte("e\u0301\u0302 \u1100\u1161\u11a8"))
	names := []string{"bert", "nfc", "nfkd", "seq-nfkd-strip-lower", "seq-prepend-replace", "strip"}
	f.Fuzz(func(t *testing.T, in []byte) {
		for _, name := range names {
			n := hfNormalizers[name]
			plain := n.Normalize(nil, in)
			out, align := n.NormalizeAligned(nil, nil, in)
			if string(plain) != string(out) {
				t.Fatalf("%s(%q): Normalize %q != NormalizeAligned %q", name, in, plain, out)
			}
			checkAlign(t, name, in, out, align)
			if seq, ok := n.(Sequence); ok {
				wantOut, wantAlign := sequenceAlignedNaive(seq, in)
				if string(out) != string(wantOut) || !slices.Equal(align, wantAlign) {
					t.Fatalf("%s(%q): %q %v, naive %q %v", name, in, out, align, wantOut, wantAlign)
				}
			}
		}
	})
}

// sequenceAlignedNaive is Sequence.NormalizeAligned with fresh buffers
// for every stage (the pooled version's reference).
func sequenceAlignedNaive(s Sequence, src []byte) ([]byte, []tok.Span) {
	cur, curAlign := s[0].NormalizeAligned(nil, nil, src)
	for _, n := range s[1:] {
		next, nextAlign := n.NormalizeAligned(nil, nil, cur)
		curAlign = Compose(nil, curAlign, nextAlign)
		cur = next
	}
	return cur, curAlign
}

func BenchmarkNormalize(b *testing.B) {
	inputs := map[string]string{
		"ascii": "The quick brown fox jumps over the lazy dog. 0123456789 ",
		"cjk":   "中文字符和日本語のテキスト、한국어 텍스트。",
		"latin": "Ça été très élégant, naïve façade, Straße. ",
	}
	for _, name := range []string{"bert", "nfc", "nfkc", "lowercase", "seq-prepend-replace"} {
		for class, s := range inputs {
			in := []byte(s)
			for len(in) < 4096 {
				in = append(in, s...)
			}
			n := hfNormalizers[name]
			b.Run(name+"/"+class, func(b *testing.B) {
				b.SetBytes(int64(len(in)))
				b.ReportAllocs()
				var dst []byte
				for b.Loop() {
					dst = n.Normalize(dst[:0], in)
				}
			})
		}
	}
}
