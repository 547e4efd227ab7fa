package bpe

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"testing"

	"github.com/toklabs/tok/internal/sharedtest"
)

// naiveMergesTokens is the token bytes and whole map of a merges model
// as NewMergesModel first built them: ByteLevelDecode and a string key
// per name.
func naiveMergesTokens(vocab map[string]uint32, byteLevel bool, size int) ([][]byte, map[string]uint32) {
	tokens := make([][]byte, size)
	whole := map[string]uint32{}
	for name, id := range vocab {
		raw, ok := []byte(name), true
		if byteLevel {
			raw, ok = ByteLevelDecode(name)
		}
		if !ok {
			tokens[id] = []byte(name)
			continue
		}
		if len(raw) == 0 {
			raw = []byte{}
		}
		tokens[id] = raw
		whole[string(raw)] = id
	}
	return tokens, whole
}

// checkMergesModelTables builds a merges model and checks its tokens,
// whole map and whole-token table against the naive build.
func checkMergesModelTables(t *testing.T, vocab map[string]uint32, merges [][2]string, opts ...ModelOption) {
	t.Helper()
	m, err := NewMergesModel(vocab, merges, opts...)
	if err != nil {
		t.Fatal(err)
	}
	tokens, whole := naiveMergesTokens(vocab, m.byteLevel, len(m.tokens))
	for id := range tokens {
		if (tokens[id] == nil) != (m.tokens[id] == nil) || !bytes.Equal(tokens[id], m.tokens[id]) {
			t.Fatalf("token %d = %q, naive %q", id, m.tokens[id], tokens[id])
		}
	}
	if len(whole) != len(m.whole) {
		t.Fatalf("whole map: %d entries, naive %d", len(m.whole), len(whole))
	}
	for k, id := range whole {
		if g, ok := m.whole[k]; !ok || g != id {
			t.Fatalf("whole[%q] = %d, %v; naive %d", k, g, ok, id)
		}
	}
	checkSameWholeTable(t, m.short, newWholeTable(m), m.tokens)
	if m.wholeOK != nil {
		fast := m.wholeOK
		m.computeWholeOK()
		if !slices.Equal(fast, m.wholeOK) {
			t.Fatal("wholeOK differs from computeWholeOK's")
		}
	}
}

func TestNewMergesModelMatchesNaiveGPT2(t *testing.T) {
	vf, err := os.Open(sharedtest.Path(t, "vocab/gpt2-vocab.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer vf.Close()
	vocab, err := ReadVocabJSON(vf, "gpt2-vocab.json")
	if err != nil {
		t.Fatal(err)
	}
	mf, err := os.Open(sharedtest.Path(t, "vocab/gpt2-merges.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer mf.Close()
	merges, err := ReadMerges(mf, "gpt2-merges.txt")
	if err != nil {
		t.Fatal(err)
	}
	checkMergesModelTables(t, vocab, merges, WithByteLevel(true))
	checkMergesModelTables(t, vocab, merges, WithByteLevel(true), WithIgnoreMerges(true))
}

// TestNewMergesModelMatchesNaiveRandom: random character-level and
// byte-level vocabularies with their merges, names outside the byte
// alphabet, an empty name, unused ids.
func TestNewMergesModelMatchesNaiveRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	alphabet := []string{"a", "b", "c", "é", "Ġ", "中", "▁", "<"}
	for i := range 30 {
		vocab := map[string]uint32{}
		var names []string
		next := uint32(0)
		add := func(name string) {
			if _, dup := vocab[name]; !dup {
				vocab[name] = next
				names = append(names, name)
				next += 1 + uint32(r.IntN(3)/2)
			}
		}
		for _, c := range alphabet {
			add(c)
		}
		if r.IntN(2) == 0 {
			add("")
			add("<|endoftext|>")
		}
		var merges [][2]string
		for range r.IntN(400) {
			a, b := names[r.IntN(len(names))], names[r.IntN(len(names))]
			if a == "" || b == "" || len(a)+len(b) > 24 {
				continue
			}
			add(a + b)
			merges = append(merges, [2]string{a, b})
		}
		byteLevel := i%2 == 1
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			checkMergesModelTables(t, vocab, merges, WithByteLevel(byteLevel))
		})
	}
}

func TestAppendByteLevelDecode(t *testing.T) {
	var all []byte
	for b := range 256 {
		all = append(all, byte(b))
	}
	for _, s := range []string{"", "Ġhello", "▁x", "<|endoftext|>", "\xff", "\uFFFD", ByteLevelEncode(all), "aĠ\u0143\u0144"} {
		want, wantOK := ByteLevelDecode(s)
		got, ok := appendByteLevelDecode([]byte("pre"), s)
		if ok != wantOK || (ok && string(got) != "pre"+string(want)) || (!ok && string(got) != "pre") {
			t.Errorf("%q: got %q, %v; want %q, %v", s, got, ok, want, wantOK)
		}
	}
}
