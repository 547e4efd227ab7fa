package bpe

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"github.com/toklabs/tok/internal/atomicfile"
	"io"
	"path/filepath"
	"strconv"
	"strings"
)

// Writers for trained vocabularies. Every file is written atomically: to a
// temporary file in the same directory, synced, then renamed over the
// target, so an interrupted run never leaves a half-written vocabulary (nor
// destroys the previous one).

// WriteVocabJSON writes vocab.json: one JSON object {token: id} in id
// order, tokens as [TrainResult.TokenName] spells them (GPT-2 byte
// alphabet; special tokens as they are).
func (r *TrainResult) WriteVocabJSON(w io.Writer) error {
	bw := bufio.NewWriter(w)
	bw.WriteByte('{')
	for id := range r.Tokens {
		if id > 0 {
			bw.WriteByte(',')
		}
		writeJSONString(bw, r.TokenName(uint32(id)))
		bw.WriteByte(':')
		bw.WriteString(strconv.Itoa(id))
	}
	bw.WriteString("}\n")
	return bw.Flush()
}

// writeJSONString writes s as a JSON string without HTML escaping (as
// serde_json and Python's json do), so "<|endoftext|>" stays readable.
func writeJSONString(w *bufio.Writer, s string) {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.Encode(s) // never fails for a string
	w.WriteString(strings.TrimSuffix(b.String(), "\n"))
}

// WriteMerges writes merges.txt: "#version: 0.2", then one "left right"
// line per merge in rank order.
func (r *TrainResult) WriteMerges(w io.Writer) error {
	bw := bufio.NewWriter(w)
	bw.WriteString("#version: 0.2\n")
	for _, m := range r.Merges {
		bw.WriteString(r.TokenName(m.A))
		bw.WriteByte(' ')
		bw.WriteString(r.TokenName(m.B))
		bw.WriteByte('\n')
	}
	return bw.Flush()
}

// WriteTiktoken writes a .tiktoken rank file: "base64(token) rank" per
// line, rank = id, in rank order. Special tokens are not written (tiktoken
// keeps them outside the file), so with special tokens the ranks start at
// NumSpecial.
func (r *TrainResult) WriteTiktoken(w io.Writer) error {
	bw := bufio.NewWriter(w)
	enc := base64.StdEncoding
	buf := make([]byte, 0, 64)
	for id := r.NumSpecial; id < len(r.Tokens); id++ {
		buf = enc.AppendEncode(buf[:0], r.Tokens[id])
		buf = append(buf, ' ')
		buf = strconv.AppendInt(buf, int64(id), 10)
		buf = append(buf, '\n')
		bw.Write(buf)
	}
	return bw.Flush()
}

// WriteGPT2Files writes vocab.json and merges.txt into dir and returns
// their paths.
func (r *TrainResult) WriteGPT2Files(dir string) (vocab, merges string, err error) {
	vocab, merges = filepath.Join(dir, "vocab.json"), filepath.Join(dir, "merges.txt")
	if err := WriteFileAtomic(vocab, r.WriteVocabJSON); err != nil {
		return "", "", err
	}
	if err := WriteFileAtomic(merges, r.WriteMerges); err != nil {
		return "", "", err
	}
	return vocab, merges, nil
}

// WriteFileAtomic creates path with the bytes fill writes: into a
// temporary file beside it, synced and renamed into place. On error the
// target is untouched.
func WriteFileAtomic(path string, fill func(io.Writer) error) error {
	return atomicfile.Write(path, fill)
}
