package pretokenize

import (
	"sort"
	"sync"
	"unicode"

	"github.com/toklabs/tok"
)

// UnicodeScripts is HF's UnicodeScripts pre-tokenizer: a piece starts at
// each character whose script differs from the script of the last
// character before it that has one. As in HF: Hiragana, Katakana and U+30FC
// count as Han; the space U+0020 and characters with no script (unassigned)
// have none, so they join the piece before them, and the ones that start
// the text are dropped; Common (digits, punctuation, other spaces) and
// Inherited (combining marks) are scripts of their own. Scripts come from
// Go's unicode.Scripts.
func UnicodeScripts() SplitFunc { return AppendUnicodeScripts }

// AppendUnicodeScripts is the SplitFunc of UnicodeScripts.
func AppendUnicodeScripts(dst []tok.Span, text []byte, piece tok.Span) []tok.Span {
	scriptsOnce.Do(buildScripts)
	last, start := uint8(scriptAny), -1
	for i := piece.Start; i < piece.End; {
		r, size := decodeAt(text, i, piece.End)
		if s := fixedScript(r); s != scriptAny && s != last {
			if start >= 0 {
				dst = append(dst, tok.Span{Start: start, End: i})
			}
			start, last = i, s
		}
		i += size
	}
	if start >= 0 {
		dst = append(dst, tok.Span{Start: start, End: piece.End})
	}
	return dst
}

// scriptAny is "no script"; scripts are numbered from 1 in the order of
// their sorted names.
const scriptAny = 0

var (
	scriptsOnce  sync.Once
	scriptTables []*unicode.RangeTable // index+1 is the script number
	scriptHan    uint8
	bmpScript    *[1 << 16]uint8
)

func buildScripts() {
	names := make([]string, 0, len(unicode.Scripts))
	for n := range unicode.Scripts {
		names = append(names, n)
	}
	sort.Strings(names)
	scriptTables = make([]*unicode.RangeTable, len(names))
	for i, n := range names {
		scriptTables[i] = unicode.Scripts[n]
		if n == "Han" {
			scriptHan = uint8(i + 1)
		}
	}
	t := new([1 << 16]uint8)
	for i, tab := range scriptTables {
		for _, r16 := range tab.R16 {
			for r := rune(r16.Lo); r <= rune(r16.Hi); r += rune(r16.Stride) {
				t[r] = uint8(i + 1)
			}
		}
	}
	bmpScript = t
}

// scriptOf is the number of r's script, or scriptAny.
func scriptOf(r rune) uint8 {
	if r >= 0 && r < 1<<16 {
		return bmpScript[r]
	}
	for i, tab := range scriptTables {
		if unicode.Is(tab, r) {
			return uint8(i + 1)
		}
	}
	return scriptAny
}

// fixedScript is HF's fixed_script: Hiragana, Katakana and U+30FC are Han,
// and a space has no script.
func fixedScript(r rune) uint8 {
	switch {
	case r == ' ':
		return scriptAny
	case r == 0x30FC:
		return scriptHan
	}
	s := scriptOf(r)
	if s != scriptAny {
		if t := scriptTables[s-1]; t == unicode.Hiragana || t == unicode.Katakana {
			return scriptHan
		}
	}
	return s
}
