package sentencepiece

import (
	"math/rand/v2"
	"testing"

	"github.com/toklabs/tok/internal/sharedtest"
)

// The double array answers every lookup as a pieceTrie of the same keys
// does, for the keys, their prefixes, dropped keys and absent strings.
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
	// Keep two thirds of the keys; the rest must be absent, and with
	// duplicate keys the last one wins, as in the pieceTrie.
	var kept []string
	var keptVals []int32
	for i, k := range keys {
		if vals[i]%3 != 0 {
			kept, keptVals = append(kept, k), append(keptVals, vals[i])
		}
	}
	src := newPieceTrie(kept, keptVals)
	d := newDoubleArray(kept, keptVals)
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
		for i := 1; i <= len(k); i++ {
			want := src.lookup([]byte(k[:i]))
			if got := lookup(k[:i]); got != want {
				t.Fatalf("lookup(%q) = %d, want %d", k[:i], got, want)
			}
			if got := d.lookup([]byte(k[:i])); got != want {
				t.Fatalf("lookup method (%q) = %d, want %d", k[:i], got, want)
			}
		}
	}
	if got := lookup("\x01\x02"); got != -1 {
		t.Errorf("lookup of an absent key = %d", got)
	}
}

// On the real vocabularies every normal and user-defined piece (and for
// BPE every unused one) is found with its id, no other piece is, and the array stays dense (the builder fills holes).
func TestDoubleArray_SharedModels(t *testing.T) {
	for _, name := range []string{"albert-30k-clean.model", "llama2-tokenizer.model"} {
		m, err := Load(sharedtest.Path(t, "vocab/"+name))
		if err != nil {
			t.Fatal(err)
		}
		d := m.da
		for id, p := range m.pieces {
			want := int32(id)
			if p.Type != Normal && p.Type != UserDefined && (m.algo != BPE || p.Type != Unused) {
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
		nodes := 1
		for s := range d.units {
			if d.units[s].check >= 0 {
				nodes++
			}
		}
		if len(d.units) > nodes+nodes/4+256 {
			t.Errorf("%s: %d units for %d nodes", name, len(d.units), nodes)
		}
	}
}
