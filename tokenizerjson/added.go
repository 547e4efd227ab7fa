package tokenizerjson

import (
	"sort"
	"unicode"
	"unicode/utf8"

	"github.com/toklabs/tok/normalize"
)

// addedSet matches a set of added tokens leftmost-longest, as HF's
// Aho-Corasick automaton (MatchKind::LeftmostLongest) does. tokens[i] is
// the token pattern i stands for: its id and, as in HF, the flags of the
// token that id maps to.
type addedSet struct {
	tokens []AddedToken // by pattern index
	root   *trieNode
	first  [256]bool // bytes that start some token
	empty  bool
}

type trieNode struct {
	next  map[byte]*trieNode
	token int // pattern index, -1 if none ends here
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
	return n > 0 && isWordChar(r)
}

func startsWithWord(s []byte) bool {
	r, n := utf8.DecodeRune(s)
	return n > 0 && isWordChar(r)
}

// isWordChar is Rust regex's Unicode \w (HF matches single_word tokens
// with `^\w` and `\w$`): Alphabetic, marks, decimal digits, connector
// punctuation (such as '_') and the joiners U+200C, U+200D.
func isWordChar(r rune) bool {
	if r < utf8.RuneSelf {
		return r == '_' || ('0' <= r && r <= '9') || ('a' <= r && r <= 'z') || ('A' <= r && r <= 'Z')
	}
	return unicode.IsLetter(r) || unicode.In(r, unicode.M, unicode.Nd, unicode.Nl, unicode.Pc, unicode.Other_Alphabetic) ||
		r == 0x200C || r == 0x200D
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

// addedVocab is the file's added_tokens as HF builds them
// (AddedVocabulary::add_tokens): the ids written in the file are not used;
// a token whose content is in the model's vocabulary takes the model's id,
// any other the next id after the vocabulary (or after the largest added
// id). Tokens are matched on the raw text (normalized:false) or on the
// normalized text (normalized:true, their content normalized first).
type addedVocab struct {
	byID       map[uint32]AddedToken // id → token (ID set to the id)
	byContent  map[string]uint32
	special    map[string]bool // contents of the tokens added as special
	raw        *addedSet
	normalized *addedSet
	maxID      int64 // -1 if none
}

// vocabLen is HF's Model::get_vocab_size: the number of entries.
func vocabLen(m Model) int {
	if l, ok := m.(interface{ VocabLen() int }); ok {
		return l.VocabLen()
	}
	return m.VocabSize()
}

func newAddedVocab(tokens []AddedToken, norm normalize.Normalizer, model Model) *addedVocab {
	v := &addedVocab{byID: map[uint32]AddedToken{}, byContent: map[string]uint32{}, maxID: -1}
	size := uint32(vocabLen(model))
	var specials, others []AddedToken
	specialSeen := map[string]bool{}
	for _, t := range tokens {
		if t.Special && t.Content != "" && !specialSeen[t.Content] {
			specialSeen[t.Content] = true
			specials = append(specials, t)
		}
	}
	for _, t := range tokens {
		if t.Content == "" {
			continue
		}
		dup := false
		for _, old := range v.byID {
			if old.Content == t.Content && old.SingleWord == t.SingleWord && old.LStrip == t.LStrip &&
				old.RStrip == t.RStrip && old.Normalized == t.Normalized && old.Special == t.Special {
				dup = true
				break
			}
		}
		if dup {
			continue
		}
		id, ok := v.byContent[t.Content]
		if !ok {
			id, ok = model.TokenToID(t.Content)
		}
		if !ok {
			if v.maxID < 0 {
				id = size
			} else if uint32(v.maxID) >= size || size == 0 {
				id = uint32(v.maxID) + 1
			} else {
				id = size
			}
		}
		t.ID = id
		v.byContent[t.Content] = id
		v.byID[id] = t
		v.maxID = max(v.maxID, int64(id))
		if !specialSeen[t.Content] {
			others = append(others, t)
		}
	}
	var rawToks, normToks []AddedToken
	var rawC, normC []string
	for _, t := range append(specials, others...) {
		id := v.byContent[t.Content]
		flags := v.byID[id]
		if t.Normalized {
			c := t.Content
			if norm != nil {
				c = string(norm.Normalize(nil, []byte(c)))
			}
			normToks = append(normToks, flags)
			normC = append(normC, c)
		} else {
			rawToks = append(rawToks, flags)
			rawC = append(rawC, t.Content)
		}
	}
	v.raw = newAddedSet(rawToks, rawC)
	v.normalized = newAddedSet(normToks, normC)
	v.special = specialSeen
	return v
}

// sortedByID returns the added tokens in id order, with the ids HF gives
// them.
func (v *addedVocab) sortedByID() []AddedToken {
	out := make([]AddedToken, 0, len(v.byID))
	for _, t := range v.byID {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}
