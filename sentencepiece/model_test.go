package sentencepiece

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/toklabs/tok"
	"github.com/toklabs/tok/sentencepiece/internal/modelpb"
)

func TestOpenRegistersFormat(t *testing.T) {
	tk, err := tok.Open("testdata/opticks-unigram-1000.model")
	if err != nil {
		t.Fatal(err)
	}
	m, ok := tk.(*Model)
	if !ok {
		t.Fatalf("tok.Open gave %T", tk)
	}
	if m.VocabSize() != 1000 || m.Algorithm() != Unigram {
		t.Fatalf("vocab %d algo %v", m.VocabSize(), m.Algorithm())
	}
	sp := m.SpecialTokens()
	if len(sp) != 2 || sp[0].Content != "<s>" || sp[1].Content != "</s>" {
		t.Fatalf("special tokens %v", sp)
	}
}

func TestBadModels(t *testing.T) {
	good, err := os.ReadFile("testdata/opticks-bpe-1000.model")
	if err != nil {
		t.Fatal(err)
	}
	mutate := func(f func(p *modelpb.ModelProto)) []byte {
		p := tinyModelProto()
		f(p)
		b, err := proto.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"truncated", good[:len(good)/3], "not a SentencePiece model"},
		{"garbage", []byte("hello, this is text"), "not a SentencePiece model"},
		{"empty", nil, "no pieces"},
		{"unknown type", mutate(func(p *modelpb.ModelProto) {
			p.Pieces[262].Type = modelpb.ModelProto_SentencePiece_Type(9).Enum()
		}), "unknown type 9"},
		{"no unk", mutate(func(p *modelpb.ModelProto) { p.Pieces[0].Type = modelpb.ModelProto_SentencePiece_NORMAL.Enum() }), "no piece of type unknown"},
		{"duplicate", mutate(func(p *modelpb.ModelProto) { p.Pieces[261].Piece = proto.String("a") }), "duplicate"},
		{"bad byte piece", mutate(func(p *modelpb.ModelProto) { p.Pieces[5].Piece = proto.String("<0xZZ>") }), "want <0xNN>"},
		{"missing byte", mutate(func(p *modelpb.ModelProto) { p.Pieces[5].Type = modelpb.ModelProto_SentencePiece_NORMAL.Enum() }), "piece <0x03> is missing"},
		{"bad charsmap", mutate(func(p *modelpb.ModelProto) { p.NormalizerSpec.PrecompiledCharsmap = []byte{200, 0, 0, 0, 1, 2} }), "precompiled_charsmap"},
		{"model type", mutate(func(p *modelpb.ModelProto) { p.TrainerSpec.ModelType = modelpb.TrainerSpec_ModelType(7).Enum() }), "unknown model_type 7"},
	}
	dir := t.TempDir()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "_")+".model")
			if err := os.WriteFile(path, tt.data, 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := Load(path)
			if err == nil {
				t.Fatal("no error")
			}
			var fe *tok.FormatError
			if !errors.As(err, &fe) || fe.File != path {
				t.Fatalf("error %v is not a FormatError naming the file", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %q does not say %q", err, tt.want)
			}
		})
	}
}

func TestNormalizerKnownAnswers(t *testing.T) {
	m, err := Load("testdata/opticks-unigram-1000.model") // nmt_nfkc, dummy prefix, remove extra whitespace
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		in, out string
		align   []int
	}{
		{"", "", nil},
		{"   ", "", nil},
		{"a b", "▁a▁b", []int{0, 0, 0, 0, 1, 1, 1, 2, 3}},
		{"  a   b  ", "▁a▁b", []int{2, 2, 2, 2, 3, 3, 3, 6, 7}},
		{"ﬁ\tx", "▁fi▁x", []int{0, 0, 0, 0, 0, 3, 3, 3, 4, 5}},
		{"Ａ\u00a0b", "▁A▁b", []int{0, 0, 0, 0, 3, 3, 3, 5, 6}},
		{"x\xffy", "▁x\uFFFDy", []int{0, 0, 0, 0, 1, 1, 1, 2, 3}},
	}
	for _, tt := range tests {
		got, align := m.norm.Normalize(nil, nil, []byte(tt.in), true)
		if string(got) != tt.out {
			t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.out)
			continue
		}
		if tt.align != nil && fmt.Sprint(align) != fmt.Sprint(tt.align) {
			t.Errorf("Normalize(%q) alignment %v, want %v", tt.in, align, tt.align)
		}
	}
	// Identity with spaces kept (Llama 2's settings).
	id := Normalizer{AddDummyPrefix: true, EscapeWhitespaces: true}
	if got, _ := id.Normalize(nil, nil, []byte(" a  b "), false); string(got) != "▁▁a▁▁b▁" {
		t.Errorf("identity normalizer: %q", got)
	}
}

func ExampleModel_AppendEncode() {
	m, err := Load("testdata/opticks-unigram-1000.model")
	if err != nil {
		panic(err)
	}
	ids := m.AppendEncode(nil, []byte("The Light of the Sun"))
	var pieces []string
	for _, id := range ids {
		p, _ := m.IDToToken(id)
		pieces = append(pieces, p)
	}
	text, _ := m.AppendDecode(nil, ids)
	fmt.Println(ids)
	fmt.Println(strings.Join(pieces, " "))
	fmt.Println(string(text))
	// The ids and pieces are those spm_encode gives for this model.

	// Output:
	// [97 31 5 3 178]
	// ▁The ▁Light ▁of ▁the ▁Sun
	// The Light of the Sun
}

func TestAppendEncodeSpans(t *testing.T) {
	m, err := Load("testdata/opticks-unigram-1000.model")
	if err != nil {
		t.Fatal(err)
	}
	text := []byte("  The ﬁre   of Light")
	ids, spans := m.AppendEncodeSpans(nil, nil, text)
	if idsJSON(ids) != idsJSON(m.AppendEncode(nil, text)) {
		t.Fatalf("ids %v differ from AppendEncode", ids)
	}
	if len(spans) != len(ids) {
		t.Fatalf("%d spans for %d ids", len(spans), len(ids))
	}
	var got []string
	for i, sp := range spans {
		p, _ := m.IDToToken(ids[i])
		got = append(got, fmt.Sprintf("%s=%q", p, text[sp.Start:sp.End]))
		if i > 0 && (sp.Start < spans[i-1].Start || sp.End < spans[i-1].End) {
			t.Errorf("span %d %v is before %v", i, sp, spans[i-1])
		}
	}
	t.Log(strings.Join(got, " "))
	// "ﬁ" (3 bytes) normalizes to "fi": the token(s) covering it map back
	// to the ligature's bytes, and the last token ends at the end.
	if spans[len(spans)-1].End != len(text) {
		t.Errorf("last span %v does not end at %d", spans[len(spans)-1], len(text))
	}
	covered := false
	for _, sp := range spans {
		if sp.Start <= 6 && sp.End >= 9 {
			covered = true
		}
	}
	if !covered {
		t.Errorf("no span covers the ligature at 6:9: %v", spans)
	}
}

// TokenToID finds every piece of a real model by its text (the sorted
// piece index), and nothing for text that is no piece.
func TestModel_TokenToIDEveryPiece(t *testing.T) {
	m, err := Load("testdata/opticks-unigram-1000.model")
	if err != nil {
		t.Fatal(err)
	}
	for id, p := range m.Pieces() {
		if got, ok := m.TokenToID(p.Text); !ok || got != uint32(id) {
			t.Fatalf("TokenToID(%q) = %d, %v; want %d", p.Text, got, ok, id)
		}
	}
	for _, s := range []string{"", "no such piece", "▁▁▁▁▁▁▁▁"} {
		if id, ok := m.TokenToID(s); ok {
			t.Errorf("TokenToID(%q) = %d, want none", s, id)
		}
	}
}

// With several duplicated pieces, the error names the lowest id that
// repeats an earlier piece.
func TestModel_FirstDuplicateReported(t *testing.T) {
	p := tinyModelProto()
	n := len(p.Pieces)
	p.Pieces[n-3].Piece = proto.String("b")  // repeats a normal piece
	p.Pieces[n-5].Piece = proto.String("ab") // earlier, also a repeat
	_, err := newModel(p, "dup")
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("piece %d %q is a duplicate", n-5, "ab")) {
		t.Fatalf("got %v, want piece %d reported", err, n-5)
	}
}
