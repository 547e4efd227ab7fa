package pretokenize

import (
	"errors"
	"fmt"
	"testing"

	"github.com/toklabs/tok"
)

func TestTranslatePossessive(t *testing.T) {
	cases := []struct{ in, want string }{
		{`abc`, `abc`},
		{`a+`, `a+`},
		{`a++`, `(?>a+)`},
		{`a*+b`, `(?>a*)b`},
		{`a?+`, `(?>a?)`},
		{`\p{L}++`, `(?>\p{L}+)`},
		{`[^\r\n\p{L}\p{N}]?+\p{L}++`, `(?>[^\r\n\p{L}\p{N}]?)(?>\p{L}+)`},
		{`\p{N}{1,3}+`, `(?>\p{N}{1,3})`},
		{`(ab)++c`, `(?>(ab)+)c`},
		{`(?i:[sdmt]|ll)++`, `(?>(?i:[sdmt]|ll)+)`},
		{`[+]+`, `[+]+`},
		{`[]+]++`, `(?>[]+]+)`},
		{`\++`, `\++`},
		{`\+++`, `(?>\++)`},
		{`a+?`, `a+?`},
		{`x{2}+`, `(?>x{2})`},
		{`x{+`, `x{+`},
		{`a|b++|c`, `a|(?>b+)|c`},
		{`[a-z-[aeiou]]++`, `(?>[a-z-[aeiou]]+)`},
		{`\s++$`, `(?>\s+)$`},
		{`\w+`, `[\p{L}\p{M}\p{N}\p{Pc}]+`},
		{`\W`, `[^\p{L}\p{M}\p{N}\p{Pc}]`},
		{`[^\w\s]+`, `[^\p{L}\p{M}\p{N}\p{Pc}\s]+`},
		{`\\w`, `\\w`},
	}
	for _, c := range cases {
		got, err := translatePattern(c.in)
		if err != nil || got != c.want {
			t.Errorf("translatePattern(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{`a)++`, `[a++`, `\p{L++`} {
		if _, err := translatePattern(bad); !errors.Is(err, ErrPattern) {
			t.Errorf("translatePattern(%q): err = %v, want ErrPattern", bad, err)
		}
	}
}

func TestCompileRegexp(t *testing.T) {
	cases := []struct {
		pattern, text string
		want          []string
	}{
		{`a+a`, "aaa", []string{"aaa"}},
		{`a++a`, "aaa", nil}, // possessive: never gives one back
		{`\d+`, "a12b3", []string{"12", "3"}},
		{`x*`, "axx", []string{"", "xx", ""}}, // empty matches, as regexp2 reports them
		{`\s+(?!\S)`, "a   b", []string{"  "}},
		// Python tiktoken's possessive cl100k keeps a final whitespace run
		// whole, where PatternCL100K splits after the last newline.
		{`'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s`,
			"a\n ", []string{"a", "\n "}},
		{PatternCL100K, "a\n ", []string{"a", "\n", " "}},
		{`.`, "a\xffb", []string{"a", "\xff", "b"}}, // an invalid byte is one character
	}
	for _, c := range cases {
		m, err := CompileRegexp(c.pattern)
		if err != nil {
			t.Fatal(err)
		}
		text := []byte(c.text)
		got := AppendStrings(nil, text, m.AppendMatches(nil, text))
		if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", c.want) {
			t.Errorf("%q on %q: got %q, want %q", c.pattern, c.text, got, c.want)
		}
	}
	if _, err := CompileRegexp(`(`); !errors.Is(err, ErrPattern) {
		t.Errorf("CompileRegexp((): err = %v", err)
	}
	if _, err := Compile(`[`); !errors.Is(err, ErrPattern) {
		t.Errorf("Compile([): err = %v", err)
	}
}

// TestMatchers_concurrent runs every engine from several goroutines (run
// with -race to check the matchers share no mutable state).
func TestMatchers_concurrent(t *testing.T) {
	text := []byte("Hello, world! 你好 123 don't\n\n")
	for _, p := range []string{PatternGPT2, PatternCL100K, PatternO200K, `\w+`} {
		m := MustCompile(p)
		want := fmt.Sprint(m.AppendMatches(nil, text))
		done := make(chan string)
		for g := 0; g < 4; g++ {
			go func() {
				var got []tok.Span
				for i := 0; i < 50; i++ {
					got = m.AppendMatches(got[:0], text)
				}
				done <- fmt.Sprint(got)
			}()
		}
		for g := 0; g < 4; g++ {
			if got := <-done; got != want {
				t.Errorf("%q: concurrent result %s, want %s", p, got, want)
			}
		}
	}
}
