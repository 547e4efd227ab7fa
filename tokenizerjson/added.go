package tokenizerjson

import (
	"sort"
	"unicode"
	"unicode/utf8"

	"github.com/toklabs/tok/normalize"
)

// addedSet matches a set of added tokens leftmost-longest, as HF's
// Aho-Corasick automaton (MatchKind::LeftmostLongest) does.
type addedSet struct {
	tokens []AddedToken // by index
	root   *trieNode
	first  [256]bool // bytes that start some token
	empty  bool
}

type trieNode struct {
	next  map[byte]*trieNode
	token int // index into tokens, -1 if none ends here
}

func newAddedSet(tokens []AddedToken, contents []string) *addedSet {
	s := &addedSet{tokens: tokens, root: &trieNode{token: -1}, empty: true}
	for i, c := range contents {
		if c == "" {
			continue
		}
		s.empty = false
		s.first[c[0]] = true
		n := s.root
		for j := 0; j < len(c); j++ {
			if n.next == nil {
				n.next = map[byte]*trieNode{}
			}
			child := n.next[c[j]]
			if child == nil {
				child = &trieNode{token: -1}
				n.next[c[j]] = child
			}
			n = child
		}
		if n.token < 0 {
			n.token = i
		}
	}
	return s
}

// longestAt returns the token index and length of the longest token that
// starts at text[i], or -1.
func (s *addedSet) longestAt(text []byte, i int) (int, int) {
	best, bestLen := -1, 0
	n := s.root
	for j := i; j < len(text); j++ {
		n = n.next[text[j]]
		if n == nil {
			break
		}
		if n.token >= 0 {
			best, bestLen = n.token, j+1-i
		}
		if n.next == nil {
			break
		}
	}
	return best, bestLen
}

// addedMatch is a matched added token: its index and byte range.
type addedMatch struct {
	token      int
	start, end int
}

// appendSplits finds the added tokens in text with HF's rules for
// single_word, lstrip and rstrip (AddedVocabulary::find_matches) and
// appends the matches to dst, in order.
func (s *addedSet) appendMatches(dst []addedMatch, text []byte) []addedMatch {
	if s == nil || s.empty {
		return dst
	}
	startOffset := 0
	for i := 0; i < len(text); {
		if !s.first[text[i]] {
			i++
			continue
		}
		idx, n := s.longestAt(text, i)
		if idx < 0 {
			i++
			continue
		}
		start, stop := i, i+n
		i = stop // the automaton resumes after the match
		t := &s.tokens[idx]
		if t.SingleWord {
			startSpace := start == 0 || !endsWithWord(text[:start])
			stopSpace := stop == len(text) || !startsWithWord(text[stop:])
			if !startSpace || !stopSpace {
				continue
			}
		}
		if t.LStrip {
			newStart := spaceLeftmostAtEnd(text[:start])
			start = max(newStart, startOffset)
		}
		if t.RStrip {
			stop += spaceRightmostAtStart(text[stop:])
		}
		dst = append(dst, addedMatch{token: idx, start: start, end: stop})
		startOffset = stop
	}
	return dst
}

func endsWithWord(s []byte) bool {
	r, n := utf8.DecodeLastRune(s)
	return n > 0 && isAlphanumeric(r)
}

func startsWithWord(s []byte) bool {
	r, n := utf8.DecodeRune(s)
	return n > 0 && isAlphanumeric(r)
}

// isAlphanumeric is Rust's char::is_alphanumeric: Alphabetic or Numeric.
func isAlphanumeric(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.Is(unicode.Other_Alphabetic, r) || unicode.Is(unicode.Nl, r)
}

// spaceLeftmostAtEnd returns where the trailing whitespace of s begins.
func spaceLeftmostAtEnd(s []byte) int {
	i := len(s)
	for i > 0 {
		r, n := utf8.DecodeLastRune(s[:i])
		if !unicode.IsSpace(r) {
			break
		}
		i -= n
	}
	return i
}

// spaceRightmostAtStart returns the length of the leading whitespace of s.
func spaceRightmostAtStart(s []byte) int {
	i := 0
	for i < len(s) {
		r, n := utf8.DecodeRune(s[i:])
		if !unicode.IsSpace(r) {
			break
		}
		i += n
	}
	return i
}

// addedVocab is the file's added_tokens, split as HF splits them: tokens
// matched on the raw text (normalized:false) and tokens matched on the
// normalized text (normalized:true, their content normalized first).
type addedVocab struct {
	all        []AddedToken // as in the file
	raw        *addedSet
	normalized *addedSet
	byID       map[uint32]int // index into all
	byContent  map[string]int
	maxID      int64 // -1 if none
}

func newAddedVocab(tokens []AddedToken, norm normalize.Normalizer) *addedVocab {
	v := &addedVocab{all: tokens, byID: map[uint32]int{}, byContent: map[string]int{}, maxID: -1}
	var rawToks, normToks []AddedToken
	var rawC, normC []string
	for i, t := range tokens {
		v.byID[t.ID] = i
		if _, dup := v.byContent[t.Content]; !dup {
			v.byContent[t.Content] = i
		}
		v.maxID = max(v.maxID, int64(t.ID))
		if t.Normalized {
			normToks = append(normToks, t)
			c := t.Content
			if norm != nil {
				c = string(norm.Normalize(nil, []byte(c)))
			}
			normC = append(normC, c)
		} else {
			rawToks = append(rawToks, t)
			rawC = append(rawC, t.Content)
		}
	}
	v.raw = newAddedSet(rawToks, rawC)
	v.normalized = newAddedSet(normToks, normC)
	return v
}

// sortedIDs returns the added tokens in id order.
func (v *addedVocab) sortedByID() []AddedToken {
	out := append([]AddedToken(nil), v.all...)
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}
