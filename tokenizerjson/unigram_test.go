package tokenizerjson

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/toklabs/tok/internal/sharedtest"
	"github.com/toklabs/tok/sentencepiece"
)

const spmunigramDir = "testdata/spmunigram/"

// spmunigramParity checks the conversion of SentencePiece Unigram models
// against HF tokenizers and SentencePiece (testdata/spmunigram/make.sh):
// three trained by tok (nmt_nfkc; identity with byte fallback, spaces
// trimmed and collapsed but tabs and other spaces kept; identity with
// spaces kept) and one trained by spm_train.
var spmunigramParity = spmParity{
	dir: spmunigramDir,
	models: []spmParityModel{
		{"opticks-tokunigram-1000", spmunigramDir + "opticks-tokunigram-1000.model"},
		{"opticks-tokunigram-1000-bf-identity-trim", spmunigramDir + "opticks-tokunigram-1000-bf-identity-trim.model"},
		{"opticks-tokunigram-1000-identity", spmunigramDir + "opticks-tokunigram-1000-identity.model"},
		{"spmtrain-opticks-unigram-1000", "../sentencepiece/testdata/opticks-unigram-1000.model"},
	},
	write:       WriteUnigram,
	hfMayDiffer: spmunigramMayDiffer,
}

// spmunigramMayDiffer: where HF's ids may differ from SentencePiece's for
// a Unigram model. HF matches control pieces' names (<unk>, <s>, </s>) in
// the text as added tokens and byte pieces' names (<0x41>) in its Viterbi
// search, SentencePiece encodes both as text; HF and SentencePiece break
// Viterbi ties (two segmentations with the same score) differently; and on
// random.txt HF's Precompiled normalizer and SentencePiece's normalizer
// disagree for models with a precompiled charsmap. With identity
// normalization they agree on all of random.txt, and every model on all of
// spaces.txt.
func spmunigramMayDiffer(t *testing.T, m *sentencepiece.Model, text string, line, hf, spm []byte) string {
	switch {
	case lineHoldsPiece(m, line, sentencepiece.Control, sentencepiece.Unknown):
		return "holding a control piece's name"
	case lineHoldsPiece(m, line, sentencepiece.Byte):
		return "holding a byte piece's name"
	case text == "random" && hasCharsmap(m):
		// Before the tie check, which 16 (tok) and 14 (spm_train) of
		// these lines would also pass: the texts differ after
		// normalization, so equal scores say nothing there.
		return "normalized differently (precompiled charsmap)"
	case viterbiTie(m.Pieces(), parseIDs(t, hf), parseIDs(t, spm)):
		return "Viterbi ties (same score)"
	}
	return ""
}

// parseIDs parses a JSON array of ids as written by the peers.
func parseIDs(t *testing.T, s []byte) []uint32 {
	t.Helper()
	s = bytes.TrimSpace(s)
	if !bytes.HasPrefix(s, []byte("[")) || !bytes.HasSuffix(s, []byte("]")) {
		t.Fatalf("not an id array: %q", s)
	}
	var ids []uint32
	for f := range bytes.SplitSeq(s[1:len(s)-1], []byte(",")) {
		if f = bytes.TrimSpace(f); len(f) == 0 {
			continue
		}
		id, err := strconv.ParseUint(string(f), 10, 32)
		if err != nil {
			t.Fatalf("id array %q: %v", s, err)
		}
		ids = append(ids, uint32(id))
	}
	return ids
}

// viterbiTie reports whether two segmentations of the same text score the
// same under the model (the sum of their pieces' scores): both are best
// paths, and HF and SentencePiece break such ties differently.
func viterbiTie(pieces []sentencepiece.Piece, a, b []uint32) bool {
	sum := func(ids []uint32) float64 {
		s := 0.0
		for _, id := range ids {
			if int(id) >= len(pieces) {
				return math.NaN()
			}
			s += float64(pieces[id].Score)
		}
		return s
	}
	sa, sb := sum(a), sum(b)
	return math.Abs(sa-sb) <= 1e-4*math.Max(1, math.Abs(sa))
}

// TestSPMUnigramParity encodes every text of spmParityTexts with each
// converted file through this package and requires HF tokenizers' ids
// (peer-hf-encode) on every line, and with the .model through package
// sentencepiece SentencePiece's ids (peer-spm-encode) on every line; HF's
// ids must equal SentencePiece's except where spmunigramMayDiffer says why
// not.
func TestSPMUnigramParity(t *testing.T) { spmunigramParity.run(t) }

// TestSPMUnigramAlbertGolden converts ../shared/vocab/albert-30k-clean.model
// (Unigram, nmt_nfkc, user-defined pieces such as "-" and "(") and checks,
// on the four golden texts, that the tokenizer.json gives HF's ids (the
// golden SentencePiece ids except where
// albert-30k-clean.hf-vs-golden.jsonl, made by peer-hf-encode, says
// otherwise) and the .model the golden ids; and that HF differs from
// SentencePiece only on lines holding a control piece's string ([CLS],
// <unk>, ...) and on Viterbi ties.
func TestSPMUnigramAlbertGolden(t *testing.T) {
	m := loadSPM(t, sharedtest.Path(t, "vocab/albert-30k-clean.model"))
	tk := convertChecked(t, m, spmunigramDir, "albert-30k-clean", WriteUnigram)
	pieces := m.Pieces()
	var controls []string
	for _, p := range pieces {
		if p.Type == sentencepiece.Control || p.Type == sentencepiece.Unknown {
			controls = append(controls, p.Text)
		}
	}
	hfDiff := readDiffs(t, spmunigramDir+"albert-30k-clean.hf-vs-golden.jsonl")
	for _, text := range []string{"en", "code", "multi", "edge"} {
		lines := readLinesFile(t, sharedtest.Path(t, "golden/texts/"+text+".txt"))
		golden := readLinesFile(t, sharedtest.Path(t, "golden/albert-30k-clean.model/"+text+".jsonl"))
		if len(lines) != len(golden) {
			t.Fatalf("%s: %d lines, %d golden", text, len(lines), len(golden))
		}
		sameHF, sameGolden, sameModel, ties := 0, 0, 0, 0
		for i, line := range lines {
			gold := string(bytes.ReplaceAll(golden[i], []byte(" "), nil))
			hf, differs := hfDiff[text][i+1]
			if !differs {
				hf = gold
			} else if !slices.ContainsFunc(controls, func(c string) bool { return bytes.Contains(line, []byte(c)) }) {
				if viterbiTie(pieces, parseIDs(t, []byte(hf)), parseIDs(t, []byte(gold))) {
					ties++
				} else {
					t.Errorf("%s line %d %q: HF %s but SentencePiece %s: no control piece in the line, and the scores differ", text, i+1, truncateBytes(line), hf, gold)
				}
			}
			got := jsonIDs(tk.AppendEncode(nil, line))
			if got == hf {
				sameHF++
			} else {
				t.Errorf("%s line %d %q: tokenizer.json gives %s, HF %s", text, i+1, truncateBytes(line), got, hf)
			}
			if got == gold {
				sameGolden++
			}
			if jsonIDs(m.AppendEncode(nil, line)) == gold {
				sameModel++
			} else {
				t.Errorf("%s line %d: .model differs from the golden ids", text, i+1)
			}
		}
		t.Logf("albert %s: tokenizer.json = HF on %d/%d lines, = golden SentencePiece on %d/%d (%d of the others Viterbi ties); .model = golden on %d/%d",
			text, sameHF, len(lines), sameGolden, len(lines), ties, sameModel, len(lines))
	}
}

// TestWriteUnigramSpaces is a known-answer test of the normalizer layout:
// SentencePiece's trimming and collapsing of U+0020 only (no Strip, which
// would also remove tabs and Unicode spaces) and the dummy prefix as a
// Prepend normalizer, in that order after the Precompiled charsmap.
func TestWriteUnigramSpaces(t *testing.T) {
	tests := []struct {
		model string
		want  []string // normalizer types in order
	}{
		{spmunigramDir + "opticks-tokunigram-1000.model", []string{"Precompiled", "Replace", "Replace", "Prepend"}},
		{spmunigramDir + "opticks-tokunigram-1000-bf-identity-trim.model", []string{"Replace", "Replace", "Prepend"}},
		{spmunigramDir + "opticks-tokunigram-1000-identity.model", []string{"Prepend"}},
	}
	for _, tc := range tests {
		m := loadSPM(t, tc.model)
		data := writeSPM(t, m, WriteUnigram)
		if bytes.Contains(data, []byte(`"Strip"`)) {
			t.Errorf("%s: the normalizer strips", tc.model)
		}
		var types []string
		for _, typ := range []string{"Precompiled", "Replace", "Prepend"} {
			types = append(types, strings.Repeat(typ+" ", bytes.Count(data, []byte(`"type":"`+typ+`"`))))
		}
		if got := strings.Fields(strings.Join(types, "")); !slices.Equal(got, tc.want) {
			t.Errorf("%s: normalizers %v, want %v", tc.model, got, tc.want)
		}
		if i, j := bytes.Index(data, []byte(`\\A +|[ ▁]+\\z`)), bytes.Index(data, []byte(`"Prepend"`)); len(tc.want) > 1 && (i < 0 || i > j) {
			t.Errorf("%s: no trim before the dummy prefix", tc.model)
		}
		tk, err := Parse(data, tc.model)
		if err != nil {
			t.Fatal(err)
		}
		// Lines SentencePiece and HF (through this file) must agree on.
		for _, s := range []string{" light", "  light  of\t the\u00a0sun ", "\tlight\t", "\u3000light\u3000", "light  \t  light"} {
			want := m.AppendEncode(nil, []byte(s))
			if got := tk.AppendEncode(nil, []byte(s)); !slices.Equal(got, want) {
				t.Errorf("%s %q: tokenizer.json gives %v, .model %v", tc.model, s, got, want)
			}
		}
	}
}

// TestWriteUnigramErrors: WriteUnigram takes Unigram models only.
func TestWriteUnigramErrors(t *testing.T) {
	var b bytes.Buffer
	if err := WriteUnigram(&b, loadSPM(t, "../sentencepiece/testdata/opticks-bpe-1000.model")); err == nil {
		t.Error("WriteUnigram accepted a BPE model")
	}
}

// FuzzSPMUnigramMatchesModel: on valid UTF-8 without an added token's
// string or a byte piece's name, the converted file (this package, HF's rules) and the .model
// (package sentencepiece, SentencePiece's rules) give the same ids, or two
// segmentations with the same score, for the identity-normalized tok
// models (spaces trimmed with byte fallback, and kept).
func FuzzSPMUnigramMatchesModel(f *testing.F) {
	fuzzSPMMatchesModel(f, spmunigramDir, []string{"opticks-tokunigram-1000-bf-identity-trim", "opticks-tokunigram-1000-identity"}, WriteUnigram,
		[]string{"", " ", "  light  of  the\tsun ", "The Rays of Light", "é\u0301 日本 \u3000x", "a\tb\r\n", "\x00\u00a0", "▁x", " ▁ "},
		func(m *sentencepiece.Model, text string, got, want []uint32) bool {
			// HF matches byte pieces' names in its Viterbi search and
			// breaks ties between equal scores differently.
			return strings.Contains(text, "<0x") || viterbiTie(m.Pieces(), got, want)
		})
}

// BenchmarkWriteUnigram converts the 1000-piece tok model and, with
// ../shared, ALBERT's 30000 pieces (with a 237 KB charsmap).
func BenchmarkWriteUnigram(b *testing.B) {
	benchmarkWriteSPM(b, WriteUnigram, spmunigramDir+"opticks-tokunigram-1000-bf-identity-trim.model", "albert-30000", "albert-30k-clean")
}

// ExampleWriteUnigram converts a Unigram model trained with identity
// normalization and SentencePiece's default space handling, and shows the
// normalizer: spaces (U+0020 only) trimmed and collapsed, then the dummy
// prefix; a tab is kept, as SentencePiece keeps it.
func ExampleWriteUnigram() {
	m, err := sentencepiece.Load("testdata/spmunigram/opticks-tokunigram-1000-bf-identity-trim.model")
	if err != nil {
		panic(err)
	}
	var b bytes.Buffer
	if err := WriteUnigram(&b, m); err != nil {
		panic(err)
	}
	var file struct {
		Normalizer json.RawMessage `json:"normalizer"`
	}
	if err := json.Unmarshal(b.Bytes(), &file); err != nil {
		panic(err)
	}
	fmt.Println(string(file.Normalizer))
	tk, err := Parse(b.Bytes(), "example.tokenizer.json")
	if err != nil {
		panic(err)
	}
	for _, text := range []string{"  the light ", "\tthe light"} {
		fmt.Println(slices.Equal(tk.AppendEncode(nil, []byte(text)), m.AppendEncode(nil, []byte(text))))
	}
	// Output:
	// {"normalizers":[{"content":"","pattern":{"Regex":"\\A +|[ ▁]+\\z"},"type":"Replace"},{"content":" ","pattern":{"Regex":" {2,}"},"type":"Replace"},{"prepend":"▁","type":"Prepend"}],"type":"Sequence"}
	// true
	// true
}
