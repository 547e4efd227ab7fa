package sentencepiece

import (
	"slices"
	"strings"
)

// pieceTrie maps byte strings to ids and answers prefix queries. Each node
// has a sorted run of outgoing edges in labels; the root has a direct
// table because almost every lookup starts there. Nodes are laid out
// breadth-first and every node but the root is created with the one edge
// that leads to it, in the same order, so the edge labels[e] leads to node
// e+1 and no target array is needed.
//
// Performance notes: a darts-clone double array (O(1) per byte, as
// SentencePiece uses) was tried with the builder in charsmap_build.go, but
// its first-fit placement took 35 s for ALBERT's 30k pieces and 9 s for
// Llama 2's, so loading a model would be slow; sorted edges with a root
// table cost about 20% of Japanese training time (child) and little in
// encoding.
type pieceTrie struct {
	root   [256]int32 // child of the root per byte, 0 = none
	nodes  []trieNode
	labels []byte
}

type trieNode struct {
	first, count int32 // edges labels[first:first+count]
	value        int32 // -1 when no key ends here
}

// newPieceTrie builds a trie of keys[i] → values[i]. Empty keys are
// ignored; of duplicate keys the last one wins.
//
// It sorts the keys and lays the trie out breadth-first from ranges of
// the sorted keys, so every node's edges are contiguous and no per-node
// map is allocated (training rebuilds tries of up to a million seeds).
func newPieceTrie(keys []string, values []int32) *pieceTrie {
	order, size := sortKeys(keys)
	t := &pieceTrie{nodes: make([]trieNode, 1, size), labels: make([]byte, 0, size)}
	// span is the range of sorted keys below a node and the node's depth;
	// spans are made in the same order as nodes, so span i is node i's.
	type span struct{ lo, hi, depth int32 }
	t.nodes[0].value = -1
	queue := make([]span, 1, size)
	queue[0] = span{0, int32(len(order)), 0}
	for qi := 0; qi < len(queue); qi++ {
		sp := queue[qi]
		lo, depth := int(sp.lo), int(sp.depth)
		// Keys that end at this node come first in sorted order.
		for lo < int(sp.hi) && len(keys[order[lo]]) == depth {
			t.nodes[qi].value = values[order[lo]]
			lo++
		}
		t.nodes[qi].first = int32(len(t.labels))
		for lo < int(sp.hi) {
			c := keys[order[lo]][depth]
			hi := lo + 1
			for hi < int(sp.hi) && keys[order[hi]][depth] == c {
				hi++
			}
			t.nodes = append(t.nodes, trieNode{value: -1})
			t.labels = append(t.labels, c) // the edge to node len(t.labels)
			queue = append(queue, span{int32(lo), int32(hi), int32(depth + 1)})
			lo = hi
		}
		t.nodes[qi].count = int32(len(t.labels)) - t.nodes[qi].first
	}
	n := t.nodes[0]
	for e := n.first; e < n.first+n.count; e++ {
		t.root[t.labels[e]] = e + 1
	}
	return t
}

// sortKeys returns the indexes of the non-empty keys sorted by key, equal
// keys in input order, and the number of nodes of a trie of them
// (counting the root).
func sortKeys(keys []string) (order []int32, nodes int) {
	order = make([]int32, 0, len(keys))
	for i, k := range keys {
		if k != "" {
			order = append(order, int32(i))
		}
	}
	// A stable sort, but pdqsort with the index as tie-break is several
	// times faster than slices.SortStableFunc's merge sort.
	slices.SortFunc(order, func(a, b int32) int {
		if c := strings.Compare(keys[a], keys[b]); c != 0 {
			return c
		}
		return int(a - b)
	})
	// Exact: each key adds the bytes past its longest common prefix with
	// the previous key.
	nodes = 1
	for i, k := range order {
		lcp := 0
		if i > 0 {
			prev := keys[order[i-1]]
			for lcp < len(prev) && lcp < len(keys[k]) && prev[lcp] == keys[k][lcp] {
				lcp++
			}
		}
		nodes += len(keys[k]) - lcp
	}
	return order, nodes
}

// child returns the node reached from node by byte c, or 0.
func (t *pieceTrie) child(node int32, c byte) int32 {
	if node == 0 {
		return t.root[c]
	}
	n := t.nodes[node]
	return findLabel(t.labels, n.first, n.first+n.count, c)
}

// findLabel returns i+1 for the edge i in labels[lo:hi] (sorted) whose
// label is c, or 0: the child step of pieceTrie (byte labels) and of the
// trainer's charTrie (character ids). It narrows by binary search while the
// run is long, then scans, stopping at the first larger label.
func findLabel[L byte | int32](labels []L, lo, hi int32, c L) int32 {
	for hi-lo > 8 {
		mid := int32(uint32(lo+hi) >> 1)
		if labels[mid] < c {
			lo = mid + 1
		} else {
			hi = mid + 1
		}
	}
	for ; lo < hi; lo++ {
		if l := labels[lo]; l == c {
			return lo + 1
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
