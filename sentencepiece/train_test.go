package sentencepiece

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/toklabs/tok/corpora"
)

type linesDocs struct {
	lines [][]byte
	i     int
}

func (l *linesDocs) Read() (corpora.Document, error) {
	if l.i >= len(l.lines) {
		return corpora.Document{}, io.EOF
	}
	l.i++
	return corpora.Document{Source: "test", Index: int64(l.i - 1), Text: l.lines[l.i-1]}, nil
}

func opticksLines(tb testing.TB, n int) [][]byte {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join(runtime.GOROOT(), "src/testdata/Isaac.Newton-Opticks.txt"))
	if err != nil {
		tb.Fatal(err)
	}
	lines := bytes.Split(data, []byte("\n"))
	if n > 0 && n < len(lines) {
		lines = lines[:n]
	}
	return lines
}

func trainSmall(tb testing.TB, cfg TrainConfig, lines [][]byte) *Model {
	tb.Helper()
	m, err := Train(&linesDocs{lines: lines}, cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

func TestTrainUnigram(t *testing.T) {
	cfg := DefaultTrainConfig()
	cfg.VocabSize = 600
	cfg.CharacterCoverage = 1 // so that every line round-trips below
	lines := opticksLines(t, 4000)
	m := trainSmall(t, cfg, lines)
	if m.VocabSize() != 600 {
		t.Fatalf("vocab size %d, want 600", m.VocabSize())
	}
	want := []struct {
		id   int
		text string
		typ  Type
	}{{0, "<unk>", Unknown}, {1, "<s>", Control}, {2, "</s>", Control}}
	for _, w := range want {
		p := m.Pieces()[w.id]
		if p.Text != w.text || p.Type != w.typ {
			t.Errorf("piece %d = %+v, want %q %v", w.id, p, w.text, w.typ)
		}
	}
	// Frequent words of the text become whole pieces.
	for _, w := range []string{"▁the", "▁of", "▁and", "▁Light"} {
		if _, ok := m.TokenToID(w); !ok {
			t.Errorf("%q is not a piece", w)
		}
	}
	// Scores are log probabilities in decreasing order after the meta pieces.
	for i := 4; i < m.VocabSize(); i++ {
		if m.Pieces()[i].Score > m.Pieces()[i-1].Score || m.Pieces()[i].Score >= 0 {
			t.Fatalf("piece %d score %v after %v", i, m.Pieces()[i].Score, m.Pieces()[i-1].Score)
		}
	}
	// Round trip on the training text (normalized: it is plain ASCII prose).
	for _, line := range lines[:200] {
		ids := m.AppendEncode(nil, line)
		got, err := m.AppendDecode(nil, ids)
		if err != nil {
			t.Fatal(err)
		}
		want := strings.Join(strings.Fields(string(line)), " ")
		if string(got) != want {
			t.Fatalf("decode(encode(%q)) = %q", line, got)
		}
	}
}

func TestTrainDeterministicAcrossWorkers(t *testing.T) {
	lines := opticksLines(t, 2000)
	var models [][]byte
	for _, workers := range []int{1, 3} {
		cfg := DefaultTrainConfig()
		cfg.VocabSize = 400
		cfg.Workers = workers
		m := trainSmall(t, cfg, lines)
		b, err := m.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		// The trainer spec records num_threads; clear it by comparing pieces.
		var buf bytes.Buffer
		for _, p := range m.Pieces() {
			fmt.Fprintf(&buf, "%s\t%v\t%v\n", p.Text, p.Score, p.Type)
		}
		models = append(models, buf.Bytes())
		_ = b
	}
	if !bytes.Equal(models[0], models[1]) {
		t.Fatal("training with 1 and 3 workers gave different pieces")
	}
}

func TestTrainedModelSaveLoad(t *testing.T) {
	cfg := DefaultTrainConfig()
	cfg.VocabSize = 500
	cfg.ByteFallback = true
	cfg.UserDefinedSymbols = []string{"<mask>"}
	lines := opticksLines(t, 2000)
	for i := 0; i < len(lines); i += 3 {
		lines[i] = append(append([]byte(nil), lines[i]...), " <mask> <mask>"...)
	}
	m := trainSmall(t, cfg, lines)
	if m.VocabSize() != 500 {
		t.Fatalf("vocab %d", m.VocabSize())
	}
	if id, ok := m.TokenToID("<0x41>"); !ok || m.Pieces()[id].Type != Byte {
		t.Fatalf("byte piece <0x41>: %v %v", id, ok)
	}
	path := filepath.Join(t.TempDir(), "m.model")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	m2, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	text := []byte("A <mask> of 日本 light ☃ and colours")
	a, b := m.AppendEncode(nil, text), m2.AppendEncode(nil, text)
	if idsJSON(a) != idsJSON(b) {
		t.Fatalf("reloaded model encodes %v, original %v", b, a)
	}
	// The user-defined symbol is cut out of the words training sees.
	wc, err := CountWords(&linesDocs{lines: lines}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	for w := range wc.Words {
		if strings.Contains(w, "<mask>") {
			t.Fatalf("counted word %q holds the user-defined symbol", w)
		}
	}
	if wc.Words["▁"] == 0 {
		t.Fatal("the ▁ before each <mask> should be counted as a word")
	}
	mask, _ := m.TokenToID("<mask>")
	found := false
	for _, id := range a {
		if id == mask {
			found = true
		}
	}
	if !found {
		t.Errorf("user-defined <mask> not kept whole: %v", a)
	}
	// Byte fallback: the snowman is unknown, so it is spelled as bytes,
	// and decoding gives the text back (modulo normalization).
	got, err := m.AppendDecode(nil, a)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(text) {
		t.Errorf("decode = %q, want %q", got, text)
	}
}

func TestTrainBPE(t *testing.T) {
	cfg := DefaultTrainConfig()
	cfg.Algorithm = BPE
	cfg.VocabSize = 500
	lines := opticksLines(t, 3000)
	m := trainSmall(t, cfg, lines)
	if m.VocabSize() != 500 || m.Algorithm() != BPE {
		t.Fatalf("vocab %d algo %v", m.VocabSize(), m.Algorithm())
	}
	// Scores are -(merge order): strictly decreasing after the meta pieces.
	for i := 4; i < m.VocabSize(); i++ {
		if m.Pieces()[i].Score >= m.Pieces()[i-1].Score {
			t.Fatalf("piece %d %q score %v not below %v", i, m.Pieces()[i].Text, m.Pieces()[i].Score, m.Pieces()[i-1].Score)
		}
	}
	// The first merge is the most frequent valid pair; in English prose
	// it joins ▁ with t or a frequent letter pair, and "▁the" is learnt.
	if _, ok := m.TokenToID("▁the"); !ok {
		t.Error("▁the not learnt")
	}
	// Every merged piece is the concatenation of two earlier pieces.
	for i := 3; i < m.VocabSize(); i++ {
		p := m.Pieces()[i].Text
		if len([]rune(p)) == 1 {
			continue
		}
		ok := false
		// A half is earlier if its id is lower or it is a character
		// (characters come after the merges in the vocabulary).
		earlier := func(s string) bool {
			id, ok := m.TokenToID(s)
			return ok && (int(id) < i || len([]rune(s)) == 1)
		}
		for cut := 1; cut < len(p); cut++ {
			if earlier(p[:cut]) && earlier(p[cut:]) {
				ok = true
				break
			}
		}
		if !ok {
			t.Fatalf("piece %d %q is not a merge of earlier pieces", i, p)
		}
	}
	// Decoding gives the (whitespace-normalized) line back.
	for _, line := range lines[:100] {
		got, _ := m.AppendDecode(nil, m.AppendEncode(nil, line))
		want := strings.Join(strings.Fields(string(line)), " ")
		if !strings.Contains(string(got), "⁇") && string(got) != want {
			t.Fatalf("decode(encode(%q)) = %q", line, got)
		}
	}
}

// TestMarginalsLinearMatchesLog checks the probability-space
// forward-backward against the log-space one.
func TestMarginalsLinearMatchesLog(t *testing.T) {
	pieces := []string{"▁", "a", "b", "ab", "▁a", "ba", "aba", "c"}
	scores := []float64{-2, -1.5, -1.7, -2.2, -2.5, -3, -3.5, -4}
	m := newTModelText(pieces, scores)
	long := strings.Repeat("▁abcab☃ba", 300) // its total probability underflows float64 many times over
	for _, text := range []string{"▁abab", "▁aaaa", "▁ab☃ba", "abcabcabc", "▁", long} {
		w := m.chars.appendIDs(nil, text)
		var sc latticeScratch
		lin := make([]float32, len(pieces))
		sc.nodes = m.nodes(sc.nodes[:0], w)
		zl, ok := m.marginalsLinear(&sc, len(w), 3, lin)
		if !ok {
			t.Fatalf("%q: linear underflow", text)
		}
		lg := make([]float32, len(pieces))
		zg := m.marginalsLog(&sc, w, 3, lg)
		if math.Abs(zl-zg) > 1e-9*max(1, math.Abs(zg)) {
			t.Errorf("%q: log Z %v (linear) vs %v (log)", text, zl, zg)
		}
		for i := range lin { // float32 sums: 1e-6 relative
			if a, b := float64(lin[i]), float64(lg[i]); math.Abs(a-b) > 1e-6*max(1, math.Abs(b)) {
				t.Errorf("%q piece %q: %v vs %v", text, pieces[i], lin[i], lg[i])
			}
		}
	}
}

// TestCountsFilesMergeExactly counts two halves of a corpus separately,
// writes and reads the counts, and checks that the merged counts and the
// model trained from them equal counting the whole corpus.
func TestCountsFilesMergeExactly(t *testing.T) {
	cfg := DefaultTrainConfig()
	cfg.VocabSize = 300
	lines := opticksLines(t, 1500)
	whole, err := CountWords(&linesDocs{lines: lines}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var paths []string
	for i, part := range [][][]byte{lines[:700], lines[700:]} {
		wc, err := CountWords(&linesDocs{lines: part}, cfg)
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, fmt.Sprintf("part%d.counts", i))
		f, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := wc.WriteTo(f); err != nil {
			t.Fatal(err)
		}
		f.Close()
		paths = append(paths, p)
	}
	merged, err := ReadWordCounts(paths...)
	if err != nil {
		t.Fatal(err)
	}
	if len(merged.Words) != len(whole.Words) || merged.Sentences != whole.Sentences || merged.Bytes != whole.Bytes {
		t.Fatalf("merged %d words %d sentences %d bytes; whole %d %d %d", len(merged.Words), merged.Sentences, merged.Bytes, len(whole.Words), whole.Sentences, whole.Bytes)
	}
	for w, n := range whole.Words {
		if merged.Words[w] != n {
			t.Fatalf("%q: merged %d, whole %d", w, merged.Words[w], n)
		}
	}
	if len(merged.Final) != len(whole.Final) || len(whole.Final) == 0 {
		t.Fatalf("merged %d sentence-final words, whole %d", len(merged.Final), len(whole.Final))
	}
	for w, n := range whole.Final {
		if merged.Final[w] != n {
			t.Fatalf("%q: merged %d sentence-final, whole %d", w, merged.Final[w], n)
		}
	}
	a, err := TrainFromCounts(whole, cfg)
	if err != nil {
		t.Fatal(err)
	}
	b, err := TrainFromCounts(merged, cfg)
	if err != nil {
		t.Fatal(err)
	}
	for i := range a.Pieces() {
		if a.Pieces()[i] != b.Pieces()[i] {
			t.Fatalf("piece %d: %v vs %v", i, a.Pieces()[i], b.Pieces()[i])
		}
	}
	// A damaged file is an error naming the file and line.
	bad := filepath.Join(dir, "bad.counts")
	os.WriteFile(bad, []byte(countsMagicV1+"\n1\t0\t5\n3\t▁a\nx\t▁b\n"), 0o644)
	if _, err := ReadWordCounts(bad); err == nil || !strings.Contains(err.Error(), "bad.counts:4") {
		t.Fatalf("error %v should name bad.counts:4", err)
	}
	os.WriteFile(bad, []byte(countsMagic+"\n1\t0\t5\n3\t1\t▁a\n3\t4\t▁b\n"), 0o644)
	if _, err := ReadWordCounts(bad); err == nil || !strings.Contains(err.Error(), "bad.counts:4") {
		t.Fatalf("error %v should name bad.counts:4 (more sentence ends than occurrences)", err)
	}
	// Version 1 files (no sentence ends) still train, with Final unknown.
	v1 := filepath.Join(dir, "v1.counts")
	os.WriteFile(v1, []byte(countsMagicV1+"\n2\t0\t20\n3\t▁ab\n2\t▁abc\n"), 0o644)
	old, err := ReadWordCounts(v1, paths[0])
	if err != nil || old.Final != nil || old.Words["▁ab"] != 3+whole.Words["▁ab"] {
		t.Fatalf("v1 + v2: %v, Final %v, ▁ab %d", err, old.Final, old.Words["▁ab"])
	}
	if _, err := TrainFromCounts(old, cfg); err != nil {
		t.Fatal(err)
	}
}
