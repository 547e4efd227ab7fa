package bpe

import (
	"bytes"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/toklabs/tok"
)

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }
func itoa(i int) string   { return strconv.Itoa(i) }

func tinyTokenizer(t testing.TB) *Tokenizer {
	dir := t.TempDir()
	path := filepath.Join(dir, "tiny.tiktoken")
	if err := os.WriteFile(path, []byte(tinyTiktoken()), 0o644); err != nil {
		t.Fatal(err)
	}
	tk, err := OpenTiktokenWith(path, Encoding{Name: "tiny", Pattern: patternGPT2, Special: []tok.SpecialToken{
		{Content: "<|end|>", ID: 300}, {Content: "<|end|>x", ID: 301}, {Content: "<|fim|>", ID: 302}}})
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

func TestSpecialTokens(t *testing.T) {
	tk := tinyTokenizer(t)
	text := []byte("ab<|end|>xab<|fim|>")
	ordinary := tk.AppendEncodeOrdinary(nil, text)
	if got := tk.AppendEncode(nil, text); !slices.Equal(got, ordinary) {
		t.Errorf("AppendEncode of a .tiktoken tokenizer is not encode_ordinary: %v vs %v", got, ordinary)
	}
	for _, id := range ordinary {
		if id >= 300 {
			t.Errorf("encode_ordinary produced special id %d", id)
		}
	}
	// Longest special at a position wins; only allowed ones are matched.
	if got := tk.AppendEncodeSpecial(nil, text, AllSpecial); !slices.Equal(got, []uint32{256, 301, 256, 302}) {
		t.Errorf("all specials: %v", got)
	}
	got := tk.AppendEncodeSpecial(nil, text, SpecialNames("<|fim|>"))
	if len(got) == 0 || got[len(got)-1] != 302 || containsID(got, 300) || containsID(got, 301) {
		t.Errorf("only <|fim|> allowed: %v", got)
	}
	// tiktoken's encode: disallowed specials are an error.
	_, err := tk.AppendEncodeChecked(nil, text, NoSpecial, AllSpecial)
	var de *DisallowedSpecialError
	if !errors.As(err, &de) || de.Offset != 2 {
		t.Errorf("disallowed special: %v", err)
	}
	if _, err := tk.AppendEncodeChecked(nil, text, AllSpecial, AllSpecial); err != nil {
		t.Errorf("all allowed: %v", err)
	}
	if got, err := tk.AppendEncodeChecked(nil, text, NoSpecial, NoSpecial); err != nil || !slices.Equal(got, ordinary) {
		t.Errorf("nothing disallowed: %v %v", got, err)
	}
	if _, err := tk.AppendEncodeChecked(nil, text, SpecialNames("<|nope|>"), NoSpecial); !errors.Is(err, ErrUnknownSpecial) {
		t.Errorf("unknown special name: %v", err)
	}
	// Decoding specials gives their content back.
	back, err := tk.AppendDecode(nil, tk.AppendEncodeSpecial(nil, text, AllSpecial))
	if err != nil || string(back) != string(text) {
		t.Errorf("decode: %q, %v", back, err)
	}
	// An unknown id is an error naming its position; what came before it
	// is kept.
	got2, err := tk.AppendDecode(nil, []uint32{256, 302, 'x', 9999, 'y'})
	if err == nil || !strings.Contains(err.Error(), "position 3") || string(got2) != "ab<|fim|>x" {
		t.Errorf("decode with a bad id: %q, %v", got2, err)
	}
	if id, ok := tk.TokenToID("<|fim|>"); !ok || id != 302 {
		t.Errorf("TokenToID special: %d %v", id, ok)
	}
	if s, ok := tk.IDToToken(256); !ok || s != "ab" {
		t.Errorf("IDToToken(256) = %q %v", s, ok)
	}
	if tk.VocabSize() != 303 {
		t.Errorf("VocabSize = %d, want 303", tk.VocabSize())
	}
}

func containsID(ids []uint32, id uint32) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// FuzzRoundTrip: decode(encode(x)) == x for every byte string, with and
// without special tokens.
func FuzzRoundTrip(f *testing.F) {
	tk := tinyTokenizer(f)
	f.Add([]byte("hello <|end|> world\n\n  123 \xff\xfe"))
	f.Add([]byte("ab<|end|>xab<|fim|>"))
	f.Fuzz(func(t *testing.T, text []byte) {
		for _, ids := range [][]uint32{tk.AppendEncode(nil, text), tk.AppendEncodeSpecial(nil, text, AllSpecial)} {
			back, err := tk.AppendDecode(nil, ids)
			if err != nil || string(back) != string(text) {
				t.Fatalf("round trip of %q: %q, %v", text, back, err)
			}
		}
	})
}

// A Tokenizer is shared by goroutines: results equal the sequential ones
// (run with -race to check the pools and tables).
func TestConcurrentEncode(t *testing.T) {
	tk := tinyTokenizer(t)
	m := randomRankModel(t, 21, 300, "ab c")
	texts := [][]byte{[]byte("ab<|end|> abc ab\xff"), bytes.Repeat([]byte("ab c"), 3000), []byte("  ab  ")}
	want := make([][]uint32, len(texts))
	wantM := make([][]uint32, len(texts))
	for i, x := range texts {
		want[i] = tk.AppendEncodeSpecial(nil, x, AllSpecial)
		wantM[i] = m.AppendEncodePiece(nil, x)
	}
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := 0; r < 20; r++ {
				for i, x := range texts {
					if got := tk.AppendEncodeSpecial(nil, x, AllSpecial); !slices.Equal(got, want[i]) {
						t.Errorf("tokenizer: concurrent result differs on text %d", i)
					}
					if got := m.AppendEncodePiece(nil, x); !slices.Equal(got, wantM[i]) {
						t.Errorf("model: concurrent result differs on text %d", i)
					}
				}
			}
		}()
	}
	wg.Wait()
}
