package pretokenize

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/toklabs/tok"
)

// hfCases is testdata/hf-pretokenizers.json, made by testdata/gen-hf.js with
// HuggingFace tokenizers' Rust core.
type hfCases struct {
	Inputs []string `json:"inputs"`
	Cases  []struct {
		Name    string          `json:"name"`
		Config  json.RawMessage `json:"config"`
		Inputs  []int           `json:"inputs"`
		Want    json.RawMessage `json:"want"`
		Strings bool            `json:"strings"`
	} `json:"cases"`
}

// hfSplitFunc builds our SplitFunc for a case name of gen-hf.js, and, for
// Metaspace, the text rewrite (prepend scheme) to run first.
func hfSplitFunc(t *testing.T, name string) (SplitFunc, func(string) string) {
	t.Helper()
	switch name {
	case "bert":
		return Bert(), nil
	case "whitespace":
		return Whitespace(), nil
	case "whitespace_split":
		return WhitespaceSplit(), nil
	case "digits_individual":
		return Digits(true), nil
	case "digits_contiguous":
		return Digits(false), nil
	case "char_delimiter_dash":
		return CharDelimiterSplit('-'), nil
	case "char_delimiter_meta":
		return CharDelimiterSplit('▁'), nil
	case "sequence_ws_punct_digits":
		return Sequence(WhitespaceSplit(), Punctuation(Contiguous), Digits(true)), nil
	case "metaspace_always", "metaspace_first":
		// The whole input is one section at offset 0, so first == always.
		return MetaspaceSplit('▁'), func(s string) string { return string(AppendMetaspaceText(nil, []byte(s), '▁', true)) }
	case "metaspace_never":
		return MetaspaceSplit('▁'), func(s string) string { return string(AppendMetaspaceText(nil, []byte(s), '▁', false)) }
	}
	if b, ok := strings.CutPrefix(name, "punctuation_"); ok {
		beh, err := ParseBehavior(b)
		if err != nil {
			t.Fatal(err)
		}
		return Punctuation(beh), nil
	}
	if rest, ok := strings.CutPrefix(name, "split_"); ok {
		// split_"DELIM"_behavior_invert
		end := strings.LastIndex(rest, `"_`)
		var delim string
		if err := json.Unmarshal([]byte(rest[:end+1]), &delim); err != nil {
			t.Fatal(err)
		}
		f := strings.Split(rest[end+2:], "_")
		beh, err := ParseBehavior(f[0])
		if err != nil {
			t.Fatal(err)
		}
		return SplitString(delim, beh, f[1] == "true"), nil
	}
	t.Fatalf("unknown case %q", name)
	return nil, nil
}

func TestHFPreTokenizers(t *testing.T) {
	data, err := os.ReadFile("testdata/hf-pretokenizers.json")
	if err != nil {
		t.Fatal(err)
	}
	var hc hfCases
	if err := json.Unmarshal(data, &hc); err != nil {
		t.Fatal(err)
	}
	if len(hc.Cases) < 50 {
		t.Fatalf("only %d cases", len(hc.Cases))
	}
	for _, c := range hc.Cases {
		t.Run(c.Name, func(t *testing.T) {
			f, rewrite := hfSplitFunc(t, c.Name)
			var wantSpans [][][2]int
			var wantStrings [][]string
			if c.Strings {
				err = json.Unmarshal(c.Want, &wantStrings)
			} else {
				err = json.Unmarshal(c.Want, &wantSpans)
			}
			if err != nil {
				t.Fatal(err)
			}
			bad := 0
			for k, i := range c.Inputs {
				in := hc.Inputs[i]
				if rewrite != nil {
					in = rewrite(in)
				}
				text := []byte(in)
				got := Pieces(f, text)
				var gotS, wantS string
				if c.Strings {
					gotS = fmt.Sprintf("%q", AppendStrings(nil, text, got))
					wantS = fmt.Sprintf("%q", wantStrings[k])
				} else {
					gotS = fmt.Sprint(spansToPairs(got))
					wantS = fmt.Sprint(wantSpans[k])
				}
				if gotS != wantS {
					bad++
					if bad <= 3 {
						t.Errorf("input %d %q:\n got %s\nwant %s", i, hc.Inputs[i], gotS, wantS)
					}
				}
			}
			if bad > 0 {
				t.Errorf("%d of %d inputs differ", bad, len(c.Inputs))
			}
		})
	}
}

func spansToPairs(s []tok.Span) [][2]int {
	out := make([][2]int, len(s))
	for i, x := range s {
		out[i] = [2]int{x.Start, x.End}
	}
	return out
}

// FuzzBert checks the one-pass Bert against HF's two-step definition
// (bertNaive) on arbitrary bytes, and that the pieces are in order and
// cover only non-whitespace.
func FuzzBert(f *testing.F) {
	for _, s := range []string{"", "Hello, world!", "a\u00a0b\u3000c", "¿Qué?", "\xff\xfe(x)", "a\u2028b\x85c", "don't stop"} {
		f.Add([]byte(s))
	}
	naive := bertNaive()
	f.Fuzz(func(t *testing.T, text []byte) {
		got := Pieces(Bert(), text)
		want := Pieces(naive, text)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("%q:\n got %v\nwant %v", text, got, want)
		}
		for i, s := range got {
			if s.Start >= s.End || (i > 0 && got[i-1].End > s.Start) {
				t.Fatalf("%q: bad spans %v", text, got)
			}
		}
	})
}

func TestParseBehavior(t *testing.T) {
	for b := Removed; b <= Contiguous; b++ {
		for _, s := range []string{b.String(), strings.ToLower(b.String())} {
			got, err := ParseBehavior(s)
			if err != nil || got != b {
				t.Errorf("ParseBehavior(%q) = %v, %v; want %v", s, got, err, b)
			}
		}
	}
	if got, err := ParseBehavior("merged_with_previous"); err != nil || got != MergedWithPrevious {
		t.Errorf("snake case: %v, %v", got, err)
	}
	if _, err := ParseBehavior("merged"); err == nil {
		t.Error("ParseBehavior(merged) succeeded")
	}
}

// TestAppendSplit_fastPath checks AppendSplit (which skips the segment
// folding when the matches tile the piece) against AppendSplitMatches on
// the same matches, for every behavior, tiling and non-tiling patterns.
func TestAppendSplit_fastPath(t *testing.T) {
	texts := []string{"", "a", "Hello, world! 123 don't\n\n  x", "  12ab34  ", "\xff\xfe1", "ab12cd"}
	for _, pattern := range []string{PatternGPT2, PatternCL100K, PatternO200K, `\d+`, `\d*`, `\s`} {
		m, err := Compile(pattern)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range texts {
			// Split inside a larger text so offsets matter.
			text := []byte("<<" + s + ">>")
			piece := tok.Span{Start: 2, End: 2 + len(s)}
			for b := Removed; b <= Contiguous; b++ {
				for _, invert := range []bool{false, true} {
					got := AppendSplit([]tok.Span{{Start: 0, End: 1}}, text, piece, m, b, invert)
					matches := m.AppendMatches(nil, text[piece.Start:piece.End])
					for i := range matches {
						matches[i].Start += 2
						matches[i].End += 2
					}
					want := AppendSplitMatches([]tok.Span{{Start: 0, End: 1}}, piece, matches, b, invert)
					if fmt.Sprint(got) != fmt.Sprint(want) {
						t.Errorf("%q on %q %v invert=%v: got %v, want %v", pattern, s, b, invert, got, want)
					}
				}
			}
		}
	}
}
