package tokenizerjson

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/toklabs/tok/internal/sharedtest"
	"github.com/toklabs/tok/sentencepiece"
)

// What TestSPMBPEParity and TestSPMUnigramParity share: SentencePiece
// models converted to tokenizer.json files, checked against reference ids
// made by HF tokenizers (peer-hf-encode) on the converted file and by
// SentencePiece (peer-spm-encode) on the .model, written by make.sh in
// the family's testdata folder.

// spmParityTexts are the texts every model is checked on: opticks-head
// (the first 1500 lines of the Opticks text), edge
// (sentencepiece/testdata/edge.txt), random (testdata/spmbpe/random.txt),
// spaces and pieces (testdata/spmunigram/) and shared-edge
// (../shared/golden/texts/edge.txt; skipped without TOK_SHARED).
var spmParityTexts = []string{"opticks-head", "edge", "random", "spaces", "pieces", "shared-edge"}

// spmParity is one family's parity check.
type spmParity struct {
	// dir holds <name>.tokenizer.json.sha256, <name>.<text>.hf.jsonl and
	// <name>.<text>.spm-vs-hf.jsonl for each model, made by dir/make.sh.
	dir    string
	models []spmParityModel
	// write is the family's writer (WriteSentencePieceBPE,
	// WriteUnigram); it must write what WriteSentencePiece writes.
	write func(io.Writer, *sentencepiece.Model) error
	// hfMayDiffer says why HF's ids (hf) may differ from SentencePiece's
	// (spm) on this line of the text for model m, or "" where they must
	// not. It is called only on lines where they differ.
	hfMayDiffer func(t *testing.T, m *sentencepiece.Model, text string, line, hf, spm []byte) string
}

type spmParityModel struct{ name, model string }

// run checks, for every model and text, that the converted file through
// this package gives HF's ids on every line, that the .model through
// package sentencepiece gives SentencePiece's ids on every line, and that
// HF's ids equal SentencePiece's except where hfMayDiffer gives a reason.
func (p spmParity) run(t *testing.T) {
	texts := map[string][][]byte{
		"opticks-head": readLinesFile(t, filepath.Join(runtime.GOROOT(), "src/testdata/Isaac.Newton-Opticks.txt"))[:1500],
		"edge":         readLinesFile(t, "../sentencepiece/testdata/edge.txt"),
		"random":       readLinesFile(t, spmbpeDir+"random.txt"),
		"spaces":       readLinesFile(t, spmunigramDir+"spaces.txt"),
		"pieces":       readLinesFile(t, spmunigramDir+"pieces.txt"),
	}
	for _, f := range p.models {
		t.Run(f.name, func(t *testing.T) {
			m := loadSPM(t, f.model)
			tk := convertChecked(t, m, p.dir, f.name, p.write)
			for _, text := range spmParityTexts {
				t.Run(text, func(t *testing.T) {
					lines, ok := texts[text]
					if text == "shared-edge" {
						lines = readLinesFile(t, sharedtest.Path(t, "golden/texts/edge.txt"))
					} else if !ok {
						t.Fatalf("no text %q", text)
					}
					p.checkText(t, m, tk, f.name, text, lines)
				})
			}
		})
	}
}

func (p spmParity) checkText(t *testing.T, m *sentencepiece.Model, tk *Tokenizer, name, text string, lines [][]byte) {
	prefix := p.dir + name + "." + text
	hf := readLinesFile(t, prefix+".hf.jsonl")
	if len(hf) != len(lines) {
		t.Fatalf("%s: %d lines, %d HF lines", text, len(lines), len(hf))
	}
	spm := slices.Clone(hf)
	for line, ids := range readDiffs(t, prefix+".spm-vs-hf.jsonl")[""] {
		if line < 1 || line > len(spm) {
			t.Fatalf("%s.spm-vs-hf.jsonl: line %d of %d", prefix, line, len(spm))
		}
		spm[line-1] = []byte(ids)
	}
	sameHF, sameSPM, hfIsSPM := 0, 0, 0
	reasons := map[string]int{}
	for i, line := range lines {
		if got := jsonIDs(tk.AppendEncode(nil, line)); got == string(hf[i]) {
			sameHF++
		} else {
			t.Errorf("%s line %d %q: tokenizer.json gives %s, HF %s", text, i+1, line, got, hf[i])
		}
		if got := jsonIDs(m.AppendEncode(nil, line)); got == string(spm[i]) {
			sameSPM++
		} else {
			t.Errorf("%s line %d %q: .model gives %s, SentencePiece %s", text, i+1, line, got, spm[i])
		}
		if bytes.Equal(hf[i], spm[i]) {
			hfIsSPM++
		} else if why := p.hfMayDiffer(t, m, text, line, hf[i], spm[i]); why != "" {
			reasons[why]++
		} else {
			t.Errorf("%s line %d %q: HF %s but SentencePiece %s, for no allowed reason", text, i+1, line, hf[i], spm[i])
		}
	}
	others := ""
	for _, why := range slices.Sorted(maps.Keys(reasons)) {
		others += fmt.Sprintf("; %d %s", reasons[why], why)
	}
	t.Logf("%s %s: tok tokenizer.json = HF on %d/%d lines; tok .model = SentencePiece on %d/%d; HF = SentencePiece on %d/%d%s",
		name, text, sameHF, len(lines), sameSPM, len(lines), hfIsSPM, len(lines), others)
}

// convertChecked converts the model as `tok convert` does
// (WriteSentencePiece), checks that write gives the same file and that it
// is the file the reference ids in dir were made from (its sha256 is
// recorded by dir/make.sh), and parses it.
func convertChecked(t *testing.T, m *sentencepiece.Model, dir, name string, write func(io.Writer, *sentencepiece.Model) error) *Tokenizer {
	t.Helper()
	var b, direct bytes.Buffer
	if err := WriteSentencePiece(&b, m); err != nil {
		t.Fatal(err)
	}
	if err := write(&direct, m); err != nil {
		t.Fatal(err)
	}
	data := b.Bytes()
	if !bytes.Equal(data, direct.Bytes()) {
		t.Errorf("%s: WriteSentencePiece and the family's writer write different files", name)
	}
	sum := sha256.Sum256(data)
	want, err := os.ReadFile(dir + name + ".tokenizer.json.sha256")
	if err != nil {
		t.Fatal(err)
	}
	if got := hex.EncodeToString(sum[:]); got != strings.TrimSpace(string(want)) {
		t.Errorf("%s: the converted file has sha256 %s, the reference ids were made from %s; run %smake.sh",
			name, got, strings.TrimSpace(string(want)), dir)
	}
	tk, err := Parse(data, name+".tokenizer.json")
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

// hasCharsmap reports whether the model normalizes with a precompiled
// charsmap (nmt_nfkc and the like), which HF's Precompiled normalizer and
// SentencePiece's normalizer apply differently on some text (combining
// marks after NFKC-expanding characters and the like: random.txt).
func hasCharsmap(m *sentencepiece.Model) bool {
	return len(m.Normalizer().Map.Bytes()) > 0
}

// lineHoldsPiece reports whether the line holds the text of a piece of
// one of the given types.
func lineHoldsPiece(m *sentencepiece.Model, line []byte, types ...sentencepiece.Type) bool {
	for _, p := range m.Pieces() {
		if slices.Contains(types, p.Type) && bytes.Contains(line, []byte(p.Text)) {
			return true
		}
	}
	return false
}

func loadSPM(t testing.TB, path string) *sentencepiece.Model {
	t.Helper()
	m, err := sentencepiece.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// splitLines splits on \n only, a final \n ending the last line.
func splitLines(data []byte) [][]byte {
	return bytes.Split(bytes.TrimSuffix(data, []byte("\n")), []byte("\n"))
}

func readLinesFile(t testing.TB, path string) [][]byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return splitLines(data)
}

// readDiffs reads a file of {"text":T,"line":N,"ids":[...]} lines (text
// optional) into text → line → ids.
func readDiffs(t *testing.T, path string) map[string]map[int]string {
	t.Helper()
	type diff struct {
		Text string          `json:"text"`
		Line int             `json:"line"`
		IDs  json.RawMessage `json:"ids"`
	}
	out := map[string]map[int]string{}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range splitLines(data) {
		if len(l) == 0 {
			continue
		}
		var d diff
		if err := json.Unmarshal(l, &d); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if out[d.Text] == nil {
			out[d.Text] = map[int]string{}
		}
		out[d.Text][d.Line] = string(d.IDs)
	}
	return out
}

// jsonIDs writes ids as the peers do, without spaces.
func jsonIDs(ids []uint32) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.FormatUint(uint64(id), 10)
	}
	return "[" + strings.Join(parts, ",") + "]"
}

// writeSPM converts the model with write (WriteSentencePieceBPE,
// WriteUnigram).
func writeSPM(t testing.TB, m *sentencepiece.Model, write func(io.Writer, *sentencepiece.Model) error) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := write(&b, m); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// fuzzSPMMatchesModel fuzzes that each model dir+name+".model" through
// package sentencepiece (SentencePiece's rules) and the file write
// converts it to through this package (HF's rules) give the same ids on
// valid UTF-8 holding no added token's string, except where
// mayDiffer(m, text, got, want) allows. Seeds: seeds and the lines of
// sentencepiece/testdata/edge.txt.
func fuzzSPMMatchesModel(f *testing.F, dir string, names []string, write func(io.Writer, *sentencepiece.Model) error,
	seeds []string, mayDiffer func(m *sentencepiece.Model, text string, got, want []uint32) bool) {
	type pair struct {
		model *sentencepiece.Model
		tk    *Tokenizer
	}
	var pairs []pair
	for _, name := range names {
		m := loadSPM(f, dir+name+".model")
		tk, err := Parse(writeSPM(f, m, write), name)
		if err != nil {
			f.Fatal(err)
		}
		pairs = append(pairs, pair{m, tk})
	}
	for _, s := range seeds {
		f.Add(s)
	}
	for _, l := range readLinesFile(f, "../sentencepiece/testdata/edge.txt") {
		f.Add(string(l))
	}
	f.Fuzz(func(t *testing.T, text string) {
		if !utf8.ValidString(text) {
			return
		}
		for _, p := range pairs {
			for _, a := range p.tk.AddedTokens() {
				if strings.Contains(text, a.Content) {
					return
				}
			}
			want := p.model.AppendEncode(nil, []byte(text))
			got := p.tk.AppendEncode(nil, []byte(text))
			if !slices.Equal(got, want) && !mayDiffer(p.model, text, got, want) {
				t.Fatalf("%q: tokenizer.json gives %v, .model %v", text, got, want)
			}
		}
	})
}

// benchmarkWriteSPM runs write on the tok model at tokModel (sub-benchmark
// tok-1000) and, with ../shared, on ../shared/vocab/<shared>.model
// (sub-benchmark sharedName).
func benchmarkWriteSPM(b *testing.B, write func(io.Writer, *sentencepiece.Model) error, tokModel, sharedName, shared string) {
	models := []struct{ name, path string }{{"tok-1000", tokModel}}
	if os.Getenv("TOK_SHARED") != "" {
		models = append(models, struct{ name, path string }{sharedName, sharedtest.Path(b, "vocab/"+shared+".model")})
	}
	for _, mc := range models {
		m := loadSPM(b, mc.path)
		b.Run(mc.name, func(b *testing.B) {
			b.ReportAllocs()
			var buf bytes.Buffer
			for b.Loop() {
				buf.Reset()
				if err := write(&buf, m); err != nil {
					b.Fatal(err)
				}
			}
			b.SetBytes(int64(buf.Len()))
		})
	}
}
