package tokenizerjson

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/toklabs/tok"
)

// minimal is a small valid tokenizer.json (character-level BPE).
const minimal = `{
  "version": "1.0",
  "added_tokens": [{"id": 5, "content": "<s>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true}],
  "normalizer": null,
  "pre_tokenizer": {"type": "Sequence", "pretokenizers": [{"type": "WhitespaceSplit"}, {"type": "Digits", "individual_digits": true}]},
  "post_processor": null,
  "decoder": null,
  "model": {"type": "BPE", "vocab": {"a": 0, "b": 1, "c": 2, "ab": 3, "abc": 4}, "merges": [["a", "b"], ["ab", "c"]]}
}`

func TestMinimal(t *testing.T) {
	tk, err := Parse([]byte(minimal), "minimal.json")
	if err != nil {
		t.Fatal(err)
	}
	got := tok.EncodeString(tk, "abc ab<s>ca")
	want := []uint32{4, 3, 5, 2, 0}
	if formatIDs(got) != formatIDs(want) {
		t.Errorf("encode = %v, want %v", got, want)
	}
	s, err := tok.DecodeString(tk, want)
	if err != nil || s != "abc ab <s> c a" {
		t.Errorf("decode = %q, %v (no decoder: tokens joined by spaces, as HF)", s, err)
	}
	if _, err := tk.AppendDecode(nil, []uint32{99}); !errors.Is(err, ErrUnknownID) {
		t.Errorf("decoding id 99: %v", err)
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name string
		edit func(string) string
		want []string // substrings of the error
		is   error
	}{
		{"truncated", func(s string) string { return s[:200] }, []string{"bad.json:", "truncated"}, nil},
		{"syntax", func(s string) string { return strings.Replace(s, `"normalizer": null,`, `"normalizer": nul,`, 1) }, []string{"bad.json:4:", "column 21", "malformed"}, nil},
		{"version", func(s string) string { return strings.Replace(s, `"1.0"`, `"2.0"`, 1) }, []string{"version", `"2.0"`}, ErrVersion},
		{"unknown pre-tokenizer", func(s string) string { return strings.Replace(s, `"Digits"`, `"Digitz"`, 1) },
			[]string{"pre_tokenizer.pretokenizers[1]", `"Digitz"`}, ErrUnknownType},
		{"unknown model", func(s string) string { return strings.Replace(s, `"BPE"`, `"Frobnicator"`, 1) }, []string{"model", `"Frobnicator"`}, ErrUnknownType},
		{"merge of unknown token", func(s string) string { return strings.Replace(s, `["ab", "c"]`, `["ab", "zz"]`, 1) },
			[]string{"model.merges[1]", `"zz"`}, nil},
		{"duplicate id", func(s string) string { return strings.Replace(s, `"c": 2`, `"c": 1`, 1) }, []string{"model.vocab", "1"}, nil},
		{"sparse ids", func(s string) string { return strings.Replace(s, `"abc": 4`, `"abc": 2000000000`, 1) }, []string{"model.vocab", "2000000000"}, ErrBadValue},
		{"no model", func(s string) string { return strings.Replace(s, `"model": {`, `"modelx": {`, 1) }, []string{"model"}, ErrNoModel},
		{"bad behavior", func(s string) string {
			return strings.Replace(s, `{"type": "WhitespaceSplit"}`, `{"type": "Split", "pattern": {"String": " "}, "behavior": "Sideways"}`, 1)
		}, []string{"pre_tokenizer.pretokenizers[0]", "Sideways"}, nil},
		{"wrong JSON type", func(s string) string { return strings.Replace(s, `"a": 0`, `"a": "zero"`, 1) }, []string{"model"}, nil},
		{"legacy merge without space", func(s string) string { return strings.Replace(s, `[["a", "b"], ["ab", "c"]]`, `["a b", "abc"]`, 1) },
			[]string{"model.merges[1]"}, ErrBadValue},
	}
	for _, tt := range tests {
		src := tt.edit(minimal)
		if src == minimal {
			t.Fatalf("%s: the edit changed nothing", tt.name)
		}
		_, err := Parse([]byte(src), "bad.json")
		if err == nil {
			t.Errorf("%s: no error", tt.name)
			continue
		}
		var fe *tok.FormatError
		if !errors.As(err, &fe) {
			t.Errorf("%s: %T is not a *tok.FormatError: %v", tt.name, err, err)
		}
		for _, w := range tt.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q does not mention %q", tt.name, err, w)
			}
		}
		if tt.is != nil && !errors.Is(err, tt.is) {
			t.Errorf("%s: error %q is not %v", tt.name, err, tt.is)
		}
	}
}

func TestLegacyMerges(t *testing.T) {
	src := strings.Replace(minimal, `[["a", "b"], ["ab", "c"]]`, `["a b", "ab c"]`, 1)
	tk, err := Parse([]byte(src), "legacy.json")
	if err != nil {
		t.Fatal(err)
	}
	if got := tok.EncodeString(tk, "abc"); formatIDs(got) != "[4]" {
		t.Errorf("encode = %v", got)
	}
}

// FuzzLoad feeds arbitrary bytes (seeded with a valid file and its
// truncations) to Parse: it must return a tokenizer or an error, never
// panic, and a tokenizer it returns must encode and decode.
func FuzzLoad(f *testing.F) {
	f.Add([]byte(minimal))
	f.Add([]byte(minimal[:100]))
	var buf bytes.Buffer
	_ = WriteBPE(&buf, smallSpec(""))
	f.Add(buf.Bytes())
	f.Add([]byte(`{"version":"1.0","model":{"type":"BPE","vocab":{},"merges":[]}}`))
	f.Add([]byte(`{"version":"1.0","normalizer":{"type":"Sequence","normalizers":[{"type":"NFKC"},{"type":"Replace","pattern":{"Regex":"\\s+"},"content":" "}]},"pre_tokenizer":{"type":"Metaspace","replacement":"▁","prepend_scheme":"first","split":true},"decoder":{"type":"Metaspace"},"model":{"type":"BPE","vocab":{"▁":0,"a":1},"merges":[]}}`))
	files, _ := filepath.Glob("testdata/hf-pipelines/*.json")
	for _, file := range files {
		if data, err := os.ReadFile(file); err == nil {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		tk, err := Parse(data, "fuzz.json")
		if err != nil {
			var fe *tok.FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("error %T is not a *tok.FormatError: %v", err, err)
			}
			return
		}
		ids := tk.AppendEncode(nil, []byte("a b\xffabc <s> 12"))
		_, _ = tk.AppendDecode(nil, ids)
		_ = tk.Encode([]byte("ab c"), EncodeOptions{AddSpecialTokens: true})
		_ = tk.EncodePair([]byte("Hello <s> [MASK] wor|d"), []byte("x y z 1 2 3"), EncodeOptions{AddSpecialTokens: true})
		_, _ = tk.AppendDecodeWith(nil, []uint32{0, 1, 2, 101, 102, 1 << 30}, DecodeOptions{SkipSpecialTokens: true, IgnoreUnknownIDs: true})
	})
}
