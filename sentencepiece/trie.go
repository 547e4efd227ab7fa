package sentencepiece

import "sort"

// pieceTrie maps byte strings to ids and answers prefix queries. Each node
// has a sorted run of outgoing edges in labels/targets; the root has a
// direct table because almost every lookup starts there.
type pieceTrie struct {
	root    [256]int32 // child of the root per byte, 0 = none
	nodes   []trieNode
	labels  []byte
	targets []int32
}

type trieNode struct {
	first, count int32 // edges labels[first:first+count]
	value        int32 // -1 when no key ends here
}

// newPieceTrie builds a trie of keys[i] → values[i]. Empty keys are
// ignored; a later duplicate replaces an earlier one.
func newPieceTrie(keys []string, values []int32) *pieceTrie {
	type bnode struct {
		kids  map[byte]int32
		value int32
	}
	b := []bnode{{value: -1}}
	for i, k := range keys {
		if k == "" {
			continue
		}
		cur := int32(0)
		for j := 0; j < len(k); j++ {
			if b[cur].kids == nil {
				b[cur].kids = map[byte]int32{}
			}
			nx, ok := b[cur].kids[k[j]]
			if !ok {
				nx = int32(len(b))
				b = append(b, bnode{value: -1})
				b[cur].kids[k[j]] = nx
			}
			cur = nx
		}
		b[cur].value = values[i]
	}
	t := &pieceTrie{nodes: make([]trieNode, len(b))}
	for i := range b {
		n := &t.nodes[i]
		n.value = b[i].value
		n.first = int32(len(t.labels))
		cs := make([]int, 0, len(b[i].kids))
		for c := range b[i].kids {
			cs = append(cs, int(c))
		}
		sort.Ints(cs)
		for _, c := range cs {
			t.labels = append(t.labels, byte(c))
			t.targets = append(t.targets, b[i].kids[byte(c)])
		}
		n.count = int32(len(cs))
	}
	for c, nx := range b[0].kids {
		t.root[c] = nx
	}
	return t
}

// child returns the node reached from node by byte c, or 0.
func (t *pieceTrie) child(node int32, c byte) int32 {
	if node == 0 {
		return t.root[c]
	}
	n := t.nodes[node]
	lo, hi := n.first, n.first+n.count
	// Narrow by binary search while the run is long, then scan; labels
	// are sorted, so the scan stops at the first larger label.
	for hi-lo > 8 {
		mid := int32(uint32(lo+hi) >> 1)
		if t.labels[mid] < c {
			lo = mid + 1
		} else {
			hi = mid + 1
		}
	}
	for ; lo < hi; lo++ {
		if l := t.labels[lo]; l == c {
			return t.targets[lo]
		} else if l > c {
			return 0
		}
	}
	return 0
}

// lookup returns the value of key, or -1.
func (t *pieceTrie) lookup(key []byte) int32 {
	cur := int32(0)
	for _, c := range key {
		cur = t.child(cur, c)
		if cur == 0 {
			return -1
		}
	}
	if cur == 0 {
		return -1
	}
	return t.nodes[cur].value
}

// longestPrefix returns the length of the longest key that is a prefix of
// s, or 0.
func (t *pieceTrie) longestPrefix(s []byte) int {
	best := 0
	cur := int32(0)
	for i, c := range s {
		cur = t.child(cur, c)
		if cur == 0 {
			break
		}
		if t.nodes[cur].value >= 0 {
			best = i + 1
		}
	}
	return best
}
