package wordpiece

import (
	"bufio"
	"encoding/json"
	"slices"
	"testing"
	"unicode/utf8"

	"github.com/toklabs/tok"
	"github.com/toklabs/tok/internal/sharedtest"
)

// runeOffsets converts byte spans of text to the code-point spans HF
// reports.
func runeOffsets(text []byte, spans []tok.Span) [][2]int {
	idx := make([]int, len(text)+1) // byte offset -> code point offset
	n := 0
	for i := 0; i < len(text); {
		_, size := utf8.DecodeRune(text[i:])
		for k := 0; k < size; k++ {
			idx[i+k] = n
		}
		i += size
		n++
	}
	idx[len(text)] = n
	out := make([][2]int, len(spans))
	for i, s := range spans {
		out[i] = [2]int{idx[s.Start], idx[s.End]}
	}
	return out
}

type hfLine struct {
	Case      string   `json:"case"`
	Pair      int      `json:"pair"`
	Error     string   `json:"error"`
	IDs       []uint32 `json:"ids"`
	TypeIDs   []uint32 `json:"type_ids"`
	Offsets   [][2]int `json:"offsets"`
	Special   []uint8  `json:"special"`
	Attention []uint8  `json:"attention"`
}

func readHFLines(t *testing.T, path string) []hfLine {
	t.Helper()
	z := openGz(t, path)
	var out []hfLine
	sc := bufio.NewScanner(z)
	sc.Buffer(nil, 1<<26)
	for sc.Scan() {
		var l hfLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatal(err)
		}
		out = append(out, l)
	}
	return out
}

func bertFor(t *testing.T, cased bool) *BERT {
	t.Helper()
	path, cfg := "vocab/bert-base-uncased-vocab.txt", DefaultBERTConfig()
	if cased {
		path, cfg = "vocab/bert-large-cased-vocab.txt", CasedBERTConfig()
	}
	v, err := ReadVocabFile(sharedtest.Path(t, path))
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewBERT(v, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestBERT_offsetsHF compares ids and offsets of every line of three golden
// texts with HF's (testdata/make-offsets.sh).
func TestBERT_offsetsHF(t *testing.T) {
	for _, cased := range []bool{false, true} {
		b := bertFor(t, cased)
		name := map[bool]string{false: "uncased", true: "cased"}[cased]
		for _, text := range []string{"en", "multi", "edge"} {
			lines := readLines(t, sharedtest.Path(t, "golden/texts/"+text+".txt"))
			want := readHFLines(t, "testdata/ref/offsets/"+name+"-"+text+".jsonl.gz")
			if len(want) != len(lines) {
				t.Fatalf("%s/%s: %d lines, %d reference lines", name, text, len(lines), len(want))
			}
			same, shown := 0, 0
			for i, l := range lines {
				ids, spans := b.AppendEncodeOffsets(nil, nil, l)
				got := runeOffsets(l, spans)
				if slices.Equal(ids, want[i].IDs) && equalSpans(got, want[i].Offsets) {
					same++
					continue
				}
				if shown < 3 {
					shown++
					t.Errorf("%s/%s line %d %.60q:\n got %v %v\nwant %v %v", name, text, i+1, l, head(ids), got[:min(len(got), 12)], head(want[i].IDs), want[i].Offsets[:min(len(want[i].Offsets), 12)])
				}
			}
			t.Logf("%s/%s: ids and offsets identical on %d of %d lines", name, text, same, len(lines))
		}
	}
}

func equalSpans(a, b [][2]int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestBERT_EncodePairsHF compares [BERT.Encode] on pairs, with truncation
// and padding, with HF (testdata/make-offsets.sh, cases in hf-offsets.js).
func TestBERT_EncodePairsHF(t *testing.T) {
	pad := func(left bool) *Padding { return &Padding{Length: 40, ID: 0, Content: "[PAD]", Left: left} }
	cases := map[string]func(p *Post){
		"plain":               func(p *Post) {},
		"trunc16-longest":     func(p *Post) { p.Truncation = &Truncation{MaxLength: 16, Strategy: LongestFirst} },
		"trunc16-only_second": func(p *Post) { p.Truncation = &Truncation{MaxLength: 16, Strategy: OnlySecond} },
		"trunc9-longest-left": func(p *Post) { p.Truncation = &Truncation{MaxLength: 9, Strategy: LongestFirst, Left: true} },
		"pad40":               func(p *Post) { p.Padding = pad(false) },
		"pad40-left-trunc20": func(p *Post) {
			p.Padding = pad(true)
			p.Truncation = &Truncation{MaxLength: 20, Strategy: LongestFirst}
		},
	}
	// knownDiff lists the cases where HF 0.23.2 (the npm binary) differs
	// from HF's own truncation.rs, which Post follows: for LongestFirst
	// when both sequences must shrink, the source gives the longer one
	// max_length/2 + max_length%2. The binary sometimes gives it to the
	// first sequence instead, for reasons we could not pin down: with
	// max_length 16, 18 tokens of "This first sentence ..." against 22 "y"
	// gives 7 and 6, but 18 "x" against 22 "y" gives 6 and 7.
	knownDiff := map[string]bool{"trunc16-longest/4": true}
	lines := readLines(t, "testdata/pairs.txt")
	for _, cased := range []bool{false, true} {
		b := bertFor(t, cased)
		name := map[bool]string{false: "uncased", true: "cased"}[cased]
		n := 0
		for _, w := range readHFLines(t, "testdata/ref/offsets/"+name+"-pairs.jsonl.gz") {
			setup, ok := cases[w.Case]
			if !ok {
				t.Fatalf("unknown case %q", w.Case)
			}
			p := BertPost(b.Model().Vocab())
			setup(&p)
			bb := b.WithPost(p)
			first, second := lines[2*w.Pair], lines[2*w.Pair+1]
			got, err := bb.Encode(first, second)
			if w.Error != "" {
				if err == nil {
					t.Errorf("%s %s pair %d: no error, HF says %s", name, w.Case, w.Pair, w.Error)
				}
				n++
				continue
			}
			if err != nil {
				t.Errorf("%s %s pair %d: %v", name, w.Case, w.Pair, err)
				continue
			}
			// Offsets: HF's are code points within the sequence each token came from.
			offs := make([][2]int, len(got.Offsets))
			for i, sp := range got.Offsets {
				src := first
				if got.TypeIDs[i] == 1 && got.SpecialTokensMask[i] == 0 {
					src = second
				}
				offs[i] = runeOffsets(src, []tok.Span{sp})[0]
			}
			if knownDiff[w.Case+"/"+itoa(w.Pair)] {
				t.Logf("%s %s pair %d: known difference with HF 0.23.2 (see knownDiff)", name, w.Case, w.Pair)
				continue
			}
			if !slices.Equal(got.IDs, w.IDs) || !slices.Equal(got.TypeIDs, w.TypeIDs) || !equalSpans(offs, w.Offsets) ||
				string(got.SpecialTokensMask) != string(w.Special) || string(got.AttentionMask) != string(w.Attention) {
				t.Errorf("%s %s pair %d:\n got %v %v %v %v %v\nwant %v %v %v %v %v", name, w.Case, w.Pair,
					got.IDs, got.TypeIDs, offs, got.SpecialTokensMask, got.AttentionMask, w.IDs, w.TypeIDs, w.Offsets, w.Special, w.Attention)
				continue
			}
			n++
		}
		t.Logf("%s: %d post-processing cases identical", name, n)
	}
}
