// Package visualize shows how a tokenizer cuts text: token boundaries as
// alternating background colours on a terminal, and an HTML page with the
// same view where hovering a token shows its id and vocabulary entry.
package visualize

import (
	"fmt"
	"html"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/toklabs/tok"
)

// Piece is one token with the bytes it decodes to on its own.
type Piece struct {
	ID    uint32
	Token string // the vocabulary entry, as in the vocabulary file
	Text  []byte // the bytes the id decodes to alone
}

// Pieces encodes text and returns one Piece per token. Byte-level tokens
// that hold part of a UTF-8 character decode to those bytes alone.
func Pieces(t tok.Tokenizer, text []byte) ([]Piece, error) {
	ids := t.AppendEncode(nil, text)
	out := make([]Piece, len(ids))
	for i, id := range ids {
		b, err := t.AppendDecode(nil, ids[i:i+1])
		if err != nil {
			return nil, err
		}
		name, _ := t.IDToToken(id)
		out[i] = Piece{ID: id, Token: name, Text: b}
	}
	return out, nil
}

// ansiBackgrounds are 256-colour backgrounds readable with black text.
var ansiBackgrounds = []int{153, 222, 157, 217, 189, 229}

// WriteANSI writes the pieces with alternating background colours, then a
// line with the token count and bytes per token.
func WriteANSI(w io.Writer, pieces []Piece) error {
	var sb strings.Builder
	bytes := 0
	for i, p := range pieces {
		bytes += len(p.Text)
		fmt.Fprintf(&sb, "\x1b[30;48;5;%dm%s\x1b[0m", ansiBackgrounds[i%len(ansiBackgrounds)], printable(p.Text))
	}
	sb.WriteString("\n")
	fmt.Fprintf(&sb, "%d tokens, %d bytes, %.2f bytes/token\n", len(pieces), bytes, ratio(bytes, len(pieces)))
	_, err := io.WriteString(w, sb.String())
	return err
}

// WritePlain writes the pieces separated by '|' with their ids below, for
// logs and terminals without colour.
func WritePlain(w io.Writer, pieces []Piece) error {
	var text, ids strings.Builder
	for i, p := range pieces {
		if i > 0 {
			text.WriteByte('|')
			ids.WriteByte(' ')
		}
		text.WriteString(printable(p.Text))
		fmt.Fprint(&ids, p.ID)
	}
	_, err := fmt.Fprintf(w, "%s\n%s\n", text.String(), ids.String())
	return err
}

// htmlColours are the page's token backgrounds.
var htmlColours = []string{"#cfe8ff", "#ffe6b3", "#d4f7d4", "#ffd6de", "#e6dcff", "#fff5b3"}

// WriteHTML writes a self-contained HTML page showing the pieces; the
// title attribute of each token gives its index, id and vocabulary entry.
func WriteHTML(w io.Writer, title string, pieces []Piece) error {
	var sb strings.Builder
	sb.WriteString("<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>")
	sb.WriteString(html.EscapeString(title))
	sb.WriteString("</title>\n<style>body{font-family:sans-serif;margin:2em}" +
		".t{white-space:pre-wrap;font-family:monospace;line-height:1.9}" +
		".t span{border-radius:3px;padding:1px 0}.t span:hover{outline:2px solid #333}" +
		"</style></head><body>\n<h1>")
	sb.WriteString(html.EscapeString(title))
	bytes := 0
	for _, p := range pieces {
		bytes += len(p.Text)
	}
	fmt.Fprintf(&sb, "</h1>\n<p>%d tokens, %d bytes, %.2f bytes/token</p>\n<div class=\"t\">", len(pieces), bytes, ratio(bytes, len(pieces)))
	for i, p := range pieces {
		fmt.Fprintf(&sb, "<span style=\"background:%s\" title=\"#%d id %d %s\">%s</span>",
			htmlColours[i%len(htmlColours)], i, p.ID, html.EscapeString(p.Token), html.EscapeString(printable(p.Text)))
	}
	sb.WriteString("</div>\n</body></html>\n")
	_, err := io.WriteString(w, sb.String())
	return err
}

// printable makes a token's bytes visible: newline and tab as ↵ and →
// (newline kept after ↵), other control characters and bytes that are not
// valid UTF-8 on their own as \xNN.
func printable(b []byte) string {
	var sb strings.Builder
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		switch {
		case r == utf8.RuneError && n <= 1:
			fmt.Fprintf(&sb, "\\x%02X", b[0])
		case r == '\n':
			sb.WriteString("↵\n")
		case r == '\t':
			sb.WriteString("→")
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&sb, "\\x%02X", r)
		default:
			sb.Write(b[:n])
		}
		b = b[n:]
	}
	return sb.String()
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}
