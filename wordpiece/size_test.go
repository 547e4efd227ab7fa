package wordpiece

import (
	"testing"

	"github.com/toklabs/tok/internal/sharedtest"
)

// TestTrie_size checks that the automaton of bert-base-uncased stays
// compact (it reports nodes, slots and failure pops).
func TestTrie_size(t *testing.T) {
	v, err := ReadVocabFile(sharedtest.Path(t, "vocab/bert-base-uncased-vocab.txt"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := NewModel(v, DefaultModelConfig())
	if err != nil {
		t.Fatal(err)
	}
	used := 0
	for _, n := range m.trie.nodes {
		if n.check != -1 {
			used++
		}
	}
	bytes := len(m.trie.nodes)*20 + len(m.trie.pool)*4
	t.Logf("bert-base-uncased: %d trie nodes in %d slots (%.0f%% full), %d failure pops, %.1f MB", used, len(m.trie.nodes), 100*float64(used)/float64(len(m.trie.nodes)), len(m.trie.pool), float64(bytes)/1e6)
	if float64(used)/float64(len(m.trie.nodes)) < 0.5 || bytes > 16<<20 {
		t.Errorf("double array too sparse or too big: %d of %d slots, %d bytes", used, len(m.trie.nodes), bytes)
	}
}
