package sentencepiece

import (
	"slices"
	"unicode/utf8"
)

// Unigram training works on characters, not bytes: every character of
// the training words is mapped to a dense id (the required characters,
// most frequent first, then one id for every other character), words and
// pieces become sequences of ids, and the trie that finds pieces in words
// steps once per character instead of once per byte (a third of the steps
// on Japanese text).

// charIDs maps characters to dense ids and back.
type charIDs struct {
	runes []rune         // id → character; the last id is "other"
	small []int32        // dense id of characters below len(small); -1 = other
	big   map[rune]int32 // dense id of the other characters that have one
	other int32          // the id of characters outside the alphabet
}

// smallRunes is how many characters charIDs maps through a table: the
// Basic Multilingual Plane, 256 KiB.
const smallRunes = 0x10000

// newCharIDs gives chars[i] the id i and every other character the id
// len(chars). Duplicate characters keep their first id.
func newCharIDs(chars []rune) *charIDs {
	a := &charIDs{runes: make([]rune, 0, len(chars)+1), other: int32(len(chars))}
	maxSmall := rune(0)
	for _, c := range chars {
		if c < smallRunes {
			maxSmall = max(maxSmall, c)
		}
	}
	a.small = make([]int32, maxSmall+1)
	for i := range a.small {
		a.small[i] = -1
	}
	for i, c := range chars {
		a.runes = append(a.runes, c)
		if a.id(c) != a.other {
			continue
		}
		if c < smallRunes {
			a.small[c] = int32(i)
		} else {
			if a.big == nil {
				a.big = map[rune]int32{}
			}
			a.big[c] = int32(i)
		}
	}
	a.runes = append(a.runes, unkChar)
	return a
}

// id returns the dense id of c.
func (a *charIDs) id(c rune) int32 {
	if c >= 0 && int(c) < len(a.small) {
		if id := a.small[c]; id >= 0 {
			return id
		}
		return a.other
	}
	if id, ok := a.big[c]; ok {
		return id
	}
	return a.other
}

// appendIDs appends the ids of the characters of s.
func (a *charIDs) appendIDs(dst []int32, s string) []int32 {
	for _, c := range s {
		dst = append(dst, a.id(c))
	}
	return dst
}

// appendText appends the UTF-8 text of ids.
func (a *charIDs) appendText(dst []byte, ids []int32) []byte {
	for _, id := range ids {
		dst = utf8.AppendRune(dst, a.runes[id])
	}
	return dst
}

// compare orders id sequences as their texts order (by code point).
func (a *charIDs) compare(x, y []int32) int {
	for i := 0; i < len(x) && i < len(y); i++ {
		if x[i] != y[i] {
			if a.runes[x[i]] < a.runes[y[i]] {
				return -1
			}
			return 1
		}
	}
	return len(x) - len(y)
}

// keySet is a list of id sequences.
type keySet interface {
	len() int
	at(i int) []int32
}

// seqs is a list of id sequences in one flat array: sequence i is
// ids[off[i]:off[i+1]].
type seqs struct {
	ids []int32
	off []int32
}

func newSeqs(n, total int) *seqs {
	return &seqs{ids: make([]int32, 0, total), off: append(make([]int32, 0, n+1), 0)}
}
func (s *seqs) len() int         { return len(s.off) - 1 }
func (s *seqs) at(i int) []int32 { return s.ids[s.off[i]:s.off[i+1]] }
func (s *seqs) add(seq []int32) {
	s.ids = append(s.ids, seq...)
	s.off = append(s.off, int32(len(s.ids)))
}
func (s *seqs) bytes() int { return 4 * (cap(s.ids) + cap(s.off)) }

// pieceRefs is a list of id sequences that are spans of one shared text
// (the training words, where every piece occurs): sequence i is
// text[start[i]:start[i]+length[i]]. A piece costs 8 bytes whatever its
// length, and a model made of some of the pieces of another shares the
// text instead of copying them.
type pieceRefs struct {
	text          []int32
	start, length []int32
}

func newPieceRefs(text []int32, n int) *pieceRefs {
	return &pieceRefs{text: text, start: make([]int32, 0, n), length: make([]int32, 0, n)}
}
func (p *pieceRefs) len() int         { return len(p.start) }
func (p *pieceRefs) at(i int) []int32 { return p.text[p.start[i] : p.start[i]+p.length[i]] }

// add appends the span text[start:start+length].
func (p *pieceRefs) add(start, length int32) {
	p.start = append(p.start, start)
	p.length = append(p.length, length)
}

// addFrom appends piece i of q, which shares p's text.
func (p *pieceRefs) addFrom(q *pieceRefs, i int) { p.add(q.start[i], q.length[i]) }
func (p *pieceRefs) bytes() int                  { return 4 * (cap(p.start) + cap(p.length)) }

// charTrie maps id sequences (pieces) to values and finds the pieces that
// start at a position of a word. Nodes are numbered breadth-first and the
// edges of node v are labels[node[v].first:node[v+1].first], sorted; the
// edge labels[e] leads to node e+1, so no target array is needed. A
// node's edge start and value sit side by side (one cache line for a
// step). The root's children are a table indexed by character id. A node
// costs 12 bytes, and building allocates the arrays once, at their final
// size.
type charTrie struct {
	root   []int32    // child of the root per character id, 0 = none
	node   []charNode // one per node, and one more holding the end of labels
	labels []int32
}

type charNode struct {
	first int32 // the node's edges start at labels[first]
	value int32 // the value of the key ending here, or -1
}

// nodes is the number of nodes.
func (t *charTrie) nodes() int { return len(t.node) - 1 }

// newCharTrie builds a trie of keys.at(i) → values[i] (→ i when values
// is nil) over an alphabet of alphabet ids. Empty keys are ignored; of
// duplicate keys the last wins.
func newCharTrie(keys keySet, values []int32, alphabet int) *charTrie {
	order := make([]int32, 0, keys.len())
	for i := 0; i < keys.len(); i++ {
		if len(keys.at(i)) > 0 {
			order = append(order, int32(i))
		}
	}
	// Training keeps its pieces in key order, so sorting is mostly a check.
	sorted := true
	for i := 1; i < len(order) && sorted; i++ {
		sorted = slices.Compare(keys.at(int(order[i-1])), keys.at(int(order[i]))) < 0
	}
	if !sorted {
		slices.SortFunc(order, func(a, b int32) int {
			if c := slices.Compare(keys.at(int(a)), keys.at(int(b))); c != 0 {
				return c
			}
			return int(a - b) // equal keys in input order: the last wins
		})
	}
	// Exactly 1 + Σ (len(key) - common prefix with the previous key)
	// nodes; width[d] counts the nodes at depth d+1.
	nodes := 1
	var width []int
	for i, k := range order {
		key := keys.at(int(k))
		common := 0
		if i > 0 {
			prev := keys.at(int(order[i-1]))
			for common < len(key) && common < len(prev) && key[common] == prev[common] {
				common++
			}
		}
		nodes += len(key) - common
		for len(width) < len(key) {
			width = append(width, 0)
		}
		for d := common; d < len(key); d++ {
			width[d]++
		}
	}
	widest := 1
	for _, w := range width {
		widest = max(widest, w)
	}
	t := &charTrie{
		root:   make([]int32, alphabet),
		node:   make([]charNode, 1, nodes+1),
		labels: make([]int32, 0, nodes-1),
	}
	t.node[0].value = -1
	valueOf := func(k int32) int32 {
		if values == nil {
			return k
		}
		return values[k]
	}
	// Breadth-first, one level at a time: a span of the sorted keys per
	// node of the level.
	type span struct{ lo, hi, node int32 }
	level := append(make([]span, 0, widest), span{0, int32(len(order)), 0})
	next := make([]span, 0, widest)
	for depth := 0; len(level) > 0; depth++ {
		next = next[:0]
		for _, sp := range level {
			t.node[sp.node].first = int32(len(t.labels)) // nodes are visited in order
			lo := sp.lo
			// Keys that end at this node come first in sorted order.
			for lo < sp.hi && len(keys.at(int(order[lo]))) == depth {
				t.node[sp.node].value = valueOf(order[lo])
				lo++
			}
			for lo < sp.hi {
				c := keys.at(int(order[lo]))[depth]
				hi := lo + 1
				for hi < sp.hi && keys.at(int(order[hi]))[depth] == c {
					hi++
				}
				child := int32(len(t.node))
				t.node = append(t.node, charNode{value: -1})
				t.labels = append(t.labels, c) // the edge to node child == len(labels)
				next = append(next, span{lo, hi, child})
				lo = hi
			}
		}
		level, next = next, level
	}
	t.node = append(t.node, charNode{first: int32(len(t.labels)), value: -1})
	for e := t.node[0].first; e < t.node[1].first; e++ {
		t.root[t.labels[e]] = e + 1
	}
	return t
}

// child returns the node reached from node by character c, or 0.
func (t *charTrie) child(node, c int32) int32 {
	if node == 0 {
		if uint32(c) < uint32(len(t.root)) {
			return t.root[c]
		}
		return 0
	}
	return findLabel(t.labels, t.node[node].first, t.node[node+1].first, c)
}

// lookup returns the value of key, or -1.
func (t *charTrie) lookup(key []int32) int32 {
	if len(key) == 0 {
		return -1
	}
	node := int32(0)
	for _, c := range key {
		if node = t.child(node, c); node == 0 {
			return -1
		}
	}
	return t.node[node].value
}

// bytes is the memory the trie holds.
func (t *charTrie) bytes() int {
	return 4 * (cap(t.root) + 2*cap(t.node) + cap(t.labels))
}
