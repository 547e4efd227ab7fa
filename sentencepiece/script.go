package sentencepiece

import (
	"sort"
	"sync"
	"unicode"
)

// scriptRange is one range of code points of a Unicode script.
type scriptRange struct {
	lo, hi rune
	script int16
}

var (
	scriptOnce   sync.Once
	scriptRanges []scriptRange
	scriptIDs    map[string]int16
)

// Script ids used by the validity rules; other scripts get ids from 10 up.
const (
	scriptCommon int16 = iota
	scriptInherited
	scriptHan // Han, Hiragana, Katakana and the prolonged sound mark ー
	scriptNumber
)

func initScripts() {
	scriptIDs = map[string]int16{"Common": scriptCommon, "Inherited": scriptInherited, "Han": scriptHan,
		"Hiragana": scriptHan, "Katakana": scriptHan}
	next := int16(10)
	names := make([]string, 0, len(unicode.Scripts))
	for name := range unicode.Scripts {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		id, ok := scriptIDs[name]
		if !ok {
			id = next
			next++
			scriptIDs[name] = id
		}
		t := unicode.Scripts[name]
		for _, r := range t.R16 {
			for c := rune(r.Lo); c <= rune(r.Hi); c += rune(r.Stride) {
				if r.Stride == 1 {
					scriptRanges = append(scriptRanges, scriptRange{rune(r.Lo), rune(r.Hi), id})
					break
				}
				scriptRanges = append(scriptRanges, scriptRange{c, c, id})
			}
		}
		for _, r := range t.R32 {
			for c := rune(r.Lo); c <= rune(r.Hi); c += rune(r.Stride) {
				if r.Stride == 1 {
					scriptRanges = append(scriptRanges, scriptRange{rune(r.Lo), rune(r.Hi), id})
					break
				}
				scriptRanges = append(scriptRanges, scriptRange{c, c, id})
			}
		}
	}
	sort.Slice(scriptRanges, func(i, j int) bool { return scriptRanges[i].lo < scriptRanges[j].lo })
}

// scriptOf returns the script id of c for the "one script per piece"
// rule: Hiragana, Katakana and ー count as Han; unassigned code points as
// Common.
func scriptOf(c rune) int16 {
	scriptOnce.Do(initScripts)
	if c == 0x30FC {
		return scriptHan
	}
	i := sort.Search(len(scriptRanges), func(i int) bool { return scriptRanges[i].hi >= c })
	if i < len(scriptRanges) && scriptRanges[i].lo <= c {
		return scriptRanges[i].script
	}
	return scriptCommon
}

func isDigit(c rune) bool { return (c >= '0' && c <= '9') || (c >= 0xFF10 && c <= 0xFF19) }

// validPiece reports whether a candidate piece obeys the training rules:
// not longer than MaxPieceLength characters, no unknown character, ▁ only
// at the start (with SplitByWhitespace), one script (with
// SplitByUnicodeScript; digits count as Common, like punctuation), digits
// apart from other characters (with SplitByNumber and no script rule) and
// alone (with SplitDigits).
func (c *TrainConfig) validPiece(p []rune) bool {
	if len(p) == 0 || len(p) > c.MaxPieceLength {
		return false
	}
	prev := int16(-1)
	for i, r := range p {
		switch r {
		case unkChar, 0, ' ':
			return false
		case '\u2581':
			if c.SplitByWhitespace && i > 0 {
				return false
			}
			if !c.SplitByWhitespace && i == len(p)-1 && len(p) > 1 {
				return false
			}
			continue
		}
		s := scriptOf(r)
		if isDigit(r) {
			if c.SplitDigits && len(p) > 1 {
				return false
			}
			// Digits are Common script, so with the script rule they join
			// punctuation ("(1)", "0.00") but not letters, as in
			// SentencePiece's vocabularies. Without it, SplitByNumber
			// alone keeps digits apart from everything else.
			if !c.SplitByUnicodeScript {
				if !c.SplitByNumber {
					continue
				}
				s = scriptNumber
			}
		}
		if s == scriptInherited {
			continue
		}
		if c.SplitByUnicodeScript && prev >= 0 && s != prev {
			return false
		}
		if !c.SplitByUnicodeScript && c.SplitByNumber && prev >= 0 && (s == scriptNumber) != (prev == scriptNumber) {
			return false
		}
		prev = s
	}
	return true
}
