//go:build ignore

// gen-spaces writes spaces.txt: 1000 lines of 0-15 characters drawn with a
// fixed seed from a few letters and the characters a SentencePiece model
// may or may not treat as spaces: U+0020 (weighted, so that runs and
// leading and trailing spaces are common), tab, CR, NBSP, EM SPACE,
// IDEOGRAPHIC SPACE and U+2581 (the meta symbol ▁ itself, written in the
// text). It is the text on which trimming and collapsing spaces the HF
// way (Strip) and the SentencePiece way differ. Run from this folder:
// go run gen-spaces.go > spaces.txt
package main

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
)

func main() {
	alphabet := []rune(strings.Repeat(" ", 8) + "\t\r\u00a0\u2003\u3000\u2581\u2581lightofthesun")
	r := rand.New(rand.NewPCG(3, 4))
	w := bufio.NewWriter(os.Stdout)
	for range 1000 {
		line := make([]rune, r.IntN(16))
		for i := range line {
			line[i] = alphabet[r.IntN(len(alphabet))]
		}
		fmt.Fprintln(w, string(line))
	}
	w.Flush()
}
