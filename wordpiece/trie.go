package wordpiece

// This file builds the LinMaxMatch automaton of "Fast WordPiece
// Tokenization" (Song et al., EMNLP 2021, arXiv 2012.15524), section 3.
//
// The vocabulary is a byte trie. Let r be its root and r♯ the node of the
// continuing-subword prefix ("##"). For a node v spelling str(v):
//
//   - if str(v) is a token (and v is neither r nor r♯), its failure pops are
//     F(v) = [str(v)] and its failure link is f(v) = r♯: when the word cannot
//     go deeper, the longest match is str(v) itself and the rest continues
//     after "##";
//   - otherwise, with u the parent of v and c the byte from u to v: follow
//     z = f(u), collecting F(z), until z has a child c; then f(v) = δ(z, c)
//     and F(v) = F(u) followed by what was collected. When no such z exists,
//     f(v) is null: the word has no segmentation;
//   - f(r) = f(r♯) = null.
//
// Matching a word walks the trie byte by byte; when the next byte has no
// edge, it emits F(u) and jumps to f(u). At the end it follows failure links
// until it stands on r♯. Each byte advances the depth of the current node by
// one and each failure link decreases it, so the walk takes O(n) steps.
//
// The automaton is stored as a double-array trie (Aoe 1989): node s has the
// child for byte c at slot base[s]+c when check[base[s]+c] == s, so a
// transition costs two loads and no search.
//
// Performance notes (2 shared cores under load ~20, so absolute numbers are
// low; the ratios are what matters): on the words of golden en.txt with
// bert-base-uncased, LinMaxMatch ran at 78.8 MB/s and the greedy reference
// at 5.2 MB/s (BenchmarkModel_AppendEncodeWord/en). On one word of
// letters without spaces (max_input_chars_per_word off), LinMaxMatch ran
// at 37 MB/s on 1 KB, 183 MB/s on 1 MB and 39 MB/s on 10 MB (the 10 MB
// case writes 27 MB of ids), while greedy took 0.37 s for 1 KB and 210 s
// for 10 KB. The bert-base-uncased automaton has 65,017 nodes in as many
// slots and 76,170 failure pops: 1.6 MB.

type daNode struct {
	base  int32  // children of this slot are at base+c
	check int32  // parent slot; -1 for a free slot, -2 for the root
	fail  int32  // failure link slot, -1 for null
	popLo uint32 // failure pops: pool[popLo : popLo+popN]
	popN  uint32
}

type trie struct {
	nodes []daNode
	pool  []uint32
	root  int32
	sharp int32 // r♯: the node of the continuing-subword prefix
}

// ptrie is the build-time trie with explicit edges.
type ptrie struct {
	kids  [][]pedge
	token []int32 // token id or -1
}

type pedge struct {
	b  byte
	to int32
}

func (p *ptrie) newNode() int32 {
	p.kids = append(p.kids, nil)
	p.token = append(p.token, -1)
	return int32(len(p.kids) - 1)
}

func (p *ptrie) child(v int32, b byte) int32 {
	for _, e := range p.kids[v] {
		if e.b == b {
			return e.to
		}
	}
	return -1
}

func (p *ptrie) insert(s string) int32 {
	v := int32(0)
	for i := 0; i < len(s); i++ {
		c := p.child(v, s[i])
		if c < 0 {
			c = p.newNode()
			p.kids[v] = append(p.kids[v], pedge{s[i], c})
		}
		v = c
	}
	return v
}

func buildTrie(vocab *Vocab, prefix string) *trie {
	var p ptrie
	p.newNode() // root
	for id, t := range vocab.tokens {
		if t == "" || !vocab.valid[id] {
			continue
		}
		p.token[p.insert(t)] = int32(id)
	}
	sharp := p.insert(prefix)

	// Failure links and pops, in BFS order.
	n := len(p.kids)
	fail := make([]int32, n)
	pops := make([][]uint32, n)
	order := make([]int32, 0, n)
	// The order is by depth counted from r for ordinary nodes and from r♯
	// for continuation nodes: f(v) can be deeper than v in the raw trie
	// (f("ab") = "##b"), but never deeper in this sense, so every failure
	// link a node needs is computed before it is used.
	fail[0], fail[sharp] = -1, -1
	order = append(order, 0)
	if sharp != 0 {
		order = append(order, sharp)
	}
	for qi := 0; qi < len(order); qi++ {
		v := order[qi]
		for _, e := range p.kids[v] {
			u := e.to
			if u == sharp {
				continue
			}
			order = append(order, u)
			if p.token[u] >= 0 {
				fail[u] = sharp
				pops[u] = []uint32{uint32(p.token[u])}
				continue
			}
			var z int32 = fail[v]
			var extra []uint32
			for z >= 0 {
				if c := p.child(z, e.b); c >= 0 {
					break
				}
				extra = append(extra, pops[z]...)
				z = fail[z]
			}
			if z < 0 {
				fail[u] = -1
				continue
			}
			fail[u] = p.child(z, e.b)
			if len(extra) == 0 {
				pops[u] = pops[v] // shared, never modified
			} else {
				pops[u] = append(append(make([]uint32, 0, len(pops[v])+len(extra)), pops[v]...), extra...)
			}
		}
	}

	// Double array, placing nodes in BFS order.
	t := &trie{}
	slot := make([]int32, n)
	t.grow(1)
	t.nodes[0].check = -2
	slot[0] = 0
	firstFree := 1
	var bytesBuf []byte
	// Placement needs a parent before its children: plain BFS from r.
	order = append(order[:0], 0)
	for qi := 0; qi < len(order); qi++ {
		for _, e := range p.kids[order[qi]] {
			order = append(order, e.to)
		}
	}
	for _, v := range order {
		s := slot[v]
		if len(p.kids[v]) == 0 {
			t.nodes[s].base = -1 << 20
			continue
		}
		bytesBuf = bytesBuf[:0]
		for _, e := range p.kids[v] {
			bytesBuf = append(bytesBuf, e.b)
		}
		for firstFree < len(t.nodes) && t.nodes[firstFree].check != -1 {
			firstFree++
		}
		base := t.findBase(firstFree, bytesBuf)
		t.nodes[s].base = base
		for _, e := range p.kids[v] {
			cs := base + int32(e.b)
			t.nodes[cs].check = s
			slot[e.to] = cs
		}
	}
	// Failure pops are copied into one pool; each list is no longer than
	// the depth of its node.
	for v := 0; v < n; v++ {
		d := &t.nodes[slot[v]]
		if fail[v] >= 0 {
			d.fail = slot[fail[v]]
		} else {
			d.fail = -1
		}
		d.popLo = uint32(len(t.pool))
		d.popN = uint32(len(pops[v]))
		t.pool = append(t.pool, pops[v]...)
	}
	t.root = 0
	t.sharp = slot[sharp]
	return t
}

func (t *trie) grow(n int) {
	for len(t.nodes) < n {
		t.nodes = append(t.nodes, daNode{check: -1, fail: -1})
	}
}

// findBase returns a base such that base+c is a free slot ≥ 1 for every c in
// cs, growing the array as needed.
func (t *trie) findBase(from int, cs []byte) int32 {
	c0 := int(cs[0])
	for p := from; ; p++ {
		t.grow(p + 1)
		if t.nodes[p].check != -1 {
			continue
		}
		base := p - c0
		ok := true
		for _, c := range cs[1:] {
			q := base + int(c)
			if q < 1 {
				ok = false
				break
			}
			t.grow(q + 1)
			if t.nodes[q].check != -1 {
				ok = false
				break
			}
		}
		if ok && base+c0 >= 1 {
			return int32(base)
		}
	}
}

// match appends the pieces of word to dst with LinMaxMatch. It reports
// false when the word has no segmentation; dst may then hold partial
// output that the caller discards.
func (t *trie) match(dst []uint32, word []byte) ([]uint32, bool) {
	nodes := t.nodes
	u := t.root
	for i := 0; i < len(word); i++ {
		c := int32(word[i])
		for {
			nx := nodes[u].base + c
			if uint32(nx) < uint32(len(nodes)) && nodes[nx].check == u {
				u = nx
				break
			}
			n := &nodes[u]
			if n.fail < 0 {
				return dst, false
			}
			dst = append(dst, t.pool[n.popLo:n.popLo+n.popN]...)
			u = n.fail
		}
	}
	for u != t.sharp && u != t.root {
		n := &nodes[u]
		if n.fail < 0 {
			return dst, false
		}
		dst = append(dst, t.pool[n.popLo:n.popLo+n.popN]...)
		u = n.fail
	}
	return dst, true
}
