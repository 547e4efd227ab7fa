package wordpiece

import (
	"bytes"
	"path/filepath"
	"strings"

	"github.com/toklabs/tok"
)

func init() {
	tok.RegisterFormat(tok.Format{Name: "vocab.txt", Match: matchVocabTxt, Open: openVocabTxt})
}

// matchVocabTxt recognises a vocab.txt by name (vocab.txt, *-vocab.txt,
// *.vocab.txt) or by content: lines without tabs or spaces inside, holding
// [UNK] or [CLS] or ##-pieces.
func matchVocabTxt(path string, head []byte) bool {
	base := strings.ToLower(filepath.Base(path))
	if base == "vocab.txt" || strings.HasSuffix(base, "-vocab.txt") || strings.HasSuffix(base, ".vocab.txt") || strings.HasSuffix(base, "_vocab.txt") {
		return true
	}
	if len(head) == 0 || head[0] == '{' || bytes.Contains(head, []byte{'\t'}) {
		return false
	}
	if !bytes.Contains(head, []byte("[UNK]")) && !bytes.Contains(head, []byte("[CLS]")) && !bytes.Contains(head, []byte("\n##")) {
		return false
	}
	lines := bytes.Split(head, []byte{'\n'})
	if len(lines) > 1 {
		lines = lines[:len(lines)-1] // may be cut
	}
	for _, l := range lines {
		if bytes.IndexByte(bytes.TrimRight(l, "\r"), ' ') > 0 {
			return false
		}
	}
	return true
}

// openVocabTxt opens a vocab.txt as a BERT tokenizer. The file does not
// say whether the model is cased; like HF's BertWordPieceTokenizer we
// lowercase unless the file name contains "cased" but not "uncased".
func openVocabTxt(path string) (tok.Tokenizer, error) {
	v, err := ReadVocabFile(path)
	if err != nil {
		return nil, err
	}
	cfg := DefaultBERTConfig()
	if IsCasedName(path) {
		cfg = CasedBERTConfig()
	}
	b, err := NewBERT(v, cfg)
	if err != nil {
		return nil, &tok.FormatError{File: path, Offset: -1, Msg: "cannot build a WordPiece model", Err: err}
	}
	return b, nil
}

// IsCasedName reports whether a vocabulary file name says the model is
// cased ("bert-large-cased-vocab.txt"), which [tok.Open] uses to choose
// between the cased and uncased BERT normalizers.
func IsCasedName(path string) bool {
	base := strings.ToLower(filepath.Base(path))
	return strings.Contains(base, "cased") && !strings.Contains(base, "uncased")
}
