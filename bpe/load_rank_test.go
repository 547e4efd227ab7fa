package bpe

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/toklabs/tok/internal/sharedtest"
)

// naiveRankTables builds what NewRankModel builds, the plain way it was
// first written: the whole map with one lookup and one insert per token,
// the whole-token table through the map (newWholeTable), and the merges
// by one pairTable.set per split of every token, in rank order.
func naiveRankTables(tokens [][]byte) (*Model, error) {
	m := &Model{kind: rankKind, tokens: tokens, whole: make(map[string]uint32), byteLevel: true, unkID: -1}
	m.clearByteTables()
	for id, t := range tokens {
		if t == nil {
			continue
		}
		if len(t) == 0 {
			return nil, &TokenError{Index: id, Token: "", Err: errors.New("empty token")}
		}
		if prev, dup := m.whole[string(t)]; dup {
			return nil, &TokenError{Index: id, Token: string(t), Err: fmt.Errorf("%w: same bytes as rank %d", ErrDuplicateToken, prev)}
		}
		m.whole[string(t)] = uint32(id)
		if len(t) == 1 {
			m.byteIDs[t[0]] = int32(id)
		}
	}
	for b, id := range m.byteIDs {
		if id < 0 {
			return nil, &TokenError{Index: -1, Token: string([]byte{byte(b)}), Err: ErrMissingByte}
		}
	}
	m.bytePath = true
	m.short = newWholeTable(m)
	m.pairs = newPairTable(2 * len(tokens))
	for id, t := range tokens {
		for k := 1; k < len(t); k++ {
			a, okA := m.whole[string(t[:k])]
			b, okB := m.whole[string(t[k:])]
			if okA && okB {
				m.pairs.set(uint64(a)<<32|uint64(b), uint64(id)<<32|uint64(id))
			}
		}
	}
	m.fillBytePairs()
	return m, nil
}

// checkSameRankTables fails unless got's tables hold exactly want's
// entries, each found by the encoder's lookups, in tables of the same
// size.
func checkSameRankTables(t *testing.T, got, want *Model) {
	t.Helper()
	if len(got.whole) != len(want.whole) {
		t.Fatalf("whole map: %d entries, want %d", len(got.whole), len(want.whole))
	}
	for k, id := range want.whole {
		if g, ok := got.whole[k]; !ok || g != id {
			t.Fatalf("whole[%q] = %d, %v; want %d", k, g, ok, id)
		}
	}
	if got.byteIDs != want.byteIDs || got.bytePath != want.bytePath {
		t.Fatalf("byte ids or byte path differ")
	}
	for i := range want.bytePairs {
		if got.bytePairs[i] != want.bytePairs[i] {
			t.Fatalf("bytePairs[%#x] = %#x, want %#x", i, got.bytePairs[i], want.bytePairs[i])
		}
	}

	checkSameWholeTable(t, got.short, want.short, want.tokens)

	gp, wp := got.pairs, want.pairs
	if len(gp.slots) != len(wp.slots) || gp.shift != wp.shift || gp.n != wp.n {
		t.Fatalf("pair table: %d slots %d pairs, want %d slots %d pairs", len(gp.slots), gp.n, len(wp.slots), wp.n)
	}
	occupied := 0
	for _, s := range gp.slots {
		if s.key != emptyPair {
			occupied++
			if v := wp.get(s.key); v != s.val {
				t.Fatalf("pair %#x → %#x, naive build %#x", s.key, s.val, v)
			}
		}
	}
	if occupied != wp.n {
		t.Fatalf("pair table: %d occupied slots, want %d", occupied, wp.n)
	}
	for _, s := range wp.slots {
		if s.key != emptyPair {
			if v := gp.get(s.key); v != s.val {
				t.Fatalf("pair %#x: get = %#x, want %#x", s.key, v, s.val)
			}
		}
	}
}

// TestNewRankModelMatchesNaive builds the real rank vocabularies both ways.
func TestNewRankModelMatchesNaive(t *testing.T) {
	for _, name := range []string{"r50k_base", "cl100k_base", "o200k_base"} {
		t.Run(name, func(t *testing.T) {
			path := sharedtest.Path(t, "vocab/"+name+".tiktoken")
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			ranks, _, err := parseTiktoken(data, path)
			if err != nil {
				t.Fatal(err)
			}
			got, err := NewRankModel(ranks)
			if err != nil {
				t.Fatal(err)
			}
			want, err := naiveRankTables(ranks)
			if err != nil {
				t.Fatal(err)
			}
			checkSameRankTables(t, got, want)
		})
	}
}

// randomRankTable is the 256 bytes (shuffled into the first ranks) and
// then tokens made by concatenating two earlier ones, over a small
// alphabet so that tokens split in many ways; some ranks are left unused.
func randomRankTable(r *rand.Rand, n int) [][]byte {
	tokens := make([][]byte, 0, 256+n)
	for _, b := range r.Perm(256) {
		tokens = append(tokens, []byte{byte(b)})
	}
	seen := map[string]bool{}
	for _, t := range tokens {
		seen[string(t)] = true
	}
	alpha := 256
	if r.IntN(2) == 0 {
		alpha = 4
	}
	for len(tokens) < 256+n {
		if r.IntN(20) == 0 {
			tokens = append(tokens, nil)
			continue
		}
		a := tokens[r.IntN(len(tokens))]
		b := tokens[r.IntN(len(tokens))]
		if a == nil || b == nil || (len(a) == 1 && int(a[0]) >= alpha) || len(a)+len(b) > 40 {
			continue
		}
		c := append(append([]byte{}, a...), b...)
		if seen[string(c)] {
			continue
		}
		seen[string(c)] = true
		tokens = append(tokens, c)
	}
	return tokens
}

func TestNewRankModelMatchesNaiveRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 40 {
		tokens := randomRankTable(r, r.IntN(3000))
		got, err := NewRankModel(tokens)
		if err != nil {
			t.Fatal(err)
		}
		want, err := naiveRankTables(tokens)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(fmt.Sprint(i), func(t *testing.T) { checkSameRankTables(t, got, want) })
	}
}

// TestNewRankModelErrorsMatchNaive: the first bad rank is reported the
// same way.
func TestNewRankModelErrorsMatchNaive(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	base := randomRankTable(r, 200)
	var multi [][]byte // tokens of two bytes or more
	for _, tk := range base {
		if len(tk) > 1 {
			multi = append(multi, tk)
		}
	}
	cases := map[string][][]byte{
		"duplicate": append(append([][]byte{}, base...), multi[40]),
		"empty":     append(append([][]byte{}, base...), []byte{}),
		"dup byte":  append([][]byte{{'x'}}, base...),
		"missing":   base[1:],
		"two bad":   append(append([][]byte{}, base...), []byte{}, multi[3]),
	}
	for name, tokens := range cases {
		_, err := NewRankModel(tokens)
		_, want := naiveRankTables(tokens)
		if err == nil || want == nil || err.Error() != want.Error() {
			t.Errorf("%s: error %v, naive %v", name, err, want)
		}
	}
}

func benchRanks(b *testing.B, name string) [][]byte {
	path := sharedtest.Path(b, "vocab/"+name+".tiktoken")
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	ranks, _, err := parseTiktoken(data, path)
	if err != nil {
		b.Fatal(err)
	}
	return ranks
}

// BenchmarkNewRankModel_phases times the steps of building a rank model
// from a parsed rank file, next to the naive way of each.
func BenchmarkNewRankModel_phases(b *testing.B) {
	for _, name := range []string{"cl100k_base", "o200k_base"} {
		ranks := benchRanks(b, name)
		m, err := NewRankModel(ranks)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(name+"/all", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				NewRankModel(ranks)
			}
		})
		b.Run(name+"/all-naive", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				naiveRankTables(ranks)
			}
		})
		b.Run(name+"/keys", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				m2 := &Model{whole: make(map[string]uint32, len(ranks))}
				m2.rankKeys(ranks)
			}
		})
		b.Run(name+"/wholetable", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				newRankWholeTable(ranks)
			}
		})
		b.Run(name+"/wholetable-naive", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				newWholeTable(m)
			}
		})
		b.Run(name+"/merges", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				m.rankMerges(ranks)
			}
		})
		b.Run(name+"/merges-lookups", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				n := 0
				m.eachRankMerge(ranks, func(a, b, id uint32) { n++ })
			}
		})
		b.Run(name+"/merges-lookups-serial", func(b *testing.B) {
			for b.Loop() {
				n := 0
				for _, t := range ranks {
					for k := 1; k < len(t); k++ {
						if _, ok := m.rankID(t[:k]); ok {
							if _, ok := m.rankID(t[k:]); ok {
								n++
							}
						}
					}
				}
			}
		})
		b.Run(name+"/merges-direct", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				p := newPairTable(2 * len(ranks))
				m.eachRankMerge(ranks, func(a, b, id uint32) {
					p.set(uint64(a)<<32|uint64(b), uint64(id)<<32|uint64(id))
				})
			}
		})
	}
}

// checkSameWholeTable fails unless gs holds exactly ws's entries, in a
// table of the same size, each found by lookup.
func checkSameWholeTable(t *testing.T, gs, ws *wholeTable, tokens [][]byte) {
	t.Helper()
	if len(gs.slots) != len(ws.slots) || gs.shift != ws.shift {
		t.Fatalf("whole-token table: %d slots, want %d", len(gs.slots), len(ws.slots))
	}
	wantSlots := map[wholeSlot]bool{}
	for _, s := range ws.slots {
		if s.n != 0 {
			wantSlots[s] = true
		}
	}
	n := 0
	for _, s := range gs.slots {
		if s.n == 0 {
			continue
		}
		n++
		if !wantSlots[s] {
			t.Fatalf("whole-token table holds %+v, which the naive build does not", s)
		}
	}
	if n != len(wantSlots) {
		t.Fatalf("whole-token table: %d entries, want %d", n, len(wantSlots))
	}
	for _, tk := range tokens {
		if len(tk) == 0 || len(tk) > wholeTableMax {
			continue
		}
		g, gok := gs.lookup(tk)
		w, wok := ws.lookup(tk)
		if g != w || gok != wok {
			t.Fatalf("whole-token lookup %q = %d, %v; want %d, %v", tk, g, gok, w, wok)
		}
	}
}
