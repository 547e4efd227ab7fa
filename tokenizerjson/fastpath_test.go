package tokenizerjson

import (
	"bytes"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/toklabs/tok"
	"github.com/toklabs/tok/normalize"
	"github.com/toklabs/tok/pretokenize"
)

// The fast paths of the SentencePiece-style files (Precompiled's ASCII
// table, the hand-written Replace patterns, the lone-Metaspace encoder)
// against the general code they stand in for.

// fastPathSeeds are texts around the fast paths' edges: ASCII runs ending
// before a combining mark, CR LF, spaces and U+2581 at both ends,
// characters the charsmap rewrites, invalid UTF-8.
var fastPathSeeds = []string{
	"", " ", "  ", "▁", " ▁ ", "▁ ▁", "  the  light ", "The Rays\tof Light.",
	"e\u0301 a\u0308b", "a\r\nb\r", "\r\n\u0301", "ＡＢＣ ﬁ ½ \u00a0x\u3000y", "日本語 の テキスト",
	"🇫🇷🇩🇪 👩\u200d👩\u200d👧 x", "\xff a \xe2\x96 b \xe2\x96\x81\xe2", "a\u0600b", "<unk> <s> </s> <0x41>",
	"x  ", "  ▁▁  ", "▁x▁▁y▁", "\x00\x01 \x7f",
	"ไทยั क्ष हिन्दी 각 한국억 é́ü", "Привет, мир! ٱلْعَرَبِيَّة ©‍®", "­x­é",
}

// fastPathFiles are the local files whose fast paths the fuzz tests
// exercise, by name: converted tok and spm_train models (nmt_nfkc as
// Precompiled, identity with the trim/collapse Replace patterns,
// SentencePiece BPE with Replace(" ", "▁")), each also rewritten as HF
// lays such files out (t5Style, metaspaceStyle), and HF-made Metaspace
// pipelines.
func fastPathFiles(tb testing.TB) map[string][]byte {
	tb.Helper()
	out := map[string][]byte{}
	for _, m := range []string{
		spmunigramDir + "opticks-tokunigram-1000.model",
		spmunigramDir + "opticks-tokunigram-1000-bf-identity-trim.model",
		spmunigramDir + "opticks-tokunigram-1000-identity.model",
		"../sentencepiece/testdata/opticks-unigram-1000.model",
		spmbpeDir + "opticks-tokbpe-1000.model",
		spmbpeDir + "opticks-tokbpe-1000-bf-identity-trim.model",
	} {
		var b bytes.Buffer
		if err := WriteSentencePiece(&b, loadSPM(tb, m)); err != nil {
			tb.Fatal(err)
		}
		out[m] = b.Bytes()
		if strings.Contains(m, "unigram") {
			out[m+"#t5"] = t5Style(tb, b.Bytes())
		} else {
			out[m+"#metaspace"] = metaspaceStyle(tb, b.Bytes())
		}
	}
	for _, name := range []string{"metaspace-always", "metaspace-first-nosplit", "metaspace-never"} {
		data, err := os.ReadFile("testdata/hf-pipelines/" + name + ".json")
		if err != nil {
			tb.Fatal(err)
		}
		out[name] = data
	}
	return out
}

// fastPathTokenizers parses fastPathFiles; with general set, Encode of
// the tokenizers takes the general path only (the fast paths' reference).
func fastPathTokenizers(tb testing.TB, general ...bool) map[string]*Tokenizer {
	tb.Helper()
	out := map[string]*Tokenizer{}
	for name, data := range fastPathFiles(tb) {
		tk, err := Parse(data, name)
		if err != nil {
			tb.Fatal(err)
		}
		tk.general = len(general) > 0 && general[0]
		out[name] = tk
	}
	return out
}

// precompiledOf finds the Precompiled normalizer of tk.
func precompiledOf(tk *Tokenizer) *Precompiled {
	switch n := tk.normalizer.(type) {
	case *Precompiled:
		return n
	case normalize.Sequence:
		for _, s := range n {
			if p, ok := s.(*Precompiled); ok {
				return p
			}
		}
	}
	return nil
}

// TestFastPathsTaken: the files of the fuzz tests do take the fast paths
// (else the fuzz tests would compare the general path with itself).
func TestFastPathsTaken(t *testing.T) {
	tks := fastPathTokenizers(t)
	if precompiledOf(tks[spmunigramDir+"opticks-tokunigram-1000.model"]) == nil {
		t.Error("the nmt_nfkc model has no Precompiled normalizer")
	}
	for name, tk := range tks {
		if tk.pre != nil && tk.pre.meta == nil {
			t.Errorf("%s: Metaspace fast path not taken", name)
		}
		if _, bpe := tk.model.(*bpeModel); bpe && tk.wordSplit == nil {
			t.Errorf("%s: BPE lines not cut into words", name)
		}
	}
	seq, ok := tks[spmunigramDir+"opticks-tokunigram-1000-bf-identity-trim.model"].normalizer.(normalize.Sequence)
	if !ok {
		t.Fatal("the trimming model's normalizer is not a Sequence")
	}
	native := 0
	for _, n := range seq {
		if r, ok := n.(normalize.Replace); ok {
			switch r.Pattern.(type) {
			case spaceRuns, trimSpaces:
				native++
			}
		}
	}
	if native != 2 {
		t.Errorf("%d of the two Replace patterns are hand-written matchers", native)
	}
}

// FuzzPrecompiled_Normalize: Precompiled's fast Normalize and
// NormalizeAligned equal the cluster-by-cluster reference, text and
// alignment.
func FuzzPrecompiled_Normalize(f *testing.F) {
	var ps []*Precompiled
	for _, tk := range fastPathTokenizers(f) {
		if p := precompiledOf(tk); p != nil {
			ps = append(ps, p)
		}
	}
	if len(ps) == 0 {
		f.Fatal("no Precompiled normalizer")
	}
	for _, s := range fastPathSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, text []byte) {
		for i, p := range ps {
			want, wantAlign := p.normalizeReference(nil, nil, text)
			if got := p.Normalize(nil, text); !bytes.Equal(got, want) {
				t.Fatalf("map %d %q: Normalize %q, reference %q", i, text, got, want)
			}
			got, align := p.NormalizeAligned(nil, nil, text)
			if !bytes.Equal(got, want) || !slices.Equal(align, wantAlign) {
				t.Fatalf("map %d %q: NormalizeAligned %q %v, reference %q %v", i, text, got, align, want, wantAlign)
			}
		}
	})
}

// FuzzNativePatterns: the hand-written matchers give the regex engine's
// matches.
func FuzzNativePatterns(f *testing.F) {
	type pair struct {
		re             string
		native, engine normalize.Matcher
	}
	var ps []pair
	for re, m := range nativePatterns {
		e, err := pretokenize.Compile(re)
		if err != nil {
			f.Fatal(err)
		}
		ps = append(ps, pair{re, m, e})
	}
	for _, s := range fastPathSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, text []byte) {
		for _, p := range ps {
			got := p.native.AppendMatches(nil, text)
			want := p.engine.AppendMatches(nil, text)
			if !slices.Equal(got, want) {
				t.Fatalf("%q on %q: %v, regex engine %v", p.re, text, got, want)
			}
		}
	})
}

// FuzzWhitespaceSplit: appendWhitespaceSplit gives pretokenize's
// WhitespaceSplit pieces (empty ones aside, which both paths skip), on
// the whole text and on a part of it.
func FuzzWhitespaceSplit(f *testing.F) {
	for _, s := range fastPathSeeds {
		f.Add([]byte(s), 1)
	}
	ref := pretokenize.WhitespaceSplit()
	nonEmpty := func(spans []tok.Span) []tok.Span {
		return slices.DeleteFunc(spans, func(s tok.Span) bool { return s.End <= s.Start })
	}
	f.Fuzz(func(t *testing.T, text []byte, cut int) {
		for _, piece := range []tok.Span{{Start: 0, End: len(text)}, {Start: min(max(cut, 0), len(text)), End: len(text)}} {
			got := nonEmpty(appendWhitespaceSplit(nil, text, piece))
			want := nonEmpty(ref(nil, text, piece))
			if !slices.Equal(got, want) {
				t.Fatalf("%q %v: %v, pretokenize %v", text, piece, got, want)
			}
		}
	})
}

// FuzzEncodeFastPaths: AppendEncode and Encode (fast paths) give the ids
// and offsets of Encode on the general, aligned path (NormalizeAligned,
// applySlow, whole pieces to the model), on any bytes.
func FuzzEncodeFastPaths(f *testing.F) {
	tks := fastPathTokenizers(f)
	ref := fastPathTokenizers(f, true)
	for _, s := range fastPathSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, text []byte) {
		for name, tk := range tks {
			want := ref[name].Encode(text, EncodeOptions{NoFileLimits: true})
			if got := tk.AppendEncode(nil, text); !slices.Equal(got, want.IDs) {
				t.Fatalf("%s %q: AppendEncode %v, general path %v", name, text, got, want.IDs)
			}
			got := tk.Encode(text, EncodeOptions{NoFileLimits: true})
			if !slices.Equal(got.IDs, want.IDs) || !slices.Equal(got.Offsets, want.Offsets) || !slices.Equal(got.Tokens, want.Tokens) {
				t.Fatalf("%s %q: Encode %v %v, general path %v %v", name, text, got.IDs, got.Offsets, want.IDs, want.Offsets)
			}
		}
	})
}

// FuzzMetaspacePieces: metaspacePieces gives applySlow's non-empty pieces
// and alignments, for every fast-path file with a Metaspace pre-tokenizer,
// first or not.
func FuzzMetaspacePieces(f *testing.F) {
	var pres []*preTokenizer
	for _, tk := range fastPathTokenizers(f) {
		if tk.pre != nil && tk.pre.meta != nil {
			pres = append(pres, tk.pre)
		}
	}
	for _, s := range fastPathSeeds {
		f.Add([]byte(s), true)
	}
	f.Fuzz(func(t *testing.T, text []byte, first bool) {
		for i, p := range pres {
			// (Empty pieces give no tokens: applySlow keeps an empty text as
			// one.)
			nonEmpty := func(ps []piece) []piece {
				return slices.DeleteFunc(ps, func(pc piece) bool { return len(pc.text) == 0 })
			}
			got, want := nonEmpty(p.metaspacePieces(text, first)), nonEmpty(p.applySlow(text, first))
			if len(got) != len(want) {
				t.Fatalf("pre-tokenizer %d %q: %d pieces, applySlow %d", i, text, len(got), len(want))
			}
			for k := range got {
				if !bytes.Equal(got[k].text, want[k].text) || !slices.Equal(got[k].align, want[k].align) {
					t.Fatalf("pre-tokenizer %d %q piece %d: %q %v, applySlow %q %v", i, text, k, got[k].text, got[k].align, want[k].text, want[k].align)
				}
			}
		}
	})
}

// TestConcurrentEncodeSPM runs the SentencePiece-style fast paths (pooled
// Sequence buffers, per-call scratch) from several goroutines (run with
// -race).
func TestConcurrentEncodeSPM(t *testing.T) {
	tk := fastPathTokenizers(t)[spmunigramDir+"opticks-tokunigram-1000.model"]
	var texts [][]byte
	for i := range 48 {
		texts = append(texts, []byte(fmt.Sprintf("  %s ＡＢ e\u0301 %d ▁ light  of the\r\n sun %s ", fastPathSeeds[i%len(fastPathSeeds)], i, bytes.Repeat([]byte("ab "), i))))
	}
	checkConcurrent(t, tk, texts, 4, false)
}

// TestBPEWordSplit: a SentencePiece-style BPE file is cut into words only
// when no merge joins a symbol to a following "▁" word, and a run of "▁"
// stays with the word after it. The ids are HF's whole-line BPE
// (peer-hf-encode, npm tokenizers 0.23.2, on these three files).
func TestBPEWordSplit(t *testing.T) {
	const head = `{"version":"1.0","added_tokens":[],"normalizer":{"type":"Replace","pattern":{"String":" "},"content":"▁"},
		"pre_tokenizer":null,"model":{"type":"BPE","vocab":{"a":0,"b":1,"▁":2,"▁b":3,"▁▁":4,"▁▁b":5,"a▁b":6},"merges":`
	tests := []struct {
		name, merges string
		split        bool
		want         map[string][]uint32
	}{
		{"split", `[["▁","b"],["▁","▁"],["▁▁","b"]]`, true, map[string][]uint32{"a b": {0, 3}, "a  b": {0, 2, 3}}},
		{"spaces stay together", `[["▁","▁"],["▁","b"],["▁▁","b"]]`, true, map[string][]uint32{"a b": {0, 3}, "a  b": {0, 5}}},
		{"merge across words", `[["▁","b"],["a","▁b"]]`, false, map[string][]uint32{"a b": {6}, "a  b": {0, 2, 3}}},
	}
	for _, tc := range tests {
		tk, err := Parse([]byte(head+tc.merges+`}}`), tc.name+".json")
		if err != nil {
			t.Fatal(err)
		}
		if got := tk.wordSplit != nil; got != tc.split {
			t.Errorf("%s: cut into words %v, want %v", tc.name, got, tc.split)
		}
		for text, want := range tc.want {
			if got := tk.AppendEncode(nil, []byte(text)); !slices.Equal(got, want) {
				t.Errorf("%s: %q gives %v, HF %v", tc.name, text, got, want)
			}
			if got := tk.Encode([]byte(text), EncodeOptions{}).IDs; !slices.Equal(got, want) {
				t.Errorf("%s: Encode %q gives %v, HF %v", tc.name, text, got, want)
			}
		}
	}
}

// TestPieceCacheStartsOver: past cacheMaxEntries distinct words the cache
// starts over, and every word still gets the model's ids, before and
// after.
func TestPieceCacheStartsOver(t *testing.T) {
	tk := fastPathTokenizers(t)[spmunigramDir+"opticks-tokunigram-1000.model"]
	var line []byte
	check := func(i int) {
		line = fmt.Appendf(line[:0], "light%d of%d", i, i%7)
		got := tk.AppendEncode(nil, line)
		if want := tk.Encode(line, EncodeOptions{}).IDs; !slices.Equal(got, want) {
			t.Fatalf("%q: %v, general path %v", line, got, want)
		}
	}
	for i := range cacheMaxEntries + 100 {
		check(i)
	}
	for i := range 200 {
		check(i)
	}
}
