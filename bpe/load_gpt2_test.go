package bpe

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"reflect"
	"testing"

	"github.com/toklabs/tok"
	"github.com/toklabs/tok/internal/sharedtest"
)

// parseMergesNaive is parseMerges as first written: bytes.Split of the
// lines and of each line, two string copies per merge.
func parseMergesNaive(data []byte, file string) ([][2]string, []int, error) {
	data = bytes.TrimSuffix(data, []byte{'\n'})
	var merges [][2]string
	var lines []int
	if len(data) == 0 {
		return merges, lines, nil
	}
	for i, l := range bytes.Split(data, []byte{'\n'}) {
		l = bytes.TrimSuffix(l, []byte{'\r'})
		if bytes.HasPrefix(l, []byte("#version")) {
			continue
		}
		parts := bytes.Split(l, []byte{' '})
		if len(parts) != 2 || len(parts[0]) == 0 || len(parts[1]) == 0 {
			return nil, nil, &tok.FormatError{File: file, Line: i + 1, Offset: -1, Msg: fmt.Sprintf("want \"left right\", got %q", l)}
		}
		merges = append(merges, [2]string{string(parts[0]), string(parts[1])})
		lines = append(lines, i+1)
	}
	return merges, lines, nil
}

func checkMergesMatchNaive(t *testing.T, data []byte) {
	t.Helper()
	got, gotLines, gotErr := parseMerges(data, "m.txt")
	want, wantLines, wantErr := parseMergesNaive(data, "m.txt")
	if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) {
		t.Fatalf("%q: error %v, naive %v", data, gotErr, wantErr)
	}
	if !reflect.DeepEqual(got, want) || !reflect.DeepEqual(gotLines, wantLines) {
		t.Fatalf("%q: merges %q lines %v, naive %q lines %v", data, got, gotLines, want, wantLines)
	}
}

func TestParseMergesMatchesNaive(t *testing.T) {
	for _, s := range []string{
		"", "\n", "#version: 0.2\n", "#version: 0.2", "a b", "a b\n", "a b\r\n", "a b\n\n", "#version\na b\nc d",
		"a  b\n", " a b\n", "a b \n", "ab\n", "a b c\n", "a\tb\n", "\r\n", "a b\n#version x\nc d\n", "a b\r\r\n",
	} {
		checkMergesMatchNaive(t, []byte(s))
	}
	data, err := os.ReadFile(sharedtest.Path(t, "vocab/gpt2-merges.txt"))
	if err != nil {
		t.Fatal(err)
	}
	checkMergesMatchNaive(t, data)
}

func FuzzParseMerges(f *testing.F) {
	for _, s := range []string{"#version: 0.2\na b\nc d\n", "a b\r\n\n", "a  b", "x y z"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) { checkMergesMatchNaive(t, data) })
}

// checkVocabFastMatchesDecoder: whenever the fast vocab.json parser
// accepts a file, the decoder reads the same vocabulary from it.
func checkVocabFastMatchesDecoder(t *testing.T, data []byte) bool {
	t.Helper()
	fast, ok := parseVocabJSONFast(data)
	if !ok {
		return false
	}
	want, err := readVocabJSONDecoder(data, "v.json")
	if err != nil {
		t.Fatalf("%q: fast parser accepted it, decoder: %v", data, err)
	}
	if !reflect.DeepEqual(fast, want) {
		t.Fatalf("%q: fast %v, decoder %v", data, fast, want)
	}
	return true
}

func TestParseVocabJSONFast(t *testing.T) {
	cases := []struct {
		json   string
		fastOK bool
	}{
		{`{"a":0,"b":1}`, true},
		{" \n{ \"a\" : 0 ,\r\n\t\"b\":12 }\n ", true},
		{`{"\"\\\/\b\f\n\r\t":3}`, true},
		{`{"\u0120x\u00e9\u4e2d":0,"é":1}`, true},
		{`{"\ud83d\ude00":0}`, true}, // a surrogate pair, as the decoder reads it
		{`{"\ud800":0}`, true},       // a lone surrogate: U+FFFD, as the decoder
		{"{\"\xff\":0}", false},      // invalid UTF-8: the decoder makes it U+FFFD
		{`{}`, false},
		{`{"a":0,"a":1}`, false},
		{`{"a":0,"b":0}`, false},
		{`{"a":01}`, false},
		{`{"a":-1}`, false},
		{`{"a":1.0}`, false},
		{`{"a":1e2}`, false},
		{`{"a":2147483647}`, false},
		{`{"a":0} x`, false},
		{`{"a":0,}`, false},
		{"{\"a\x01\":0}", false},
		{`{"a":"0"}`, false},
		{`[]`, false},
		{`{"a":0`, false},
		{`{"a\u00":0}`, false},
	}
	for _, c := range cases {
		if got := checkVocabFastMatchesDecoder(t, []byte(c.json)); got != c.fastOK {
			t.Errorf("%q: fast parser ok = %v, want %v", c.json, got, c.fastOK)
		}
	}
	// The fast parser's refusals still read or fail as before.
	if _, err := ReadVocabJSON(bytes.NewReader([]byte(`{"a":0,"a":1}`)), "v.json"); err == nil {
		t.Error("duplicate token: no error")
	}
	if v, err := ReadVocabJSON(bytes.NewReader([]byte(`{"\ud83d\ude00":7}`)), "v.json"); err != nil || v["😀"] != 7 {
		t.Errorf("surrogate pair: %v, %v", v, err)
	}
	var fe *tok.FormatError
	if _, err := ReadVocabJSON(bytes.NewReader([]byte(`{"a":0,}`)), "v.json"); !errors.As(err, &fe) {
		t.Errorf("trailing comma: want a *tok.FormatError, got %v", err)
	}
}

func TestParseVocabJSONFastGPT2(t *testing.T) {
	data, err := os.ReadFile(sharedtest.Path(t, "vocab/gpt2-vocab.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !checkVocabFastMatchesDecoder(t, data) {
		t.Fatal("the fast parser refused gpt2-vocab.json")
	}
}

func FuzzParseVocabJSONFast(f *testing.F) {
	for _, s := range []string{`{"a":0,"b":1}`, `{"\u00e9\n":3, "x" : 10}`, `{"a":01}`, `{"\"":2}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) { checkVocabFastMatchesDecoder(t, data) })
}
