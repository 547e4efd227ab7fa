package sentencepiece

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"strings"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	"github.com/toklabs/tok/internal/atomicfile"

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
//
// The pieces, nearly all of a model file, are read by parseFast straight
// from the wire format into one string, without a protobuf message per
// piece; the rest goes through the protobuf library. Anything parseFast
// does not expect sends the whole file through the library instead
// (parseSlow), so both paths accept the same files and give the same
// model.
//
// Performance notes: proto.Unmarshal of ALBERT's 30k pieces was about a
// quarter of loading the model, and loading was a quarter of `tok encode`
// on 8 MB of text.
func Parse(data []byte, name string) (*Model, error) {
	if m, err, ok := parseFast(data, name); ok {
		return m, err
	}
	return parseSlow(data, name)
}

// parseSlow is Parse through the protobuf library alone.
func parseSlow(data []byte, name string) (*Model, error) {
	p := new(modelpb.ModelProto)
	if err := proto.Unmarshal(data, p); err != nil {
		return nil, &tok.FormatError{File: name, Offset: -1, Msg: "not a SentencePiece model (protobuf)", Err: err}
	}
	return newModel(p, name)
}

// parseFast reads the pieces (ModelProto field 1, SentencePiece messages
// of piece = 1, score = 2, type = 3) from the wire format itself and the
// other fields with the protobuf library. ok is false, and nothing is
// decided, when the data holds anything else in a piece (another field,
// another wire type, a type value outside the enum, which the library
// would keep as an unknown field), or is not well-formed.
func parseFast(data []byte, name string) (m *Model, err error, ok bool) {
	raw := string(data) // piece texts are substrings of it
	var pieces []Piece
	var rest []byte // the fields other than pieces, for proto.Unmarshal
	for b := data; len(b) > 0; {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return nil, nil, false
		}
		if num == 1 && typ == protowire.BytesType {
			v, l := protowire.ConsumeBytes(b[n:])
			if l < 0 {
				return nil, nil, false
			}
			off := len(data) - len(b) + n + l - len(v) // of v in data
			p, ok := parsePiece(v, raw, off)
			if !ok {
				return nil, nil, false
			}
			pieces = append(pieces, p)
			b = b[n+l:]
			continue
		}
		l := protowire.ConsumeFieldValue(num, typ, b[n:])
		if l < 0 {
			return nil, nil, false
		}
		rest = append(rest, b[:n+l]...)
		b = b[n+l:]
	}
	p := new(modelpb.ModelProto)
	if err := proto.Unmarshal(rest, p); err != nil || len(p.GetPieces()) > 0 {
		return nil, nil, false
	}
	m, err = newModelPieces(pieces, p, name)
	if err != nil {
		return nil, err, true
	}
	m.raw = raw
	return m, nil, true
}

// parsePiece reads one SentencePiece message v, which starts at offset
// off of raw; fields absent take the proto2 defaults (score 0, NORMAL).
func parsePiece(v []byte, raw string, off int) (Piece, bool) {
	p := Piece{Type: Normal}
	for b := v; len(b) > 0; {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return p, false
		}
		b = b[n:]
		switch {
		case num == 1 && typ == protowire.BytesType:
			s, l := protowire.ConsumeBytes(b)
			if l < 0 {
				return p, false
			}
			start := off + len(v) - len(b) + l - len(s)
			p.Text = raw[start : start+len(s)]
			b = b[l:]
		case num == 2 && typ == protowire.Fixed32Type:
			x, l := protowire.ConsumeFixed32(b)
			if l < 0 {
				return p, false
			}
			p.Score = math.Float32frombits(x)
			b = b[l:]
		case num == 3 && typ == protowire.VarintType:
			x, l := protowire.ConsumeVarint(b)
			if l < 0 || x < uint64(Normal) || x > uint64(Byte) {
				return p, false
			}
			p.Type = Type(x)
			b = b[l:]
		default:
			return p, false
		}
	}
	return p, true
}

// Marshal serializes the model as a .model file.
func (m *Model) Marshal() ([]byte, error) {
	p := m.proto
	if p == nil { // read by parseFast: decode the whole file now
		p = new(modelpb.ModelProto)
		if err := proto.Unmarshal([]byte(m.raw), p); err != nil {
			return nil, err
		}
	}
	return proto.MarshalOptions{Deterministic: true}.Marshal(p)
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
