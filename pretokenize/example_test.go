package pretokenize_test

import (
	"fmt"

	"github.com/toklabs/tok/pretokenize"
)

func ExampleCompile() {
	m, err := pretokenize.Compile(pretokenize.PatternCL100K)
	if err != nil {
		panic(err)
	}
	text := []byte("Hello world's  12345 tokens!\n")
	fmt.Printf("%q\n", pretokenize.AppendStrings(nil, text, m.AppendMatches(nil, text)))
	// Output:
	// ["Hello" " world" "'s" " " " " "123" "45" " tokens" "!\n"]
}

func ExampleBert() {
	text := []byte("Hello, world! (don't)")
	spans := pretokenize.Pieces(pretokenize.Bert(), text)
	fmt.Printf("%q\n", pretokenize.AppendStrings(nil, text, spans))
	// Output:
	// ["Hello" "," "world" "!" "(" "don" "'" "t" ")"]
}

func ExampleSplitString() {
	text := []byte("the-final--countdown")
	for _, b := range []pretokenize.Behavior{pretokenize.Removed, pretokenize.Isolated,
		pretokenize.MergedWithPrevious, pretokenize.MergedWithNext, pretokenize.Contiguous} {
		spans := pretokenize.Pieces(pretokenize.SplitString("-", b, false), text)
		fmt.Printf("%s %q\n", b, pretokenize.AppendStrings(nil, text, spans))
	}
	// Output:
	// Removed ["the" "final" "countdown"]
	// Isolated ["the" "-" "final" "-" "-" "countdown"]
	// MergedWithPrevious ["the-" "final-" "-" "countdown"]
	// MergedWithNext ["the" "-final" "-" "-countdown"]
	// Contiguous ["the" "-" "final" "--" "countdown"]
}

func ExampleNamed() {
	p, ok := pretokenize.Named("llama3")
	fmt.Println(ok, p == pretokenize.PatternCL100K)
	m, _ := pretokenize.CompileNamed("o200k")
	text := []byte("HTTPServer's iPhone\n\n")
	fmt.Printf("%q\n", pretokenize.AppendStrings(nil, text, m.AppendMatches(nil, text)))
	// Output:
	// true true
	// ["HTTPServer's" " i" "Phone" "\n\n"]
}

func ExampleCompileRegexp() {
	// Any pattern runs on regexp2; possessive quantifiers are accepted.
	m, err := pretokenize.CompileRegexp(`\p{L}++|\p{N}{1,2}+|[^\s\p{L}\p{N}]`)
	if err != nil {
		panic(err)
	}
	text := []byte("abc12345 x!")
	fmt.Printf("%q\n", pretokenize.AppendStrings(nil, text, m.AppendMatches(nil, text)))
	// Output:
	// ["abc" "12" "34" "5" "x" "!"]
}

func ExampleSequence() {
	// HF: Sequence[WhitespaceSplit, Punctuation(contiguous), Digits(individual)].
	f := pretokenize.Sequence(pretokenize.WhitespaceSplit(), pretokenize.Punctuation(pretokenize.Contiguous), pretokenize.Digits(true))
	text := []byte("Call 911... now!!")
	fmt.Printf("%q\n", pretokenize.AppendStrings(nil, text, pretokenize.Pieces(f, text)))
	// Output:
	// ["Call" "9" "1" "1" "..." "now" "!!"]
}

func ExampleSplit() {
	// HF's Split pre-tokenizer of Llama 3's tokenizer.json: the cl100k
	// pattern, Isolated.
	f := pretokenize.Split(pretokenize.MustCompile(pretokenize.PatternCL100K), pretokenize.Isolated, false)
	text := []byte("I'll pay $1234.")
	fmt.Printf("%q\n", pretokenize.AppendStrings(nil, text, pretokenize.Pieces(f, text)))
	// Output:
	// ["I" "'ll" " pay" " $" "123" "4" "."]
}
