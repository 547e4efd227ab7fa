package bpe

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"reflect"
	"testing"
)

// wikiVocab is the Wikipedia BPE example: "aaabdaaabac" with the merges
// aa, ab, aaab.
func wikiMergesModel(t testing.TB) *Model {
	vocab := map[string]uint32{"a": 0, "b": 1, "c": 2, "d": 3, "aa": 4, "ab": 5, "aaab": 6}
	merges := [][2]string{{"a", "a"}, {"a", "b"}, {"aa", "ab"}}
	m, err := NewMergesModel(vocab, merges)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func wikiRankModel(t testing.TB) *Model {
	tokens := make([][]byte, 0, 259)
	for b := 0; b < 256; b++ {
		tokens = append(tokens, []byte{byte(b)})
	}
	tokens = append(tokens, []byte("aa"), []byte("ab"), []byte("aaab"))
	m, err := NewRankModel(tokens)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestKnownAnswer(t *testing.T) {
	got := wikiMergesModel(t).AppendEncodePiece(nil, []byte("aaabdaaabac"))
	if want := []uint32{6, 3, 6, 0, 2}; !reflect.DeepEqual(got, want) {
		t.Errorf("merges model: got %v, want %v", got, want)
	}
	got = wikiRankModel(t).AppendEncodePiece(nil, []byte("aaabdaaabac"))
	if want := []uint32{258, 'd', 258, 'a', 'c'}; !reflect.DeepEqual(got, want) {
		t.Errorf("rank model: got %v, want %v", got, want)
	}
}

func TestMergesModelOptions(t *testing.T) {
	type tc struct {
		name   string
		vocab  map[string]uint32
		merges [][2]string
		opts   []ModelOption
		in     string
		want   []uint32
	}
	abc := map[string]uint32{"<unk>": 0, "a": 1, "b": 2, "c": 3, "abc": 4}
	cases := []tc{
		{"unreachable whole token goes through BPE", abc, nil, nil, "abc", []uint32{1, 2, 3}},
		{"ignore_merges emits a whole vocab hit", abc, nil, []ModelOption{WithIgnoreMerges(true)}, "abc", []uint32{4}},
		{"unknown chars dropped without unk", abc, nil, nil, "axxb", []uint32{1, 2}},
		{"unk not fused", abc, nil, []ModelOption{WithUnkToken("<unk>")}, "axxb", []uint32{1, 0, 0, 2}},
		{"unk fused", abc, nil, []ModelOption{WithUnkToken("<unk>"), WithFuseUnk(true)}, "axxbx", []uint32{1, 0, 2, 0}},
		{"byte fallback", map[string]uint32{"<unk>": 0, "a": 1, "<0xC3>": 2, "<0xA9>": 3}, nil,
			[]ModelOption{WithUnkToken("<unk>"), WithByteFallback(true)}, "aéz", []uint32{1, 2, 3, 0}},
		{"continuing subword prefix", map[string]uint32{"a": 0, "##b": 1, "##c": 2, "ab": 3, "b": 4},
			[][2]string{{"a", "##b"}}, []ModelOption{WithContinuingSubwordPrefix("##")}, "abc", []uint32{3, 2}},
		{"end of word suffix", map[string]uint32{"a": 0, "b": 1, "b</w>": 2, "ab</w>": 3, "ab": 4},
			[][2]string{{"a", "b</w>"}, {"a", "b"}}, []ModelOption{WithEndOfWordSuffix("</w>")}, "abab", []uint32{4, 3}},
		{"byte level alphabet", map[string]uint32{"Ġ": 0, "a": 1, "Ġa": 2, "Ċ": 3},
			[][2]string{{"Ġ", "a"}}, []ModelOption{WithByteLevel(true)}, " a\n", []uint32{2, 3}},
		{"character level multibyte", map[string]uint32{"▁": 0, "é": 1, "▁é": 2},
			[][2]string{{"▁", "é"}}, nil, "▁é▁", []uint32{2, 0}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := NewMergesModel(c.vocab, c.merges, c.opts...)
			if err != nil {
				t.Fatal(err)
			}
			got := m.AppendEncodePiece(nil, []byte(c.in))
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("got %v, want %v", got, c.want)
			}
			if naive := m.encodeNaive([]byte(c.in)); !reflect.DeepEqual(naive, c.want) {
				t.Errorf("naive: got %v, want %v", naive, c.want)
			}
		})
	}
}

func TestByteFallbackDecode(t *testing.T) {
	m, err := NewMergesModel(map[string]uint32{"a": 1, "<0xC3>": 2, "<0xA9>": 3}, nil, WithByteFallback(true))
	if err != nil {
		t.Fatal(err)
	}
	ids := m.AppendEncodePiece(nil, []byte("aé"))
	got, err := m.AppendDecode(nil, ids)
	if err != nil || string(got) != "aé" {
		t.Errorf("decode %v = %q, %v; want \"aé\"", ids, got, err)
	}
	if _, err := m.AppendDecode(nil, []uint32{99}); err == nil {
		t.Error("decoding an unknown id: no error")
	}
}

func TestConstructorErrors(t *testing.T) {
	v := map[string]uint32{"a": 0, "b": 1}
	var me *MergeError
	if _, err := NewMergesModel(v, [][2]string{{"a", "x"}}); !errors.As(err, &me) || me.Index != 0 {
		t.Errorf("merge with unknown token: %v", err)
	}
	if _, err := NewMergesModel(v, [][2]string{{"a", "b"}}); !errors.As(err, &me) {
		t.Errorf("merge whose result is missing: %v", err)
	}
	if _, err := NewMergesModel(map[string]uint32{"a": 0, "b": 0}, nil); !errors.Is(err, ErrDuplicateID) {
		t.Errorf("duplicate id: %v", err)
	}
	if _, err := NewMergesModel(v, nil, WithUnkToken("<unk>")); !errors.Is(err, ErrUnknownUnk) {
		t.Errorf("unknown unk: %v", err)
	}
	if _, err := NewMergesModel(v, nil, WithDropout(0.1)); !errors.Is(err, ErrDropout) {
		t.Errorf("dropout: %v", err)
	}
	if _, err := NewMergesModel(v, nil, WithDropout(0)); err != nil {
		t.Errorf("dropout 0: %v", err)
	}
	if _, err := NewRankModel([][]byte{[]byte("a")}); !errors.Is(err, ErrMissingByte) {
		t.Errorf("rank table without all bytes: %v", err)
	}
	tokens := wikiRankModel(t).tokens
	dup := append(append([][]byte{}, tokens...), []byte("aa"))
	if _, err := NewRankModel(dup); !errors.Is(err, ErrDuplicateToken) {
		t.Errorf("duplicate token: %v", err)
	}
}

// randomRankModel builds a rank model over all bytes plus n tokens made by
// concatenating earlier tokens over a small alphabet, so that BPE on text
// over that alphabet does many merges of every kind.
func randomRankModel(t testing.TB, seed uint64, n int, alphabet string) *Model {
	r := rand.New(rand.NewPCG(seed, 1))
	tokens := make([][]byte, 0, 256+n)
	seen := map[string]bool{}
	for b := 0; b < 256; b++ {
		tokens = append(tokens, []byte{byte(b)})
		seen[string(rune(b))] = true
	}
	seen = map[string]bool{}
	for _, t := range tokens {
		seen[string(t)] = true
	}
	pool := [][]byte{}
	for i := range len(alphabet) {
		pool = append(pool, []byte{alphabet[i]})
	}
	for len(tokens) < 256+n {
		a, b := pool[r.IntN(len(pool))], pool[r.IntN(len(pool))]
		c := append(append([]byte{}, a...), b...)
		if len(c) > 24 || seen[string(c)] {
			continue
		}
		seen[string(c)] = true
		tokens = append(tokens, c)
		pool = append(pool, c)
	}
	// A few unused ranks, as in real files.
	tokens = append(tokens, nil, nil)
	tokens = append(tokens, []byte("zzzz-unused-gap"))
	m, err := NewRankModel(tokens)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// randomMergesModel builds a character-level merges model whose merges are
// random pairs of earlier tokens, in random priority order.
func randomMergesModel(t testing.TB, seed uint64, n int, alphabet string, opts ...ModelOption) *Model {
	r := rand.New(rand.NewPCG(seed, 2))
	vocab := map[string]uint32{}
	var names []string
	for _, c := range alphabet {
		if _, ok := vocab[string(c)]; !ok {
			vocab[string(c)] = uint32(len(vocab))
			names = append(names, string(c))
		}
	}
	var merges [][2]string
	for len(merges) < n {
		a, b := names[r.IntN(len(names))], names[r.IntN(len(names))]
		c := a + b
		if len(c) > 24 {
			continue
		}
		if _, ok := vocab[c]; !ok {
			vocab[c] = uint32(len(vocab))
			names = append(names, c)
		}
		merges = append(merges, [2]string{a, b})
	}
	// Shuffle priorities: merges need not be in creation order.
	r.Shuffle(len(merges), func(i, j int) { merges[i], merges[j] = merges[j], merges[i] })
	m, err := NewMergesModel(vocab, merges, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func randomText(r *rand.Rand, alphabet string, n int) []byte {
	out := make([]byte, n)
	for i := range out {
		out[i] = alphabet[r.IntN(len(alphabet))]
	}
	return out
}

// TestFastMatchesNaive differentially tests the whole-piece hit, the
// linear scan and the heap against encodeNaive on random models and texts
// of all lengths around the linear/heap threshold.
func TestFastMatchesNaive(t *testing.T) {
	const alphabet = "ab c"
	rm := randomRankModel(t, 1, 300, alphabet)
	mm := randomMergesModel(t, 1, 300, alphabet)
	r := rand.New(rand.NewPCG(7, 7))
	for i := 0; i < 3000; i++ {
		n := r.IntN(3 * linearMax)
		if i%50 == 0 {
			n = r.IntN(5000)
		}
		text := randomText(r, alphabet, n)
		for name, m := range map[string]*Model{"rank": rm, "merges": mm} {
			got := m.AppendEncodePiece(nil, text)
			want := m.encodeNaive(text)
			if !reflect.DeepEqual(got, want) && !(len(got) == 0 && len(want) == 0) {
				t.Fatalf("%s model, %q: fast %v, naive %v", name, text, got, want)
			}
			if len(text) >= 2 {
				syms := m.appendInitialSymbols(nil, text)
				lin := m.mergeLinear(append([]uint32{}, syms...), make([]uint64, len(syms)))
				hp := m.mergeHeap(append([]uint32{}, syms...))
				if !reflect.DeepEqual(lin, hp) {
					t.Fatalf("%s model, %q: linear %v, heap %v", name, text, lin, hp)
				}
				bk := m.mergeBuckets(append([]uint32{}, syms...))
				if !reflect.DeepEqual(lin, bk) {
					t.Fatalf("%s model, %q: linear %v, buckets %v", name, text, lin, bk)
				}
			}
		}
	}
}

// FuzzModelNaive compares the fast encoder with encodeNaive on arbitrary
// bytes.
func FuzzModelNaive(f *testing.F) {
	const alphabet = "ab c"
	rm := randomRankModel(f, 3, 400, alphabet)
	mm := randomMergesModel(f, 3, 400, alphabet, WithUnkToken("a"), WithFuseUnk(true))
	f.Add([]byte("aaabdaaabac"))
	f.Add(bytes.Repeat([]byte("ab"), 200))
	f.Add([]byte("\xff\xfe a b  c"))
	f.Fuzz(func(t *testing.T, text []byte) {
		for name, m := range map[string]*Model{"rank": rm, "merges": mm} {
			got := m.AppendEncodePiece(nil, text)
			want := m.encodeNaive(text)
			if !reflect.DeepEqual(got, want) && !(len(got) == 0 && len(want) == 0) {
				t.Fatalf("%s model, %q: fast %v, naive %v", name, text, got, want)
			}
		}
		// A byte-level rank model covers every byte string.
		back, err := rm.AppendDecode(nil, rm.AppendEncodePiece(nil, text))
		if err != nil || !bytes.Equal(back, text) {
			t.Fatalf("round trip of %q: %q, %v", text, back, err)
		}
	})
}

// TestMergeBucketsLong compares the bucket merge with the heap merge on
// long random pieces (the naive merge is too slow there).
func TestMergeBucketsLong(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 11))
	for _, alphabet := range []string{"ab c", "a", " ", "ab"} {
		rm := randomRankModel(t, 9, 400, "ab c")
		mm := randomMergesModel(t, 9, 400, "ab c")
		for _, m := range []*Model{rm, mm} {
			for _, n := range []int{200, 5000, 30000} {
				syms := m.appendInitialSymbols(nil, randomText(r, alphabet, n))
				hp := m.mergeHeap(append([]uint32{}, syms...))
				bk := m.mergeBuckets(append([]uint32{}, syms...))
				if !reflect.DeepEqual(hp, bk) {
					t.Fatalf("alphabet %q, n=%d: heap and buckets differ", alphabet, n)
				}
			}
		}
	}
}

// TestLongRuns checks the heap path on the pathological inputs at a size
// a test can afford: one letter, spaces, digits.
func TestLongRuns(t *testing.T) {
	m := randomRankModel(t, 5, 500, "a 1")
	for _, unit := range []string{"a", " ", "1", "a 1"} {
		text := bytes.Repeat([]byte(unit), 20000/len(unit))
		got := m.AppendEncodePiece(nil, text)
		back, err := m.AppendDecode(nil, got)
		if err != nil || !bytes.Equal(back, text) {
			t.Fatalf("%q run: does not round-trip", unit)
		}
		if want := m.encodeNaive(text[:3000]); !reflect.DeepEqual(m.AppendEncodePiece(nil, text[:3000]), want) {
			t.Fatalf("%q run: fast and naive differ", unit)
		}
	}
}
