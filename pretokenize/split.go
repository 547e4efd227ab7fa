package pretokenize

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/toklabs/tok"
)

// Behavior says what a split does with the delimiters it finds: HF
// tokenizers' SplitDelimiterBehavior.
type Behavior uint8

// The behaviors, with the pieces each gives for "the-final--countdown" split
// on each "-" character.
const (
	// Removed drops the delimiters: "the" "final" "countdown".
	Removed Behavior = iota
	// Isolated keeps each delimiter as its own piece:
	// "the" "-" "final" "-" "-" "countdown".
	Isolated
	// MergedWithPrevious appends a delimiter to the piece before it:
	// "the-" "final-" "-" "countdown".
	MergedWithPrevious
	// MergedWithNext prepends a delimiter to the piece after it:
	// "the" "-final" "-" "-countdown".
	MergedWithNext
	// Contiguous keeps runs of adjacent delimiters together as one piece:
	// "the" "-" "final" "--" "countdown".
	Contiguous
)

var behaviorNames = [...]string{"Removed", "Isolated", "MergedWithPrevious", "MergedWithNext", "Contiguous"}

// String returns the name tokenizer.json uses ("MergedWithNext").
func (b Behavior) String() string {
	if int(b) < len(behaviorNames) {
		return behaviorNames[b]
	}
	return fmt.Sprintf("Behavior(%d)", uint8(b))
}

// ParseBehavior parses a behavior name as tokenizer.json writes it
// ("MergedWithNext") or as the Python API does ("merged_with_next"),
// ignoring case.
func ParseBehavior(s string) (Behavior, error) {
	k := strings.ToLower(strings.ReplaceAll(s, "_", ""))
	for i, n := range behaviorNames {
		if strings.ToLower(n) == k {
			return Behavior(i), nil
		}
	}
	return 0, fmt.Errorf("pretokenize: unknown split behavior %q", s)
}

// segment is one piece of a text before a behavior is applied: a delimiter
// (match) or the text between two delimiters.
type segment struct {
	tok.Span
	match bool
}

// SplitFunc appends to dst the pieces of text[piece.Start:piece.End], as
// spans of text (absolute offsets), and returns the extended slice. It is
// one pre-tokenization step; Sequence chains them.
type SplitFunc func(dst []tok.Span, text []byte, piece tok.Span) []tok.Span

// Pieces applies f to the whole of text.
func Pieces(f SplitFunc, text []byte) []tok.Span {
	return f(nil, text, tok.Span{Start: 0, End: len(text)})
}

// Sequence returns a SplitFunc that applies each step to every piece the
// previous step produced, as HF's Sequence pre-tokenizer does.
func Sequence(steps ...SplitFunc) SplitFunc {
	return func(dst []tok.Span, text []byte, piece tok.Span) []tok.Span {
		cur := []tok.Span{piece}
		var next []tok.Span
		for _, step := range steps {
			next = next[:0]
			for _, p := range cur {
				next = step(next, text, p)
			}
			cur, next = next, cur
		}
		return append(dst, cur...)
	}
}

// AppendSplitMatches splits piece at the delimiters matches (sorted,
// non-overlapping spans inside piece; empty ones allowed) and appends the
// resulting pieces to dst, with HF's rules: the matches and the gaps between
// them form a sequence of segments; invert swaps which segments count as
// delimiters; b then removes, isolates or merges the delimiters; empty
// pieces are dropped at the end.
func AppendSplitMatches(dst []tok.Span, piece tok.Span, matches []tok.Span, b Behavior, invert bool) []tok.Span {
	segs := make([]segment, 0, 2*len(matches)+1)
	prev := piece.Start
	for _, m := range matches {
		if prev != m.Start {
			segs = append(segs, segment{tok.Span{Start: prev, End: m.Start}, invert})
		}
		segs = append(segs, segment{m, !invert})
		prev = m.End
	}
	if prev != piece.End || piece.Start == piece.End {
		segs = append(segs, segment{tok.Span{Start: prev, End: piece.End}, invert})
	}
	return appendSegments(dst, segs, b)
}

// appendSegments applies behavior b to segs (HF's NormalizedString.split)
// and appends the non-empty pieces to dst.
func appendSegments(dst []tok.Span, segs []segment, b Behavior) []tok.Span {
	base := len(dst)
	switch b {
	case Removed:
		for _, s := range segs {
			if !s.match {
				dst = append(dst, s.Span)
			}
		}
	case Isolated:
		for _, s := range segs {
			dst = append(dst, s.Span)
		}
	case Contiguous:
		prevMatch := false
		for _, s := range segs {
			if s.match == prevMatch && len(dst) > base {
				dst[len(dst)-1].End = s.End
			} else {
				dst = append(dst, s.Span)
			}
			prevMatch = s.match
		}
	case MergedWithPrevious:
		prevMatch := false
		for _, s := range segs {
			if s.match && !prevMatch && len(dst) > base {
				dst[len(dst)-1].End = s.End
			} else {
				dst = append(dst, s.Span)
			}
			prevMatch = s.match
		}
	case MergedWithNext:
		// HF folds from the right: a delimiter whose right neighbour is
		// not a delimiter is merged into that neighbour.
		nextMatch := false
		for i := len(segs) - 1; i >= 0; i-- {
			s := segs[i]
			if s.match && !nextMatch && len(dst) > base {
				dst[len(dst)-1].Start = s.Start
			} else {
				dst = append(dst, s.Span)
			}
			nextMatch = s.match
		}
		for i, j := base, len(dst)-1; i < j; i, j = i+1, j-1 {
			dst[i], dst[j] = dst[j], dst[i]
		}
	}
	// Drop empty pieces.
	out := base
	for _, s := range dst[base:] {
		if s.Start != s.End {
			dst[out] = s
			out++
		}
	}
	return dst[:out]
}

// AppendSplit splits piece at the matches of m in text[piece.Start:piece.End]
// (the pattern sees only the piece: \z and look-ahead stop at its end) with
// behavior b, as HF's Split pre-tokenizer with a Regex pattern.
func AppendSplit(dst []tok.Span, text []byte, piece tok.Span, m Matcher, b Behavior, invert bool) []tok.Span {
	// Fast path: the matches go straight into dst. When they tile the
	// piece (all built-in patterns do) and none is empty, the pieces of
	// Isolated and of inverted Removed (the two settings tokenizer.json
	// files use with these patterns) are exactly the matches.
	base := len(dst)
	dst = m.AppendMatches(dst, text[piece.Start:piece.End])
	tiles, prev := true, piece.Start
	for i := base; i < len(dst); i++ {
		dst[i].Start += piece.Start
		dst[i].End += piece.Start
		if dst[i].Start != prev || dst[i].End == dst[i].Start {
			tiles = false
		}
		prev = dst[i].End
	}
	if prev != piece.End {
		tiles = false
	}
	if tiles && ((b == Isolated && !invert) || (b == Removed && invert)) {
		return dst
	}
	matches := append([]tok.Span(nil), dst[base:]...)
	return AppendSplitMatches(dst[:base], piece, matches, b, invert)
}

// Split returns the SplitFunc of HF's Split pre-tokenizer with a Regex
// pattern compiled into m.
func Split(m Matcher, b Behavior, invert bool) SplitFunc {
	return func(dst []tok.Span, text []byte, piece tok.Span) []tok.Span {
		return AppendSplit(dst, text, piece, m, b, invert)
	}
}

// SplitString returns the SplitFunc of HF's Split pre-tokenizer with a
// String pattern: the delimiters are the leftmost non-overlapping
// occurrences of delim. An empty delim never splits.
func SplitString(delim string, b Behavior, invert bool) SplitFunc {
	d := []byte(delim)
	return func(dst []tok.Span, text []byte, piece tok.Span) []tok.Span {
		var matches []tok.Span
		if delim != "" {
			s := text[piece.Start:piece.End]
			for i := 0; ; {
				k := bytes.Index(s[i:], d)
				if k < 0 {
					break
				}
				start := piece.Start + i + k
				matches = append(matches, tok.Span{Start: start, End: start + len(delim)})
				i += k + len(delim)
			}
		}
		return AppendSplitMatches(dst, piece, matches, b, invert)
	}
}

// SplitRune returns a SplitFunc that splits at every character for which
// isDelim is true, each such character being one delimiter (HF's split
// with a char predicate). Invalid UTF-8 bytes are passed to isDelim as
// utf8.RuneError, one byte each.
func SplitRune(isDelim func(rune) bool, b Behavior, invert bool) SplitFunc {
	return func(dst []tok.Span, text []byte, piece tok.Span) []tok.Span {
		var matches []tok.Span
		for i := piece.Start; i < piece.End; {
			r, size := rune(text[i]), 1
			if r >= utf8.RuneSelf {
				r, size = utf8.DecodeRune(text[i:piece.End])
			}
			if isDelim(r) {
				matches = append(matches, tok.Span{Start: i, End: i + size})
			}
			i += size
		}
		return AppendSplitMatches(dst, piece, matches, b, invert)
	}
}
