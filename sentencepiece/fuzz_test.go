package sentencepiece

import (
	"bytes"
	"os"
	"slices"
	"testing"
	"unicode/utf8"

	"google.golang.org/protobuf/proto"

	"github.com/toklabs/tok/internal/sharedtest"
	"github.com/toklabs/tok/sentencepiece/internal/modelpb"
)

// FuzzParse feeds arbitrary bytes to the .model parser: it must return a
// model or an error, never panic, and a model it returns must encode.
func FuzzParse(f *testing.F) {
	for _, name := range []string{"testdata/opticks-unigram-1000.model", "testdata/opticks-bpe-1000.model"} {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data[:len(data)/2])
		f.Add(data[:200])
	}
	f.Add(tinyModelBytes(f))
	f.Add([]byte{0x0a, 0x02, 0x0a, 0x00})
	f.Fuzz(func(t *testing.T, data []byte) {
		// Parse's fast path, where it decides, agrees with the protobuf
		// library's reading.
		if fast, ferr, ok := parseFast(data, "fuzz.model"); ok {
			slow, serr := parseSlow(data, "fuzz.model")
			if (ferr == nil) != (serr == nil) {
				t.Fatalf("fast path error %v, protobuf path error %v", ferr, serr)
			}
			if ferr == nil {
				sameModel(t, fast, slow)
			}
		}
		m, err := Parse(data, "fuzz.model")
		if err != nil {
			return
		}
		ids := m.AppendEncode(nil, []byte("Hello wörld  日本\t\xff"))
		if _, err := m.AppendDecode(nil, ids); err != nil {
			t.Fatalf("decoding our own ids: %v", err)
		}
	})
}

// sameModel fails unless a and b have the same pieces, settings and
// serialized form.
func sameModel(t *testing.T, a, b *Model) {
	t.Helper()
	if !slices.Equal(a.pieces, b.pieces) {
		t.Fatalf("pieces differ: %d vs %d", len(a.pieces), len(b.pieces))
	}
	if a.algo != b.algo || a.byteFall != b.byteFall || a.unkID != b.unkID ||
		a.norm.AddDummyPrefix != b.norm.AddDummyPrefix || a.norm.RemoveExtraWhitespaces != b.norm.RemoveExtraWhitespaces ||
		a.norm.EscapeWhitespaces != b.norm.EscapeWhitespaces || a.norm.TreatWhitespaceAsSuffix != b.norm.TreatWhitespaceAsSuffix ||
		!bytes.Equal(a.norm.Map.Bytes(), b.norm.Map.Bytes()) {
		t.Fatalf("settings differ")
	}
	ma, errA := a.Marshal()
	mb, errB := b.Marshal()
	if errA != nil || errB != nil || !bytes.Equal(ma, mb) {
		t.Fatalf("Marshal differs (%v, %v)", errA, errB)
	}
}

// The shared and test models all take Parse's fast path and read as the
// protobuf library reads them.
func TestParse_FastPathMatchesProtobuf(t *testing.T) {
	paths := []string{"testdata/opticks-unigram-1000.model", "testdata/opticks-bpe-1000.model"}
	if os.Getenv("TOK_SHARED") != "" {
		paths = append(paths, sharedtest.Path(t, "vocab/llama2-tokenizer.model"), sharedtest.Path(t, "vocab/albert-30k-clean.model"))
	}
	for _, path := range paths {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		fast, err, ok := parseFast(data, path)
		if !ok || err != nil {
			t.Fatalf("%s: fast path not taken (ok %v, err %v)", path, ok, err)
		}
		slow, err := parseSlow(data, path)
		if err != nil {
			t.Fatal(err)
		}
		sameModel(t, fast, slow)
	}
	// A piece with a field the fast path does not know goes the slow way.
	p := tinyModelProto()
	p.Pieces[3].ProtoReflect().SetUnknown([]byte{0x20, 0x01}) // field 4, varint 1
	data, err := proto.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, ok := parseFast(data, "tiny"); ok {
		t.Error("fast path took a piece with an unknown field")
	}
	if _, err := Parse(data, "tiny"); err != nil {
		t.Errorf("the protobuf path should read it: %v", err)
	}
}

// tinyModel is a hand-built Unigram model with byte fallback and identity
// normalization, so every valid UTF-8 text round-trips.
func tinyModelProto() *modelpb.ModelProto {
	p := &modelpb.ModelProto{}
	add := func(s string, score float32, t modelpb.ModelProto_SentencePiece_Type) {
		p.Pieces = append(p.Pieces, &modelpb.ModelProto_SentencePiece{Piece: proto.String(s), Score: proto.Float32(score), Type: t.Enum()})
	}
	add("<unk>", 0, modelpb.ModelProto_SentencePiece_UNKNOWN)
	add("<s>", 0, modelpb.ModelProto_SentencePiece_CONTROL)
	for b := 0; b < 256; b++ {
		add(string([]byte{"0123456789ABCDEF"[b>>4], "0123456789ABCDEF"[b&15]}), 0, modelpb.ModelProto_SentencePiece_BYTE)
		p.Pieces[len(p.Pieces)-1].Piece = proto.String("<0x" + p.Pieces[len(p.Pieces)-1].GetPiece() + ">")
	}
	for i, s := range []string{"▁", "a", "b", "ab", "▁a", "ba", "aba", "▁ab", "c", "bc", "abc", "日", "本", "日本", "▁日"} {
		add(s, -float32(i%5)-1.5, modelpb.ModelProto_SentencePiece_NORMAL)
	}
	add("aaa", -2, modelpb.ModelProto_SentencePiece_UNUSED)
	add("<sep>", 0, modelpb.ModelProto_SentencePiece_USER_DEFINED)
	p.TrainerSpec = &modelpb.TrainerSpec{ByteFallback: proto.Bool(true)}
	p.NormalizerSpec = &modelpb.NormalizerSpec{Name: proto.String("identity"), AddDummyPrefix: proto.Bool(false),
		RemoveExtraWhitespaces: proto.Bool(false), EscapeWhitespaces: proto.Bool(true)}
	return p
}

func tinyModelBytes(tb testing.TB) []byte {
	b, err := proto.Marshal(tinyModelProto())
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func tinyModel(tb testing.TB, algo modelpb.TrainerSpec_ModelType) *Model {
	p := tinyModelProto()
	p.TrainerSpec.ModelType = algo.Enum()
	m, err := newModel(p, "tiny")
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

// FuzzRoundTrip checks decode(encode(x)) == x for valid UTF-8 (invalid
// UTF-8 becomes U+FFFD in normalization, as in SentencePiece) and that the
// Viterbi encoder agrees with the naive one.
func FuzzRoundTrip(f *testing.F) {
	for _, s := range []string{"", "abc", "a ab  aba\tc", "日本 日", "aaaa<sep>bab", "☃ x\u0301", "   "} {
		f.Add(s)
	}
	uni := tinyModel(f, modelpb.TrainerSpec_UNIGRAM)
	bpe := tinyModel(f, modelpb.TrainerSpec_BPE)
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return
		}
		for _, m := range []*Model{uni, bpe} {
			ids := m.AppendEncode(nil, []byte(s))
			got, err := m.AppendDecode(nil, ids)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != s {
				t.Fatalf("%v: decode(encode(%q)) = %q (ids %v)", m.algo, s, got, ids)
			}
		}
		norm, _ := uni.norm.Normalize(nil, nil, []byte(s), false)
		var st encodeState
		// BPE word by word (with the cache) equals BPE on the whole text.
		if bpe.cache == nil {
			t.Fatal("tiny BPE model should be word-splittable")
		}
		words := bpe.segmentBPE(&st, norm, nil)
		whole := bpe.segmentBPEDropout(&st, norm, nil, 0, nil)
		if len(words) != len(whole) {
			t.Fatalf("%q: by words %v, whole %v", s, words, whole)
		}
		for i := range words {
			if words[i] != whole[i] {
				t.Fatalf("%q: by words %v, whole %v", s, words, whole)
			}
		}
		// BPE with the heap and the double array equals the naive scan.
		naiveBPE := bpe.segmentBPENaive(norm)
		if !slices.Equal(whole, naiveBPE) {
			t.Fatalf("%q: BPE %v, naive %v", s, whole, naiveBPE)
		}
		fast := uni.segmentUnigram(&st, norm, nil)
		naive := uni.segmentUnigramNaive(norm)
		if len(fast) != len(naive) {
			t.Fatalf("%q: viterbi %v, naive %v", s, fast, naive)
		}
		for i := range fast {
			if fast[i] != naive[i] {
				t.Fatalf("%q: viterbi %v, naive %v", s, fast, naive)
			}
		}
	})
}

// FuzzNormalize checks the ASCII fast path of Normalize against
// normalizeNaive (every character through the rule lookup), with and
// without alignments, for nmt_nfkc (the Opticks model's charsmap) and the
// identity map, every whitespace setting, and user-defined symbols that
// are single ASCII bytes (as ALBERT's "(", "-", "."), start longer
// symbols, or are not ASCII.
func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"", "abc", "  a  b\t c  ", "e\u0301 ﬁ x", "(a-b). <sep>", "\x00\x7f\xff a", "ａｂ　c", " - ( ",
		"日本語テキスト", "ｶﾞｷﾞ ﾊﾟ", "Привет, мир", "नमस्ते", "é\u00a0ℌ", "\xe6\x97", "\xed\xa0\x80", "\xc0\xaf", "😀x"} {
		f.Add(s)
	}
	opticks, err := Load("testdata/opticks-unigram-1000.model")
	if err != nil {
		f.Fatal(err)
	}
	ud := newPieceTrie([]string{"(", "-", ".", "<sep>", "ab", "a", "é"}, []int32{1, 2, 3, 4, 5, 6, 7})
	var norms []*Normalizer
	for _, m := range []*CharsMap{opticks.norm.Map, nil} {
		for _, u := range []*pieceTrie{nil, ud} {
			for flags := range 16 {
				n := &Normalizer{Map: m, AddDummyPrefix: flags&1 != 0, RemoveExtraWhitespaces: flags&2 != 0,
					EscapeWhitespaces: flags&4 != 0, TreatWhitespaceAsSuffix: flags&8 != 0, userDefined: u}
				if flags%2 == 0 {
					n.fast = newNormASCII(m, u) // as a loaded model has; the others compute it
				}
				norms = append(norms, n)
			}
		}
	}
	f.Fuzz(func(t *testing.T, s string) {
		for i, n := range norms {
			for _, wantAlign := range []bool{false, true} {
				var align, alignNaive []int
				got, align := n.Normalize([]byte("x"), align, []byte(s), wantAlign)
				want, alignNaive := n.normalizeNaive([]byte("x"), alignNaive, []byte(s), wantAlign)
				if !bytes.Equal(got, want) || !slices.Equal(align, alignNaive) {
					t.Fatalf("normalizer %d (%+v), align %v, %q:\n got %q %v\nwant %q %v", i, *n, wantAlign, s, got, align, want, alignNaive)
				}
			}
		}
	})
}

// FuzzHFUnigram checks HFUnigram's double-array Viterbi against the naive
// map-based one on a small vocabulary with overlapping pieces, a
// duplicate piece (the first id wins), byte pieces and no unk_id.
func FuzzHFUnigram(f *testing.F) {
	for _, s := range []string{"", "abc", "▁ab▁aba", "日本語 x", "\xff\x00a", "zzz"} {
		f.Add(s)
	}
	pieces := []string{"<unk>", "a", "b", "ab", "aba", "▁", "▁a", "▁ab", "c", "bc", "日", "日本", "本", "ab", "<0x7A>", "<0xE8>", "<0xAA>", "<0x9E>"}
	scores := []float64{0, -1, -2, -1.5, -2.5, -1, -2, -2.25, -3, -3.5, -2, -2.5, -2, -9, -4, -4, -4, -4}
	index := map[string]int32{}
	for i, p := range pieces {
		if _, dup := index[p]; !dup {
			index[p] = int32(i)
		}
	}
	var models []*HFUnigram
	for _, unk := range []int{0, -1} {
		for _, bf := range []bool{false, true} {
			u, err := NewHFUnigram(pieces, scores, unk, bf)
			if err != nil {
				f.Fatal(err)
			}
			models = append(models, u)
		}
	}
	f.Fuzz(func(t *testing.T, s string) {
		for i, u := range models {
			got := u.AppendEncode([]uint32{7}, []byte(s))
			want := u.appendEncodeNaive([]uint32{7}, []byte(s), index)
			if !slices.Equal(got, want) {
				t.Fatalf("model %d, %q: got %v, want %v", i, s, got, want)
			}
		}
	})
}
