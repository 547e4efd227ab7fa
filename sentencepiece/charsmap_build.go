package sentencepiece

import (
	"encoding/binary"
	"fmt"
	"sort"
)

// BuildCharsMap compiles normalization rules (input string → replacement)
// into a CharsMap in the precompiled_charsmap layout, so that SentencePiece
// itself reads it from a .model file we write. Keys must be non-empty;
// replacements may be empty (the input is deleted) but must not contain
// NUL.
func BuildCharsMap(rules map[string]string) (*CharsMap, error) {
	keys := make([]string, 0, len(rules))
	for k, v := range rules {
		if k == "" {
			return nil, fmt.Errorf("sentencepiece: empty key in normalization rules")
		}
		if indexByte([]byte(v), 0) >= 0 {
			return nil, fmt.Errorf("sentencepiece: replacement of %q contains NUL", k)
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	// The pool of replacements, each NUL-terminated, shared when equal.
	var pool []byte
	offsets := map[string]uint32{}
	values := make([]uint32, len(keys))
	for i, k := range keys {
		v := rules[k]
		off, ok := offsets[v]
		if !ok {
			off = uint32(len(pool))
			pool = append(pool, v...)
			pool = append(pool, 0)
			offsets[v] = off
		}
		values[i] = off
	}
	units, err := buildDoubleArray(keys, values)
	if err != nil {
		return nil, err
	}
	blob := make([]byte, 4, 4+4*len(units)+len(pool))
	binary.LittleEndian.PutUint32(blob, uint32(4*len(units)))
	for _, u := range units {
		blob = binary.LittleEndian.AppendUint32(blob, u)
	}
	blob = append(blob, pool...)
	return ParseCharsMap(blob)
}

// buildDoubleArray lays out a trie of sorted keys in the darts-clone unit
// format: a node at p with children at base^label stores p^base in its
// offset bits, a key ending at the node sets its has-leaf bit and puts the
// value (with bit 31 set, so that it never matches a label) at base^0.
func buildDoubleArray(keys []string, values []uint32) ([]uint32, error) {
	type bnode struct {
		labels []byte
		kids   []int
		value  int64 // -1 none
	}
	nodes := []bnode{{value: -1}}
	for i, k := range keys {
		cur := 0
		for j := 0; j < len(k); j++ {
			c := k[j]
			if c == 0 {
				return nil, fmt.Errorf("sentencepiece: key %q contains NUL", k)
			}
			n := &nodes[cur]
			if l := len(n.labels); l > 0 && n.labels[l-1] == c {
				cur = n.kids[l-1]
				continue
			}
			nodes = append(nodes, bnode{value: -1})
			id := len(nodes) - 1
			n = &nodes[cur]
			n.labels = append(n.labels, c)
			n.kids = append(n.kids, id)
			cur = id
		}
		nodes[cur].value = int64(values[i])
	}
	var units []uint32
	var used, baseUsed []bool
	grow := func(n int) {
		for len(units) < n {
			units = append(units, 0)
			used = append(used, false)
			baseUsed = append(baseUsed, false)
		}
	}
	grow(256)
	used[0] = true
	type item struct{ node, pos int }
	queue := []item{{0, 0}}
	nextBlock := 0
	for len(queue) > 0 {
		it := queue[0]
		queue = queue[1:]
		n := nodes[it.node]
		labels := n.labels
		hasLeaf := n.value >= 0
		if len(labels) == 0 && !hasLeaf {
			continue
		}
		fits := func(b int) bool {
			if baseUsed[b] {
				return false
			}
			if hasLeaf && used[b] {
				return false
			}
			for _, c := range labels {
				if used[b^int(c)] {
					return false
				}
			}
			return true
		}
		base := -1
		for blk := nextBlock; base < 0; blk++ {
			grow((blk + 1) * 256)
			full := true
			for x := 0; x < 256; x++ {
				b := blk*256 + x
				if !used[b] {
					full = false
				}
				if fits(b) {
					base = b
					break
				}
			}
			if full && blk == nextBlock {
				nextBlock++
			}
		}
		off := uint32(it.pos ^ base)
		if off >= 1<<21 {
			return nil, fmt.Errorf("sentencepiece: normalization trie too large")
		}
		baseUsed[base] = true
		units[it.pos] |= off << 10
		if hasLeaf {
			units[it.pos] |= 1 << 8
			used[base] = true
			units[base] = uint32(n.value) | 1<<31
		}
		for i, c := range labels {
			p := base ^ int(c)
			used[p] = true
			units[p] = uint32(c)
			queue = append(queue, item{n.kids[i], p})
		}
	}
	return units, nil
}
