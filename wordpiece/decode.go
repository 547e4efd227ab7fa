package wordpiece

import (
	"fmt"
	"strings"
)

// AppendDecode implements [tok.Tokenizer] with HF's WordPiece decoder
// (prefix "##", cleanup on): pieces that start with "##" are glued to the
// previous one, the others are separated by a space, then the English
// clean-up rules (" ." → ".", " n't" → "n't", ...) run on each token.
// WordPiece loses information (case, accents, spacing around punctuation),
// so decoding does not give back the original text. Special tokens are
// decoded as their text. An id without a token is an error.
func (b *BERT) AppendDecode(dst []byte, ids []uint32) ([]byte, error) {
	prefix := b.model.prefix
	for i, id := range ids {
		t, ok := b.model.vocab.IDToToken(id)
		if !ok {
			return dst, fmt.Errorf("wordpiece: id %d is not in the vocabulary", id)
		}
		if i > 0 {
			if prefix != "" && strings.HasPrefix(t, prefix) {
				t = t[len(prefix):]
			} else {
				t = " " + t
			}
		}
		dst = append(dst, cleanup(t)...)
	}
	return dst, nil
}

var cleanupReplacer = []struct{ from, to string }{
	{" .", "."}, {" ?", "?"}, {" !", "!"}, {" ,", ","}, {" ' ", "'"}, {" n't", "n't"},
	{" 'm", "'m"}, {" do not", " don't"}, {" 's", "'s"}, {" 've", "'ve"}, {" 're", "'re"},
}

// cleanup applies HF's decoder clean-up rules in order.
func cleanup(s string) string {
	if !strings.Contains(s, " ") {
		return s
	}
	for _, r := range cleanupReplacer {
		s = strings.ReplaceAll(s, r.from, r.to)
	}
	return s
}
