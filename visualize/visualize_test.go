package visualize

import (
	"bytes"
	"strings"
	"testing"

	"github.com/toklabs/tok/rawbytes"
)

func TestPiecesAndPlain(t *testing.T) {
	ps, err := Pieces(rawbytes.Tokenizer{}, []byte("a\tb\xff"))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WritePlain(&buf, ps); err != nil {
		t.Fatal(err)
	}
	want := "a|→|b|\\xFF\n97 9 98 255\n"
	if buf.String() != want {
		t.Errorf("got %q, want %q", buf.String(), want)
	}
}

func TestHTMLEscapes(t *testing.T) {
	ps, err := Pieces(rawbytes.Tokenizer{}, []byte("<&"))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteHTML(&buf, "x<y", ps); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	for _, want := range []string{"<title>x&lt;y</title>", "title=\"#0 id 60 &lt;0x3C&gt;\">&lt;</span>", ">&amp;</span>", "2 tokens, 2 bytes"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q:\n%s", want, page)
		}
	}
}

func TestANSICountsTokens(t *testing.T) {
	ps, _ := Pieces(rawbytes.Tokenizer{}, []byte("héllo"))
	var buf bytes.Buffer
	if err := WriteANSI(&buf, ps); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(buf.String(), "6 tokens, 6 bytes, 1.00 bytes/token\n") {
		t.Errorf("summary line wrong: %q", buf.String())
	}
}
