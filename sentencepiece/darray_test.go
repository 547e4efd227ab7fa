package sentencepiece

import (
	"math/rand/v2"
	"testing"

	"github.com/toklabs/tok/internal/sharedtest"
)

// The double array answers every lookup as the pieceTrie it was built
// from does, for kept keys, their prefixes and random strings.
func TestDoubleArray_MatchesPieceTrie(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var keys []string
	var vals []int32
	for i := range 3000 {
		n := 1 + rng.IntN(6)
		b := make([]byte, n)
		for j := range b {
			b[j] = "abcz\x00\xff\xe2\x96\x81"[rng.IntN(9)]
		}
		keys = append(keys, string(b))
		vals = append(vals, int32(i))
	}
	keep := func(v int32) bool { return v%3 != 0 }
	src := newPieceTrie(keys, vals)
	d := newDoubleArray(src, keep)
	lookup := func(key string) int32 {
		s := int32(0)
		for i := 0; i < len(key); i++ {
			if s = d.child(s, key[i]); s < 0 {
				return -1
			}
		}
		return d.units[s].value
	}
	for _, k := range keys {
		want := src.lookup([]byte(k))
		if want >= 0 && !keep(want) {
			want = -1
		}
		if got := lookup(k); got != want {
			t.Fatalf("lookup(%q) = %d, want %d", k, got, want)
		}
		for i := 1; i < len(k); i++ {
			want := src.lookup([]byte(k[:i]))
			if want >= 0 && !keep(want) {
				want = -1
			}
			if got := lookup(k[:i]); got != want {
				t.Fatalf("lookup(%q) = %d, want %d", k[:i], got, want)
			}
		}
	}
	if got := lookup("\x01\x02"); got != -1 {
		t.Errorf("lookup of an absent key = %d", got)
	}
}

// On the real vocabularies every normal and user-defined piece is found
// with its id, and the array stays dense (the builder fills holes).
func TestDoubleArray_SharedModels(t *testing.T) {
	for _, name := range []string{"albert-30k-clean.model", "llama2-tokenizer.model"} {
		m, err := Load(sharedtest.Path(t, "vocab/"+name))
		if err != nil {
			t.Fatal(err)
		}
		d := newDoubleArray(m.trie, func(id int32) bool {
			return m.pieces[id].Type == Normal || m.pieces[id].Type == UserDefined
		})
		for id, p := range m.pieces {
			want := int32(id)
			if p.Type != Normal && p.Type != UserDefined {
				want = -1
			}
			s := int32(0)
			for i := 0; i < len(p.Text) && s >= 0; i++ {
				s = d.child(s, p.Text[i])
			}
			got := int32(-1)
			if s >= 0 {
				got = d.units[s].value
			}
			if got != want {
				t.Fatalf("%s: piece %d %q found as %d", name, id, p.Text, got)
			}
		}
		if len(d.units) > 2*len(m.trie.nodes)+256 {
			t.Errorf("%s: %d units for %d trie nodes", name, len(d.units), len(m.trie.nodes))
		}
	}
}
