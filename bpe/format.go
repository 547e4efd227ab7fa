package bpe

import (
	"bytes"
	"path/filepath"
	"strings"

	"github.com/toklabs/tok"
)

func init() {
	tok.RegisterFormat(tok.Format{
		Name: "tiktoken",
		Match: func(path string, head []byte) bool {
			return strings.HasSuffix(path, ".tiktoken")
		},
		Open: func(path string) (tok.Tokenizer, error) { return OpenTiktoken(path) },
	})
	tok.RegisterFormat(tok.Format{
		Name: "vocab.json+merges.txt",
		Match: func(path string, head []byte) bool {
			base := filepath.Base(path)
			switch {
			case strings.HasSuffix(base, "vocab.json"):
				if !bytes.HasPrefix(bytes.TrimLeft(head, " \t\r\n\ufeff"), []byte("{")) {
					return false
				}
			case strings.HasSuffix(base, "merges.txt"):
			default:
				return false
			}
			return gpt2Sibling(path)
		},
		Open: func(path string) (tok.Tokenizer, error) { return OpenGPT2(path) },
	})
}
