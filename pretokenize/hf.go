package pretokenize

// HuggingFace tokenizers' pre-tokenizers, as SplitFuncs over byte spans.
// Character classes follow the Rust implementation: char::is_whitespace is
// Unicode White_Space (unicode.IsSpace), char::is_numeric is \p{N},
// is_punctuation is \p{P}, and the Oniguruma \w of the Whitespace
// pre-tokenizer is isWordHF.

import (
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/toklabs/tok"
)

// asciiPunct marks the ASCII punctuation characters (Rust's
// char::is_ascii_punctuation): 33–47, 58–64, 91–96, 123–126.
var asciiPunct = func() (t [utf8.RuneSelf]bool) {
	for c := 0; c < utf8.RuneSelf; c++ {
		t[c] = c >= 33 && c <= 47 || c >= 58 && c <= 64 || c >= 91 && c <= 96 || c >= 123 && c <= 126
	}
	return t
}()

// IsBertPunctuation reports whether r is punctuation for BERT and HF's
// Punctuation and BertPreTokenizer pre-tokenizers: ASCII punctuation
// (33–47, 58–64, 91–96, 123–126, which includes symbols such as $, +, <, ^,
// `, |, ~) or a character of Unicode category P.
func IsBertPunctuation(r rune) bool {
	if r < utf8.RuneSelf {
		return asciiPunct[r]
	}
	return unicode.IsPunct(r)
}

// IsWhitespace reports whether r is Unicode White_Space (Rust's
// char::is_whitespace, Go's unicode.IsSpace): \t \n \v \f \r, space,
// U+0085, U+00A0, U+1680, U+2000–U+200A, U+2028, U+2029, U+202F, U+205F,
// U+3000.
func IsWhitespace(r rune) bool { return unicode.IsSpace(r) }

// isWordHF is Oniguruma's Unicode \w, which HF's Whitespace pre-tokenizer
// uses: Alphabetic (letters, Nl, Other_Alphabetic), marks, decimal digits,
// connector punctuation and the join controls U+200C, U+200D.
func isWordHF(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '_'
	}
	return unicode.IsLetter(r) || unicode.IsMark(r) || unicode.Is(unicode.Nd, r) ||
		unicode.Is(unicode.Nl, r) || unicode.Is(unicode.Pc, r) ||
		unicode.Is(unicode.Other_Alphabetic, r) || r == 0x200C || r == 0x200D
}

// decodeAt decodes the character at text[i] (i < end), reading no further
// than end; an invalid byte is utf8.RuneError of size 1.
func decodeAt(text []byte, i, end int) (rune, int) {
	if c := text[i]; c < utf8.RuneSelf {
		return rune(c), 1
	}
	return utf8.DecodeRune(text[i:end])
}

// Bert is HF's BertPreTokenizer: split on whitespace (removed), then make
// each punctuation character (IsBertPunctuation) a piece of its own.
// Invalid UTF-8 bytes are neither, so they stay inside words.
func Bert() SplitFunc { return AppendBert }

// AppendBert is the SplitFunc of Bert.
func AppendBert(dst []tok.Span, text []byte, piece tok.Span) []tok.Span {
	bmpOnce.Do(buildBMP)
	text = text[:piece.End] // never decode past the piece
	word := -1              // start of the current word, or -1
	for i := piece.Start; i < len(text); {
		cls, size := classAt(text, i)
		switch {
		case cls&cS != 0:
			if word >= 0 {
				dst = append(dst, tok.Span{Start: word, End: i})
				word = -1
			}
		case cls&cP != 0:
			if word >= 0 {
				dst = append(dst, tok.Span{Start: word, End: i})
				word = -1
			}
			dst = append(dst, tok.Span{Start: i, End: i + size})
		default:
			if word < 0 {
				word = i
			}
		}
		i += size
	}
	if word >= 0 {
		dst = append(dst, tok.Span{Start: word, End: len(text)})
	}
	return dst
}

// bertNaive is Bert written as HF writes it, for tests: two Split steps.
func bertNaive() SplitFunc {
	return Sequence(SplitRune(unicode.IsSpace, Removed, false), SplitRune(IsBertPunctuation, Isolated, false))
}

var asciiSpace = func() (t [utf8.RuneSelf]bool) {
	for c := 0; c < utf8.RuneSelf; c++ {
		t[c] = unicode.IsSpace(rune(c))
	}
	return t
}()

// WhitespaceSplit is HF's WhitespaceSplit: the runs of non-whitespace
// characters.
func WhitespaceSplit() SplitFunc { return SplitRune(unicode.IsSpace, Removed, false) }

// Whitespace is HF's Whitespace pre-tokenizer, the matches of
// `\w+|[^\w\s]+` with Oniguruma's \w: runs of word characters and runs of
// other non-whitespace characters.
func Whitespace() SplitFunc { return AppendWhitespace }

// AppendWhitespace is the SplitFunc of Whitespace.
func AppendWhitespace(dst []tok.Span, text []byte, piece tok.Span) []tok.Span {
	const (
		none = iota
		word
		other
	)
	wordOnce.Do(buildWordBMP)
	kind, start := none, 0
	for i := piece.Start; i < piece.End; {
		r, size := decodeAt(text, i, piece.End)
		k := other
		if r < 1<<16 && wordBMP[r] || r >= 1<<16 && isWordHF(r) {
			k = word
		} else if unicode.IsSpace(r) {
			k = none
		}
		if k != kind {
			if kind != none {
				dst = append(dst, tok.Span{Start: start, End: i})
			}
			kind, start = k, i
		}
		i += size
	}
	if kind != none {
		dst = append(dst, tok.Span{Start: start, End: piece.End})
	}
	return dst
}

var (
	wordOnce sync.Once
	wordBMP  *[1 << 16]bool // isWordHF for the BMP
)

func buildWordBMP() {
	t := new([1 << 16]bool)
	for r := rune(0); r < 1<<16; r++ {
		t[r] = isWordHF(r)
	}
	wordBMP = t
}

// Punctuation is HF's Punctuation pre-tokenizer: split at each punctuation
// character (IsBertPunctuation) with behavior b (HF's default is Isolated).
func Punctuation(b Behavior) SplitFunc { return SplitRune(IsBertPunctuation, b, false) }

// Digits is HF's Digits pre-tokenizer: each \p{N} character is its own
// piece when individual is true, else runs of them are.
func Digits(individual bool) SplitFunc {
	b := Contiguous
	if individual {
		b = Isolated
	}
	return SplitRune(func(r rune) bool { return unicode.IsNumber(r) }, b, false)
}

// CharDelimiterSplit is HF's CharDelimiterSplit: split at each delim,
// removing it.
func CharDelimiterSplit(delim rune) SplitFunc {
	return SplitRune(func(r rune) bool { return r == delim }, Removed, false)
}

// MetaspaceReplacement is the default replacement character of HF's
// Metaspace and SentencePiece: U+2581 LOWER ONE EIGHTH BLOCK.
const MetaspaceReplacement = '▁'

// MetaspaceSplit is the splitting half of HF's Metaspace pre-tokenizer
// (split=true): each replacement character starts a new piece (HF's
// MergedWithNext). The other half rewrites the text (spaces become the
// replacement, which is also prepended according to prepend_scheme); that
// changes bytes, not spans, so the caller does it before splitting (see
// AppendMetaspaceText).
func MetaspaceSplit(replacement rune) SplitFunc {
	return SplitRune(func(r rune) bool { return r == replacement }, MergedWithNext, false)
}

// AppendMetaspaceText appends to dst text with every space (U+0020)
// replaced by replacement, preceded by one replacement when prepend is true
// and text is not empty and does not already start with it or with a space (HF's prepend_scheme "always";
// for "first" the caller passes prepend only for the first section of the
// input; for "never" false).
func AppendMetaspaceText(dst, text []byte, replacement rune, prepend bool) []byte {
	if prepend && len(text) > 0 {
		// HF checks after replacing spaces, so a leading space counts.
		// An empty text stays empty.
		r, _ := utf8.DecodeRune(text)
		if r != replacement && r != ' ' {
			dst = utf8.AppendRune(dst, replacement)
		}
	}
	for _, c := range text {
		if c == ' ' {
			dst = utf8.AppendRune(dst, replacement)
		} else {
			dst = append(dst, c)
		}
	}
	return dst
}

// ByteLevelSplit is the splitting half of HF's ByteLevel pre-tokenizer with
// use_regex=true: the matches of PatternGPT2, isolated. The byte-to-unicode
// mapping and add_prefix_space rewrite the text and are the caller's.
func ByteLevelSplit() SplitFunc {
	return Split(MustCompile(PatternGPT2), Isolated, false)
}
