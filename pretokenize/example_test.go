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

func ExampleSplit() {
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
