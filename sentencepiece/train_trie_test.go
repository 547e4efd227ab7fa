package sentencepiece

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// trieMatchesNaive lists the (length, value) of every key that is a
// prefix of w, shortest first, from a map of the keys.
func trieMatchesNaive(keys map[string]int32, w []int32) [][2]int32 {
	var out [][2]int32
	for l := 1; l <= len(w); l++ {
		if v, ok := keys[fmt.Sprint(w[:l])]; ok {
			out = append(out, [2]int32{int32(l), v})
		}
	}
	return out
}

// trieMatches is the same walk over the trie, as the lattice does it.
func trieMatches(t *charTrie, w []int32) [][2]int32 {
	var out [][2]int32
	node := int32(0)
	for k, c := range w {
		if node = t.child(node, c); node == 0 {
			break
		}
		if v := t.node[node].value; v >= 0 {
			out = append(out, [2]int32{int32(k + 1), v})
		}
	}
	return out
}

// checkCharTrie builds a trie of keys (later duplicates win) and checks
// lookups and prefix walks against a map over the alphabet 0..alphabet-1
// and probes with symbols outside it.
func checkCharTrie(t *testing.T, keys [][]int32, alphabet int, probes [][]int32) {
	t.Helper()
	ks := newSeqs(len(keys), 0)
	values := make([]int32, len(keys))
	ref := map[string]int32{}
	for i, k := range keys {
		ks.add(k)
		values[i] = int32(i * 3)
		if len(k) > 0 {
			ref[fmt.Sprint(k)] = values[i]
		}
	}
	tr := newCharTrie(ks, values, alphabet)
	// Nodes: one per distinct non-empty prefix, plus the root.
	prefixes := map[string]bool{}
	for _, k := range keys {
		for l := 1; l <= len(k); l++ {
			prefixes[fmt.Sprint(k[:l])] = true
		}
	}
	if tr.nodes() != len(prefixes)+1 || len(tr.labels) != len(prefixes) || cap(tr.node) != len(tr.node) {
		t.Fatalf("%v: %d nodes (capacity %d), %d labels; want %d nodes", keys, tr.nodes(), cap(tr.node)-1, len(tr.labels), len(prefixes)+1)
	}
	for _, k := range keys {
		want := int32(-1)
		if v, ok := ref[fmt.Sprint(k)]; ok {
			want = v
		}
		if got := tr.lookup(k); got != want {
			t.Fatalf("%v: lookup(%v) = %d, want %d", keys, k, got, want)
		}
	}
	for _, w := range append(probes, keys...) {
		got, want := trieMatches(tr, w), trieMatchesNaive(ref, w)
		if !slices.Equal(got, want) {
			t.Fatalf("keys %v: matches of %v = %v, want %v", keys, w, got, want)
		}
	}
}

func randomSeq(r *rand.Rand, maxLen, alphabet int) []int32 {
	s := make([]int32, r.IntN(maxLen+1))
	for i := range s {
		s[i] = int32(r.IntN(alphabet))
	}
	return s
}

func TestCharTrieAgainstMap(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for trial := 0; trial < 300; trial++ {
		alphabet := 1 + r.IntN(40) // more than 8 children: the binary search
		var keys, probes [][]int32
		for range r.IntN(200) {
			keys = append(keys, randomSeq(r, 6, alphabet))
		}
		for range 50 {
			p := randomSeq(r, 10, alphabet+2) // ids past the alphabet match nothing
			probes = append(probes, p)
		}
		checkCharTrie(t, keys, alphabet+2, probes)
	}
	checkCharTrie(t, nil, 3, [][]int32{{0, 1}}) // empty trie
}

func FuzzCharTrie(f *testing.F) {
	f.Add([]byte("ab\x00abc\x00b\x00ba"), []byte("abcab"))
	f.Fuzz(func(t *testing.T, keyBytes, probe []byte) {
		var keys [][]int32
		var k []int32
		for _, c := range keyBytes {
			if c == 0 {
				keys = append(keys, k)
				k = nil
				continue
			}
			k = append(k, int32(c%32))
		}
		keys = append(keys, k)
		p := make([]int32, len(probe))
		for i, c := range probe {
			p[i] = int32(c % 40)
		}
		checkCharTrie(t, keys, 32, [][]int32{p})
	})
}

func TestCharIDs(t *testing.T) {
	a := newCharIDs([]rune{'▁', 'a', '日', '𝄞', 'a'})
	if a.other != 5 {
		t.Fatalf("other = %d", a.other)
	}
	got := a.appendIDs(nil, "a▁日𝄞bé")
	if want := []int32{1, 0, 2, 3, 5, 5}; !slices.Equal(got, want) {
		t.Fatalf("ids %v, want %v", got, want)
	}
	if s := string(a.appendText(nil, got[:4])); s != "a▁日𝄞" {
		t.Fatalf("text %q", s)
	}
	// Ordered as the texts are (by code point), not by id.
	if a.compare([]int32{0}, []int32{1}) <= 0 || a.compare([]int32{1}, []int32{1, 0}) >= 0 {
		t.Fatal("compare does not follow code point order")
	}
}

// TestTrainLatticeAgainstNaive checks the training lattice of words
// against the pieces found by comparing text.
func TestTrainLatticeAgainstNaive(t *testing.T) {
	pieces := []string{"▁", "a", "b", "ab", "▁a", "ba", "aba", "日本", "日本語", "語"}
	scores := make([]float64, len(pieces))
	for i := range scores {
		scores[i] = -float64(i + 1)
	}
	m := newTModelText(pieces, scores)
	for _, text := range []string{"▁abab", "▁日本語x", "b日", "", "zz"} {
		w := m.chars.appendIDs(nil, text)
		got := m.nodes(nil, w)
		var want []cnode
		runes := []rune(text)
		for at := range runes {
			single := false
			for end := at + 1; end <= len(runes); end++ {
				if id := slices.Index(pieces, string(runes[at:end])); id >= 0 {
					want = append(want, cnode{int32(at), int32(end), int32(id)})
					single = single || end == at+1
				}
			}
			if !single {
				want = append(want, cnode{int32(at), int32(at + 1), -1})
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("%q: lattice %v, want %v", text, got, want)
		}
	}
}
