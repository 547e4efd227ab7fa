package sentencepiece

import (
	"bytes"
	"fmt"
	"github.com/toklabs/tok/internal/atomicfile"
	"os"
	"strings"

	"google.golang.org/protobuf/proto"

	"github.com/toklabs/tok"
	"github.com/toklabs/tok/sentencepiece/internal/modelpb"
)

func init() {
	tok.RegisterFormat(tok.Format{Name: "sentencepiece", Match: matchModel, Open: func(path string) (tok.Tokenizer, error) {
		return Load(path)
	}})
}

// matchModel recognises a .model file by name, or a file whose first bytes
// look like a ModelProto: field 1 (pieces), length-delimited, holding a
// SentencePiece whose first field is the piece string.
func matchModel(path string, head []byte) bool {
	if strings.HasSuffix(path, ".model") {
		return true
	}
	return len(head) > 4 && head[0] == 0x0a && bytes.IndexByte(head[:min(len(head), 8)], 0x0a) >= 0 &&
		!strings.HasSuffix(path, ".json") && !strings.HasSuffix(path, ".txt")
}

// Load reads a SentencePiece .model file.
func Load(path string) (*Model, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(data, path)
}

// Parse reads a serialized ModelProto; name is used in errors.
func Parse(data []byte, name string) (*Model, error) {
	p := new(modelpb.ModelProto)
	if err := proto.Unmarshal(data, p); err != nil {
		return nil, &tok.FormatError{File: name, Offset: -1, Msg: "not a SentencePiece model (protobuf)", Err: err}
	}
	return newModel(p, name)
}

// Marshal serializes the model as a .model file.
func (m *Model) Marshal() ([]byte, error) {
	return proto.MarshalOptions{Deterministic: true}.Marshal(m.proto)
}

// Save writes the model to path (a .model file) atomically, through a
// temporary file in the same directory.
func (m *Model) Save(path string) error {
	data, err := m.Marshal()
	if err != nil {
		return err
	}
	return writeFileAtomic(path, data)
}

// SaveVocab writes the readable .vocab sidecar SentencePiece writes: one
// "piece<TAB>score" line per id.
func (m *Model) SaveVocab(path string) error {
	var b bytes.Buffer
	for _, p := range m.pieces {
		fmt.Fprintf(&b, "%s\t%s\n", p.Text, formatScore(p.Score))
	}
	return writeFileAtomic(path, b.Bytes())
}

func formatScore(f float32) string {
	// SentencePiece prints scores with operator<<(float), i.e. %g with six
	// significant digits.
	return strings.TrimSpace(fmt.Sprintf("%g", float32ToG6(f)))
}

func float32ToG6(f float32) float64 {
	var v float64
	fmt.Sscanf(fmt.Sprintf("%.6g", f), "%g", &v)
	return v
}

func writeFileAtomic(path string, data []byte) error { return atomicfile.WriteBytes(path, data) }
