package tokenizerjson

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/toklabs/tok/internal/sharedtest"
	"github.com/toklabs/tok/sentencepiece"
)

const spmbpeDir = "testdata/spmbpe/"

// spmbpeParity checks the conversion of SentencePiece BPE models against
// HF tokenizers and SentencePiece (testdata/spmbpe/make.sh): three
// trained by tok (nmt_nfkc without byte fallback; identity with byte
// fallback, spaces kept; identity with byte fallback, spaces trimmed and
// collapsed but tabs kept) and one trained by spm_train.
var spmbpeParity = spmParity{
	dir: spmbpeDir,
	models: []spmParityModel{
		{"opticks-tokbpe-1000", spmbpeDir + "opticks-tokbpe-1000.model"},
		{"opticks-tokbpe-1000-bf-identity", spmbpeDir + "opticks-tokbpe-1000-bf-identity.model"},
		{"opticks-tokbpe-1000-bf-identity-trim", spmbpeDir + "opticks-tokbpe-1000-bf-identity-trim.model"},
		{"spmtrain-opticks-bpe-1000", "../sentencepiece/testdata/opticks-bpe-1000.model"},
	},
	write:       WriteSentencePieceBPE,
	hfMayDiffer: spmbpeMayDiffer,
}

// spmbpeMayDiffer: where HF's ids may differ from SentencePiece's for a
// BPE model. HF matches control pieces' names (<unk>, <s>, </s>) in the
// text as added tokens, SentencePiece encodes them as text; and on
// random.txt HF's Precompiled normalizer and SentencePiece's normalizer
// disagree for models with a precompiled charsmap. Nothing else: byte
// pieces' names are text to both, and spaces (spaces.txt) are handled
// alike.
func spmbpeMayDiffer(_ *testing.T, m *sentencepiece.Model, text string, line, _, _ []byte) string {
	switch {
	case lineHoldsPiece(m, line, sentencepiece.Control, sentencepiece.Unknown):
		return "holding a control piece's name"
	case text == "random" && hasCharsmap(m):
		return "normalized differently (precompiled charsmap)"
	}
	return ""
}

// TestSPMBPEParity encodes every text of spmParityTexts with each
// converted file through this package and requires HF tokenizers' ids
// (peer-hf-encode) on every line, and with the .model through package
// sentencepiece SentencePiece's ids (peer-spm-encode) on every line; HF's
// ids must equal SentencePiece's except where spmbpeMayDiffer says why
// not.
func TestSPMBPEParity(t *testing.T) { spmbpeParity.run(t) }

// TestSPMBPELlama2Golden converts ../shared/vocab/llama2-tokenizer.model and
// checks, on the four golden texts, that the tokenizer.json gives HF's ids
// (the golden SentencePiece ids except where
// llama2-tokenizer.hf-vs-golden.jsonl, made by peer-hf-encode, says
// otherwise) and that the .model gives the golden ids.
func TestSPMBPELlama2Golden(t *testing.T) {
	m := loadSPM(t, sharedtest.Path(t, "vocab/llama2-tokenizer.model"))
	tk := convertChecked(t, m, spmbpeDir, "llama2-tokenizer", WriteSentencePieceBPE)
	hfDiff := readDiffs(t, spmbpeDir+"llama2-tokenizer.hf-vs-golden.jsonl")
	for _, text := range []string{"en", "code", "multi", "edge"} {
		lines := readLinesFile(t, sharedtest.Path(t, "golden/texts/"+text+".txt"))
		golden := readLinesFile(t, sharedtest.Path(t, "golden/llama2-tokenizer.model/"+text+".jsonl"))
		if len(lines) != len(golden) {
			t.Fatalf("%s: %d lines, %d golden", text, len(lines), len(golden))
		}
		sameHF, sameGolden, sameModel, roundTrips, roundTripLines := 0, 0, 0, 0, 0
		for i, line := range lines {
			gold := string(bytes.ReplaceAll(golden[i], []byte(" "), nil))
			hf, differs := hfDiff[text][i+1]
			if !differs {
				hf = gold
			} else if !bytes.Contains(line, []byte("<s>")) && !bytes.Contains(line, []byte("</s>")) && !bytes.Contains(line, []byte("<unk>")) {
				t.Errorf("%s line %d: HF differs from SentencePiece on a line without <s>, </s> or <unk>", text, i+1)
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
			// Byte fallback and no normalization: decoding gives the line
			// back, except where HF splits at an added token.
			if !bytes.Contains(line, []byte("<s>")) && !bytes.Contains(line, []byte("</s>")) && !bytes.Contains(line, []byte("<unk>")) {
				roundTripLines++
				back, err := tk.AppendDecode(nil, tk.AppendEncode(nil, line))
				if err == nil && bytes.Equal(back, line) {
					roundTrips++
				} else {
					t.Errorf("%s line %d %q: decodes to %q (%v)", text, i+1, truncateBytes(line), truncateBytes(back), err)
				}
			}
			if jsonIDs(m.AppendEncode(nil, line)) == gold {
				sameModel++
			} else {
				t.Errorf("%s line %d: .model differs from the golden ids", text, i+1)
			}
		}
		t.Logf("llama2 %s: tokenizer.json = HF on %d/%d lines, = golden SentencePiece on %d/%d; .model = golden on %d/%d; decode(encode(line)) = line on %d/%d",
			text, sameHF, len(lines), sameGolden, len(lines), sameModel, len(lines), roundTrips, roundTripLines)
	}
}

func truncateBytes(b []byte) string {
	if len(b) > 120 {
		return string(b[:120]) + "…"
	}
	return string(b)
}

// TestSentencePieceMerges is a known-answer test of the merge order: by
// score, then the left half's length in characters, then the right
// half's, each longest first; among equals, in vocabulary order and, for
// one piece, by the halves' ids.
func TestSentencePieceMerges(t *testing.T) {
	n := sentencepiece.Normal
	pieces := []sentencepiece.Piece{
		{Text: "<unk>", Type: sentencepiece.Unknown},
		{Text: "a", Score: -10, Type: n},     // 1
		{Text: "b", Score: -11, Type: n},     // 2
		{Text: "ab", Score: -1, Type: n},     // 3
		{Text: "ba", Score: -2, Type: n},     // 4
		{Text: "aba", Score: -3, Type: n},    // 5: a+ba, ab+a
		{Text: "bb", Score: -3, Type: n},     // 6
		{Text: "abab", Score: -0.5, Type: n}, // 7: ab+ab, aba+b
		{Text: "é", Score: -12, Type: n},     // 8
		{Text: "éb", Score: -4, Type: n},     // 9: one character + one (three bytes)
		{Text: "abb", Score: -4, Type: n},    // 10: a+bb, ab+b
	}
	want := [][2]uint32{
		{5, 2}, {3, 3}, // abab: the longer left half first
		{1, 2},                 // ab
		{2, 1},                 // ba
		{3, 1}, {1, 4}, {2, 2}, // aba (longer left first), then bb
		{3, 2}, {1, 6}, {8, 2}, // abb before éb: lengths count characters, not bytes
	}
	got := SentencePieceMerges(pieces)
	if !slices.Equal(got, want) {
		t.Errorf("merges\n got %v\nwant %v", got, want)
	}
}

// TestWriteSentencePieceErrors: models the writer cannot express.
func TestWriteSentencePieceErrors(t *testing.T) {
	m := loadSPM(t, "../sentencepiece/testdata/opticks-unigram-1000.model")
	var b bytes.Buffer
	if err := WriteSentencePieceBPE(&b, m); err == nil {
		t.Error("WriteSentencePieceBPE accepted a Unigram model")
	}
	b.Reset()
	if err := WriteSentencePiece(&b, m); err != nil || !bytes.Contains(b.Bytes(), []byte(`"type":"Unigram"`)) {
		t.Errorf("WriteSentencePiece on a Unigram model: %v", err)
	}
}

// FuzzSPMBPERoundTrip: with byte fallback, identity normalization and
// spaces kept, decoding the converted file's ids gives the text back,
// invalid UTF-8 included (each invalid byte is its own <0xNN> piece).
// Texts holding an added token's string (<unk>, <s>, </s>) are left out:
// HF splits the text there and gives the next part its own dummy prefix
// ("<s>x" decodes to "<s> x" in HF too).
func FuzzSPMBPERoundTrip(f *testing.F) {
	data := writeSPM(f, loadSPM(f, spmbpeDir+"opticks-tokbpe-1000-bf-identity.model"), WriteSentencePieceBPE)
	tk, err := Parse(data, "opticks-tokbpe-1000-bf-identity.tokenizer.json")
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{"", " ", "  light  ", "The Rays of Light", "\xff\xfe", "é\u0301 日本", "<s>x</s>", "a\tb\r\n", "\x00"} {
		f.Add([]byte(s))
	}
	for _, l := range readLinesFile(f, "../sentencepiece/testdata/edge.txt") {
		f.Add(l)
	}
	f.Fuzz(func(t *testing.T, text []byte) {
		for _, a := range tk.AddedTokens() {
			if bytes.Contains(text, []byte(a.Content)) {
				return
			}
		}
		ids := tk.AppendEncode(nil, text)
		got, err := tk.AppendDecode(nil, ids)
		if err != nil {
			t.Fatalf("%q: decode: %v", text, err)
		}
		if !bytes.Equal(got, text) {
			t.Fatalf("%q: ids %v decode to %q", text, ids, got)
		}
	})
}

func ExampleSentencePieceMerges() {
	pieces := []sentencepiece.Piece{
		{Text: "<unk>", Type: sentencepiece.Unknown},
		{Text: "▁", Score: -100, Type: sentencepiece.Normal},
		{Text: "t", Score: -101, Type: sentencepiece.Normal},
		{Text: "h", Score: -102, Type: sentencepiece.Normal},
		{Text: "e", Score: -103, Type: sentencepiece.Normal},
		{Text: "▁t", Score: -1, Type: sentencepiece.Normal},
		{Text: "he", Score: -2, Type: sentencepiece.Normal},
		{Text: "▁the", Score: -3, Type: sentencepiece.Normal},
	}
	for _, m := range SentencePieceMerges(pieces) {
		fmt.Printf("%s %s\n", pieces[m[0]].Text, pieces[m[1]].Text)
	}
	// Output:
	// ▁ t
	// h e
	// ▁t he
}

// BenchmarkWriteSentencePieceBPE converts the 1000-piece tok model and,
// with ../shared, Llama 2's 32000 pieces.
func BenchmarkWriteSentencePieceBPE(b *testing.B) {
	benchmarkWriteSPM(b, WriteSentencePieceBPE, spmbpeDir+"opticks-tokbpe-1000-bf-identity.model", "llama2-32000", "llama2-tokenizer")
}

// naiveSentencePieceMerges is the merge rule written as one sort over
// every pair of pieces whose concatenation is a piece: by the merged
// piece's score (highest first), the left and right halves' lengths in
// characters (longest first), then the merged piece's id, the left id and
// the right id.
func naiveSentencePieceMerges(pieces []sentencepiece.Piece) [][2]uint32 {
	type merge struct{ piece, left, right int }
	var ms []merge
	for p := range pieces {
		for l := range pieces {
			for r := range pieces {
				if pieces[l].Text+pieces[r].Text == pieces[p].Text {
					ms = append(ms, merge{p, l, r})
				}
			}
		}
	}
	runes := func(i int) int { return len([]rune(pieces[i].Text)) }
	slices.SortFunc(ms, func(a, b merge) int {
		if sa, sb := pieces[a.piece].Score, pieces[b.piece].Score; sa != sb {
			if sa > sb {
				return -1
			}
			return 1
		}
		for _, d := range []int{runes(b.left) - runes(a.left), runes(b.right) - runes(a.right), a.piece - b.piece, a.left - b.left, a.right - b.right} {
			if d != 0 {
				return d
			}
		}
		return 0
	})
	out := make([][2]uint32, len(ms))
	for i, m := range ms {
		out[i] = [2]uint32{uint32(m.left), uint32(m.right)}
	}
	return out
}

// FuzzSentencePieceMerges checks SentencePieceMerges against the naive
// rule on small vocabularies built from the input: pieces are the
// distinct runs between '|' (over a few letters, 'é' and '▁'), scores
// from a few bytes so that many are equal.
func FuzzSentencePieceMerges(f *testing.F) {
	f.Add("a|b|ab|ba|aba|bb|abab|é|éb|abb", []byte{1, 2, 3, 3, 0, 0, 5, 1, 2, 2})
	f.Add("▁|▁▁|▁▁▁|▁▁▁▁|▁a|a", []byte{0, 0, 0, 0, 7, 1})
	f.Fuzz(func(t *testing.T, spec string, scores []byte) {
		if len(spec) > 200 || !utf8.ValidString(spec) {
			return
		}
		var pieces []sentencepiece.Piece
		seen := map[string]bool{}
		for i, p := range strings.Split(spec, "|") {
			if p == "" || seen[p] {
				continue
			}
			seen[p] = true
			score := float32(0)
			if i < len(scores) {
				score = -float32(scores[i] % 4)
			}
			pieces = append(pieces, sentencepiece.Piece{Text: p, Score: score, Type: sentencepiece.Normal})
		}
		got, want := SentencePieceMerges(pieces), naiveSentencePieceMerges(pieces)
		if !slices.Equal(got, want) {
			t.Fatalf("pieces %v\n got %v\nwant %v", pieces, got, want)
		}
	})
}

// FuzzSPMBPEMatchesModel: on valid UTF-8 without an added token's string,
// the converted file (this package, HF's rules) and the .model (package
// sentencepiece, SentencePiece's rules) give the same ids, for the
// identity-normalized tok models (spaces kept, and trimmed).
func FuzzSPMBPEMatchesModel(f *testing.F) {
	fuzzSPMMatchesModel(f, spmbpeDir, []string{"opticks-tokbpe-1000-bf-identity", "opticks-tokbpe-1000-bf-identity-trim"}, WriteSentencePieceBPE,
		[]string{"", " ", "  light  of  the\tsun ", "The Rays of Light", "é\u0301 日本 \u3000x", "a\tb\r\n", "\x00\u00a0", "▁x", " ▁ ", "x ▁", "▁<0x41>▁"},
		func(*sentencepiece.Model, string, []uint32, []uint32) bool { return false })
}
