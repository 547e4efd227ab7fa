package pretokenize

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/toklabs/tok"
	"github.com/toklabs/tok/internal/sharedtest"
)

// builtins are the patterns with a hand-written matcher.
var builtins = []struct {
	name, pattern string
}{
	{"gpt2", PatternGPT2},
	{"cl100k", PatternCL100K},
	{"qwen2", PatternQwen2},
	{"o200k", PatternO200K},
}

// engines returns the fast and the regexp2 matcher of pattern.
func engines(tb testing.TB, pattern string) (fast, slow Matcher) {
	tb.Helper()
	fast = fastMatcher(pattern)
	if fast == nil {
		tb.Fatalf("no fast matcher for %q", pattern)
	}
	slow, err := CompileRegexp(pattern)
	if err != nil {
		tb.Fatal(err)
	}
	return fast, slow
}

// checkSame fails when the two engines disagree on text, or when the spans
// do not tile text.
func checkSame(tb testing.TB, name string, fast, slow Matcher, text []byte) bool {
	tb.Helper()
	got := fast.AppendMatches(nil, text)
	want := slow.AppendMatches(nil, text)
	if !equalSpans(got, want) {
		i := 0
		for i < len(got) && i < len(want) && got[i] == want[i] {
			i++
		}
		tb.Errorf("%s on %q: first difference at match %d:\n fast %q\nregexp %q", name, clip(text, 300), i,
			AppendStrings(nil, text, got[i:min(i+4, len(got))]), AppendStrings(nil, text, want[i:min(i+4, len(want))]))
		return false
	}
	checkTiling(tb, name, text, got)
	for _, max := range []int{1, 1 + len(text)%7, 256} {
		if tiles := appendAllTiles(fast.(Tiler), text, max); !equalSpans(tiles, got) {
			tb.Errorf("%s on %q: AppendTiles in batches of %d gives %d spans, AppendMatches %d (or they differ)",
				name, clip(text, 300), max, len(tiles), len(got))
			return false
		}
	}
	return true
}

// appendAllTiles takes the matches of text max at a time with AppendTiles,
// each batch into a reused buffer, as a streaming caller does.
func appendAllTiles(m Tiler, text []byte, max int) []tok.Span {
	var all, buf []tok.Span
	for p := 0; p < len(text); {
		var e int
		buf, e = m.AppendTiles(buf[:0], text, p, max)
		if len(buf) == 0 || len(buf) > max || e <= p || buf[0].Start != p || buf[len(buf)-1].End != e {
			return append(all, tok.Span{Start: -1, End: -1}) // differs from any tiling
		}
		all = append(all, buf...)
		p = e
	}
	return all
}

func checkTiling(tb testing.TB, name string, text []byte, spans []tok.Span) {
	tb.Helper()
	p := 0
	for _, s := range spans {
		if s.Start != p || s.End <= s.Start {
			tb.Fatalf("%s on %q: spans do not tile the text: %v", name, clip(text, 300), spans)
		}
		p = s.End
	}
	if p != len(text) {
		tb.Fatalf("%s on %q: spans end at %d of %d", name, clip(text, 300), p, len(text))
	}
}

func clip(b []byte, n int) []byte {
	if len(b) > n {
		return b[:n]
	}
	return b
}

func equalSpans(a, b []tok.Span) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// tricky inputs for every built-in pattern.
var trickyTexts = []string{
	"", " ", "  ", "\n", "\r\n", " \n ", "a", "'", "''", "'s", "'S", "'ll", "'LL", "'lL", "'re", "'Re", "'ve", "'d", "'x",
	"don't", "DON'T", "I'm you're we've they'll he'd", "'sa", "a's", "A'S", "'ſ", "'ſt", "x'K", "x'İ",
	"Hello world", "Hello  world", "Hello   world  ", "  leading", "trailing  ", "a \n b", "a\n\n b", "a \r\n\r\n  b",
	"a\t\tb", "a\tb", "\tb", "a \t", "x\u00a0y", "x\u00a0\u00a0y", "x\u3000y", "\u3000\u3000", "x\u2028y", "x\u0085y",
	"12345678", "1 2 3", " 123", "x123y", "\u0661\u0662\u0663\u0664", "\u00b2\u00b3", "\u2160\u2161\u2162\u2163",
	"!!!", " !!!", "!!!\n\n", " !!!\r\n", "a/b//c/\n", "https://x.y/z?q=1", "<|endoftext|>", "...\n\n\n",
	"HTTPServer", "iPhone", "camelCaseWord", "ALLCAPS", "ABCdef", "aBC", "ǅemal", "ǅ", "ʰʰx", "中文字符", "日本語のテキスト",
	"한국어", "e\u0301", "\u0301\u0301", " \u0301x", "A\u0301B", "A\u0301b", "a\u0301'S", "Ab's", "AB'S", "\u0301's", "x\u0301\u0301'll",
	"Ὰ", "ᾈ", "ᾈa", "Aᾈ", "ABCᾈ", "ABʰC", "ABʰCd", "ʰAB", "ʰ'd", "\u02b0\u02b0'D",
	"\xff", "\xff\xfe", "a\xffb", " \xff", "\xe4\xb8", "\xe4\xb8a", "\xf0\x9f\x98", "x\xc0\xafy", "\xed\xa0\x80",
	"😀😀", " 😀", "👨‍👩‍👧", "🇺🇸", "\U00020000\U00020001", "𝐀𝐁𝐜", "\ufeffx", "\u200bx", "\u200dx",
	"a\r", "a\r\r", "!\r", " !\r\n x", "\r\n\r\n", "  \r\n  x", " \r x", "\v\f", "\x1c\x1d\x1e\x1f",
	"int main() {\n\treturn 0;\n}\n", "    if x:\n        y = 1\n", "foo_bar = baz(1, 2)\n",
	strings.Repeat(" ", 100) + "x", strings.Repeat("a", 1000), strings.Repeat("\n", 50), strings.Repeat("1", 10),
}

func TestMatchers_tricky(t *testing.T) {
	for _, b := range builtins {
		fast, slow := engines(t, b.pattern)
		for _, s := range trickyTexts {
			checkSame(t, b.name, fast, slow, []byte(s))
		}
	}
}

// TestMatchers_known checks a few splits against the reference tools'
// documented behaviour (hand-checked token boundaries of tiktoken).
func TestMatchers_known(t *testing.T) {
	cases := []struct {
		name, text string
		want       []string
	}{
		{"gpt2", "Hello world's  12345!!\n\n", []string{"Hello", " world", "'s", " ", " 12345", "!!", "\n\n"}},
		{"cl100k", "Hello world'S  12345!!\n\n", []string{"Hello", " world", "'S", " ", " ", "123", "45", "!!\n\n"}},
		{"qwen2", "x 123", []string{"x", " ", "1", "2", "3"}},
		{"o200k", "HTTPServer iPhone's", []string{"HTTPServer", " i", "Phone's"}},
		{"o200k", "a/b//\n", []string{"a", "/b", "//\n"}},
		// npm tiktoken 1.0.22 encodes "\n   " as [198 262] ("\n", "   ")
		// with cl100k_base: the reference splits a final whitespace run
		// after its last newline (Python tiktoken's possessive variant
		// with \s++$ would keep "\n   " whole).
		{"cl100k", "x\n   ", []string{"x", "\n", "   "}},
	}
	for _, c := range cases {
		p, _ := Named(c.name)
		m := MustCompile(p)
		text := []byte(c.text)
		got := AppendStrings(nil, text, m.AppendMatches(nil, text))
		if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", c.want) {
			t.Errorf("%s %q: got %q, want %q", c.name, c.text, got, c.want)
		}
	}
}

// TestMatchers_golden compares the engines on every line of the golden
// texts, and on each whole text.
func TestMatchers_golden(t *testing.T) {
	for _, name := range []string{"en", "code", "multi", "edge"} {
		data, err := os.ReadFile(sharedtest.Path(t, "golden/texts/"+name+".txt"))
		if err != nil {
			t.Fatal(err)
		}
		lines := bytes.Split(bytes.TrimSuffix(data, []byte("\n")), []byte("\n"))
		for _, b := range builtins {
			fast, slow := engines(t, b.pattern)
			bad := 0
			for _, line := range lines {
				if !checkSame(t, b.name+"/"+name, fast, slow, line) {
					bad++
					if bad > 3 {
						t.Fatalf("%s/%s: stopping after %d differing lines", b.name, name, bad)
					}
				}
			}
			checkSame(t, b.name+"/"+name+"/whole", fast, slow, data)
			t.Logf("%s/%s: %d lines, %d differ", b.name, name, len(lines), bad)
		}
	}
}

func TestCompile_picksFast(t *testing.T) {
	for _, n := range Names() {
		p, ok := Named(n)
		if !ok {
			t.Fatalf("Named(%q) not found", n)
		}
		m, err := Compile(p)
		if err != nil {
			t.Fatal(err)
		}
		if _, slow := m.(*regexpMatcher); slow {
			t.Errorf("Compile(Named(%q)) is the regexp engine", n)
		}
	}
	m, err := Compile(`\w+`)
	if err != nil {
		t.Fatal(err)
	}
	if _, slow := m.(*regexpMatcher); !slow {
		t.Errorf("Compile(\\w+) is %T", m)
	}
	if _, ok := Named("nope"); ok {
		t.Error("Named(nope) found")
	}
	if _, err := CompileNamed("nope"); err == nil {
		t.Error("CompileNamed(nope) succeeded")
	}
}

func fuzzMatcher(f *testing.F, pattern string) {
	for _, s := range trickyTexts {
		f.Add([]byte(s))
	}
	fast, slow := engines(f, pattern)
	f.Fuzz(func(t *testing.T, text []byte) {
		checkSame(t, "fuzz", fast, slow, text)
		checkSame(t, "fuzz/palette", fast, slow, paletteText(text))
	})
}

func FuzzMatcher_gpt2(f *testing.F)   { fuzzMatcher(f, PatternGPT2) }
func FuzzMatcher_cl100k(f *testing.F) { fuzzMatcher(f, PatternCL100K) }
func FuzzMatcher_qwen2(f *testing.F)  { fuzzMatcher(f, PatternQwen2) }
func FuzzMatcher_o200k(f *testing.F)  { fuzzMatcher(f, PatternO200K) }

// palette holds characters of every class the built-in patterns tell apart:
// each class of o200k (Lu, Ll, Lt, Lm, Lo, Mn, Mc, Me), numbers (Nd, Nl,
// No), the whitespace kinds, newlines, apostrophes and contraction letters
// in both cases, '/', symbols, and invalid UTF-8.
var palette = []string{
	"A", "Z", "a", "z", "s", "S", "t", "T", "r", "R", "e", "E", "v", "V", "m", "M", "l", "L", "d", "D", "k",
	"'", "'", "'", "/", "!", "-", "_", "$", "😀", "\u00e9", "\u00c9", "\u01c5", "\u02b0", "\u4e2d", "\u3042",
	"\u0301", "\u0903", "\u20dd", "\u017f", "\u212a", "\u0130", "1", "9", "\u0662", "\u2163", "\u00bd", "\U0001d41a", "\U0001d400",
	" ", " ", " ", "\t", "\n", "\r", "\v", "\u00a0", "\u3000", "\u2028", "\u0085", "\u200b", "\ufeff", "\xff", "\xe4\xb8",
}

// paletteText maps each byte of b to a palette entry.
func paletteText(b []byte) []byte {
	var out []byte
	for _, c := range b {
		out = append(out, palette[int(c)%len(palette)]...)
	}
	return out
}

// TestMatchers_random compares the engines on pseudo-random texts drawn
// from the palette (a deterministic complement of the fuzz tests).
func TestMatchers_random(t *testing.T) {
	n := 3000
	if testing.Short() {
		n = 300
	}
	for _, b := range builtins {
		fast, slow := engines(t, b.pattern)
		x := uint64(0x9e3779b97f4a7c15)
		bad := 0
		for i := 0; i < n && bad < 3; i++ {
			buf := make([]byte, 1+i%40)
			for j := range buf {
				x ^= x << 13
				x ^= x >> 7
				x ^= x << 17
				buf[j] = byte(x)
			}
			if !checkSame(t, b.name, fast, slow, paletteText(buf)) {
				bad++
			}
		}
	}
}

// TestMatchers_long compares the engines on long runs of one class, where
// a careless matcher backtracks too far or splits runs differently.
func TestMatchers_long(t *testing.T) {
	n := 64 << 10
	for _, unit := range []string{" ", "a", "A", "ʰ", "\u0301", "1", "!", "\n", " \n", "\r\n ", "中", "Ab", "aB", " a", "'s", "\xff"} {
		text := []byte(strings.Repeat(unit, n/len(unit)))
		for _, b := range builtins {
			fast, slow := engines(t, b.pattern)
			checkSame(t, b.name+"/"+fmt.Sprintf("%q*", unit), fast, slow, text)
			checkSame(t, b.name+"/"+fmt.Sprintf("%q*x", unit), fast, slow, append(text, " x"...))
		}
	}
}
