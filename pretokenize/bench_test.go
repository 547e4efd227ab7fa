package pretokenize

import (
	"bytes"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/toklabs/tok"
	"github.com/toklabs/tok/internal/cputime"
	"github.com/toklabs/tok/internal/sharedtest"
)

// Benchmark inputs by class, made by repeating a sample up to the size.
var benchSamples = map[string]string{
	"english": "It was the best of times, it was the worst of times, it was the age of wisdom, it was the age of " +
		"foolishness; we'd all gone direct to Heaven, we're all going direct the other way. In 1775 there were 2,000 " +
		"such cases!\n\nThe Dover mail, as it lumbered up Shooter's Hill, didn't stop.\n",
	"cjk": "吾輩は猫である。名前はまだ無い。どこで生れたかとんと見当がつかぬ。何でも薄暗いじめじめした所で" +
		"ニャーニャー泣いていた事だけは記憶している。天下大势，分久必合，合久必分。周末七国分争，并入于秦。\n",
	"code": "func (m *Matcher) AppendMatches(dst []tok.Span, text []byte) []tok.Span {\n\tfor p := 0; p < len(text); {\n" +
		"\t\te := next(text, p) // TODO: x/y\n\t\tdst = append(dst, tok.Span{Start: p, End: e})\n\t\tp = e\n\t}\n\treturn dst\n}\n\n",
	"spaces":  " ",
	"letters": "a",
}

func benchInput(class string, size int) []byte {
	s := benchSamples[class]
	return bytes.Repeat([]byte(s), size/len(s)+1)[:size]
}

// BenchmarkMatcher_AppendMatches measures both engines on each built-in
// pattern and input class. The regexp engine runs only on the 64 KiB inputs;
// the fast one also on 1 MiB (and 10 MiB of one letter) to show linear time.
func BenchmarkMatcher_AppendMatches(b *testing.B) {
	const small, large = 64 << 10, 1 << 20
	for _, pat := range builtins {
		fast, slow := engines(b, pat.pattern)
		for _, class := range []string{"english", "cjk", "code", "spaces", "letters"} {
			sizes := []int{small, large}
			if class == "letters" {
				sizes = append(sizes, 10<<20)
			}
			for _, size := range sizes {
				text := benchInput(class, size)
				for _, eng := range []struct {
					name string
					m    Matcher
				}{{"fast", fast}, {"regexp2", slow}} {
					if eng.name == "regexp2" && size != small {
						continue
					}
					b.Run(fmt.Sprintf("%s/%s/%s/%dKiB", pat.name, eng.name, class, size>>10), func(b *testing.B) {
						b.SetBytes(int64(len(text)))
						b.ReportAllocs()
						var dst = eng.m.AppendMatches(nil, text)
						cpu0, _ := cputime.Process()
						for b.Loop() {
							dst = eng.m.AppendMatches(dst[:0], text)
						}
						reportCPU(b, len(text), cpu0)
					})
				}
			}
		}
	}
}

func BenchmarkBert(b *testing.B) {
	for _, class := range []string{"english", "cjk", "code"} {
		text := benchInput(class, 64<<10)
		for _, impl := range []struct {
			name string
			f    SplitFunc
		}{{"fast", Bert()}, {"naive", bertNaive()}} {
			b.Run(impl.name+"/"+class, func(b *testing.B) {
				b.SetBytes(int64(len(text)))
				b.ReportAllocs()
				dst := Pieces(impl.f, text)
				cpu0, _ := cputime.Process()
				for b.Loop() {
					dst = impl.f(dst[:0], text, spanOf(text))
				}
				reportCPU(b, len(text), cpu0)
			})
		}
	}
}

func spanOf(text []byte) tok.Span { return tok.Span{Start: 0, End: len(text)} }

// BenchmarkPeer_lines runs the pre-tokenizers that testdata/bench-hf.js
// times in HF tokenizers, the same way (one call per line of the golden
// English text), for a side-by-side.
func BenchmarkPeer_lines(b *testing.B) {
	data, err := os.ReadFile(sharedtest.Path(b, "golden/texts/en.txt"))
	if err != nil {
		b.Fatal(err)
	}
	lines := bytes.Split(data, []byte("\n"))
	for _, c := range []struct {
		name string
		f    SplitFunc
	}{
		{"bert", Bert()},
		{"whitespace", Whitespace()},
		{"bytelevel_gpt2_regex", ByteLevelSplit()},
		{"split_string_space", SplitString(" ", Isolated, false)},
		{"cl100k_regexp2", Split(mustRegexp(b, PatternCL100K), Isolated, false)},
		{"cl100k_fast", Split(MustCompile(PatternCL100K), Isolated, false)},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			var dst []tok.Span
			cpu0, _ := cputime.Process()
			for b.Loop() {
				for _, l := range lines {
					dst = c.f(dst[:0], l, tok.Span{Start: 0, End: len(l)})
				}
			}
			reportCPU(b, len(data), cpu0)
		})
	}
}

func mustRegexp(tb testing.TB, p string) Matcher {
	m, err := CompileRegexp(p)
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

// reportCPU reports the throughput per second of CPU time since start
// ("cpuMB/s"), which a busy machine disturbs less than MB/s of wall time.
func reportCPU(b *testing.B, size int, start time.Duration) {
	end, ok := cputime.Process()
	if cpu := end - start; ok && cpu > 0 && b.N > 0 {
		b.ReportMetric(float64(size)*float64(b.N)/cpu.Seconds()/1e6, "cpuMB/s")
	}
}

// BenchmarkMatcher_AppendMatchesParallel shares one matcher between
// goroutines (matchers are safe for concurrent use and hold no locks).
func BenchmarkMatcher_AppendMatchesParallel(b *testing.B) {
	text := benchInput("english", 64<<10)
	for _, pat := range builtins {
		m := MustCompile(pat.pattern)
		b.Run(pat.name, func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				var dst []tok.Span
				for pb.Next() {
					dst = m.AppendMatches(dst[:0], text)
				}
			})
		})
	}
}
