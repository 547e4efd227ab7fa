//go:build ignore

// gen-random writes random.txt: 1000 lines of 0-11 characters drawn with a
// fixed seed from an alphabet of NFKC-sensitive and space-like characters
// (combining marks, ligatures, fullwidth and halfwidth forms, U+3000,
// NBSP, U+0085, U+2028, ZWJ, emoji with a skin tone, tabs, CR). It is the
// text on which HF's Precompiled normalizer and SentencePiece's disagree
// most. Run from this folder: go run gen-random.go > random.txt
package main

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
)

func main() {
	alphabet := []rune("ab light é\u0301\u0300\u3000\t\u00a0ﬁ①ＡＢ日本ガ\u3099ｶﾞ\u200d👍🏽\u00bd\u2028\u0085x\r Å\u212bﬀ")
	r := rand.New(rand.NewPCG(1, 2))
	w := bufio.NewWriter(os.Stdout)
	for range 1000 {
		s := make([]rune, r.IntN(12))
		for j := range s {
			s[j] = alphabet[r.IntN(len(alphabet))]
		}
		fmt.Fprintln(w, string(s))
	}
	w.Flush()
}
