package metrics

import (
	"math"
	"testing"

	"github.com/toklabs/tok"
	"github.com/toklabs/tok/rawbytes"
)

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-12*math.Max(1, math.Abs(b)) }

func TestBitsPerByte(t *testing.T) {
	// 8 bytes each given probability 1/2 by the model: NLL = 8 ln 2 → 1 bit per byte.
	if got := BitsPerByte(8*math.Ln2, 8); !near(got, 1) {
		t.Errorf("BitsPerByte = %v, want 1", got)
	}
	if got := Perplexity(4*math.Log(3), 4); !near(got, 3) {
		t.Errorf("Perplexity = %v, want 3", got)
	}
	if !math.IsNaN(BitsPerByte(1, 0)) {
		t.Error("BitsPerByte with no bytes is not NaN")
	}
}

func TestRenyi(t *testing.T) {
	tests := []struct {
		name   string
		counts []int64
		alpha  float64
		want   float64
	}{
		// A uniform distribution over k types has H_α = log2 k for every α.
		{"uniform4 α2.5", []int64{5, 5, 5, 5}, 2.5, 2},
		{"uniform4 shannon", []int64{5, 5, 5, 5}, 1, 2},
		{"uniform with zeros", []int64{3, 0, 3, 0}, 2.5, 1},
		// p = (3/4, 1/4), α = 2: H = −log2(9/16 + 1/16) = log2(1.6).
		{"skewed α2", []int64{3, 1}, 2, math.Log2(1.6)},
		// Shannon of (3/4, 1/4).
		{"skewed shannon", []int64{3, 1}, 1, -(0.75*math.Log2(0.75) + 0.25*math.Log2(0.25))},
	}
	for _, tc := range tests {
		if got := RenyiEntropy(tc.counts, tc.alpha); !near(got, tc.want) {
			t.Errorf("%s: H = %v, want %v", tc.name, got, tc.want)
		}
	}
	// Efficiency divides by log2 of the true vocabulary size, not the types seen.
	if got := RenyiEfficiency([]int64{1, 1, 0, 0, 0, 0, 0, 0}, 2.5, 8); !near(got, 1.0/3) {
		t.Errorf("efficiency = %v, want 1/3", got)
	}
}

// lowerTok is a lossy test tokenizer: it lowercases ASCII letters.
type lowerTok struct{ rawbytes.Tokenizer }

func (lowerTok) AppendEncode(dst []uint32, text []byte) []uint32 {
	for _, b := range text {
		if 'A' <= b && b <= 'Z' {
			b += 'a' - 'A'
		}
		dst = append(dst, uint32(b))
	}
	return dst
}

var _ tok.Tokenizer = lowerTok{}

func TestIntrinsicBytes(t *testing.T) {
	m := NewIntrinsic(rawbytes.Tokenizer{})
	m.AddTraining([]uint32{'a', 'b'})
	m.Add([]byte("ab  abc"))
	m.Add([]byte("é")) // two bytes, one char
	r := m.Report()
	want := IntrinsicReport{
		Documents: 2, Bytes: 9, Chars: 8, Words: 3, Tokens: 9, VocabSize: 256,
		BytesPerToken: 1, Fertility: 3, ContinuedWords: 1, TypesUsed: 6,
		UnseenTypes: 4, UnseenTokens: 5, // ' ' ×2, 'c', 0xC3, 0xA9
	}
	want.VocabUtilisation = 6.0 / 256
	// Counts: a2 b2 ' '2 c1 C3 1 A9 1 of 9 tokens.
	counts := make([]int64, 256)
	counts['a'], counts['b'], counts[' '], counts['c'], counts[0xC3], counts[0xA9] = 2, 2, 2, 1, 1, 1
	want.RenyiEfficiency = RenyiEfficiency(counts, 2.5, 256)
	want.ShannonEfficiency = RenyiEfficiency(counts, 1, 256)
	if r != want {
		t.Errorf("report\n got %+v\nwant %+v", r, want)
	}
}

func TestIntrinsicLossy(t *testing.T) {
	m := NewIntrinsic(lowerTok{})
	m.Add([]byte("already lower"))
	m.Add([]byte("Has Upper"))
	r := m.Report()
	if r.LossyDocuments != 1 || r.LossyBytes != int64(len("Has Upper")) {
		t.Errorf("lossy = %d docs, %d bytes; want 1, %d", r.LossyDocuments, r.LossyBytes, len("Has Upper"))
	}
	if r.UnseenTypes != -1 {
		t.Errorf("UnseenTypes = %d without training ids, want -1", r.UnseenTypes)
	}
}

func TestIntrinsicMerge(t *testing.T) {
	docs := []string{"one two", "three", "four five six"}
	whole := NewIntrinsic(rawbytes.Tokenizer{})
	a, b := NewIntrinsic(rawbytes.Tokenizer{}), NewIntrinsic(rawbytes.Tokenizer{})
	for i, d := range docs {
		whole.Add([]byte(d))
		if i%2 == 0 {
			a.Add([]byte(d))
		} else {
			b.Add([]byte(d))
		}
	}
	a.Merge(b)
	if a.Report() != whole.Report() {
		t.Errorf("merged %+v\nwhole  %+v", a.Report(), whole.Report())
	}
}

func TestWords(t *testing.T) {
	tests := []struct {
		text string
		want int64
	}{
		{"", 0}, {"   ", 0}, {"one", 1}, {" two  words\n", 2}, {"a\u3000b\u00a0c", 3}, {"\xffx y", 2},
	}
	for _, tc := range tests {
		if got := Words([]byte(tc.text)); got != tc.want {
			t.Errorf("Words(%q) = %d, want %d", tc.text, got, tc.want)
		}
	}
}
