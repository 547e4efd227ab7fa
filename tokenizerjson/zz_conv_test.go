package tokenizerjson

import (
	"os"
	"testing"

	"github.com/toklabs/tok/sentencepiece"
)

func TestZZConvert(t *testing.T) {
	m, err := sentencepiece.Load(os.Getenv("MODEL"))
	if err != nil {
		t.Fatal(err)
	}
	f, _ := os.Create(os.Getenv("OUT"))
	if err := WriteUnigram(f, m); err != nil {
		t.Fatal(err)
	}
	f.Close()
}
