package pretokenize

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/toklabs/tok"
	"github.com/toklabs/tok/internal/sharedtest"
)

// loadTiktoken reads a .tiktoken rank file into rank → token bytes.
func loadTiktoken(t *testing.T, rel string) map[int][]byte {
	t.Helper()
	f, err := os.Open(sharedtest.Path(t, rel))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ranks := make(map[int][]byte)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		tokB64, rankS, ok := strings.Cut(sc.Text(), " ")
		if !ok {
			continue
		}
		tok, err1 := base64.StdEncoding.DecodeString(tokB64)
		rank, err2 := strconv.Atoi(rankS)
		if err1 != nil || err2 != nil {
			t.Fatalf("%s: bad line %q", rel, sc.Text())
		}
		ranks[rank] = tok
	}
	return ranks
}

// byteLevelDecoder maps GPT-2's byte-to-unicode characters back to bytes.
func byteLevelDecoder() map[rune]byte {
	m := make(map[rune]byte)
	n := 0
	for b := 0; b < 256; b++ {
		if b >= '!' && b <= '~' || b >= 0xA1 && b <= 0xAC || b >= 0xAE && b <= 0xFF {
			m[rune(b)] = byte(b)
		} else {
			m[rune(256+n)] = byte(b)
			n++
		}
	}
	return m
}

// loadHFByteLevel reads the vocab of a ByteLevel tokenizer.json into id →
// token bytes (added tokens included as their text).
func loadHFByteLevel(t *testing.T, rel string) map[int][]byte {
	ids, _ := loadHFByteLevelAdded(t, rel)
	return ids
}

// loadHFByteLevelAdded is loadHFByteLevel that also returns the ids of the
// added tokens.
func loadHFByteLevelAdded(t *testing.T, rel string) (map[int][]byte, map[int]bool) {
	t.Helper()
	data, err := os.ReadFile(sharedtest.Path(t, rel))
	if err != nil {
		t.Fatal(err)
	}
	var tj struct {
		Model struct {
			Vocab map[string]int `json:"vocab"`
		} `json:"model"`
		AddedTokens []struct {
			ID      int    `json:"id"`
			Content string `json:"content"`
		} `json:"added_tokens"`
	}
	if err := json.Unmarshal(data, &tj); err != nil {
		t.Fatal(err)
	}
	dec := byteLevelDecoder()
	ids := make(map[int][]byte, len(tj.Model.Vocab))
	for s, id := range tj.Model.Vocab {
		var b []byte
		for _, r := range s {
			c, ok := dec[r]
			if !ok {
				t.Fatalf("%s: token %q is not byte-level", rel, s)
			}
			b = append(b, c)
		}
		ids[id] = b
	}
	added := make(map[int]bool)
	for _, a := range tj.AddedTokens {
		ids[a.ID] = []byte(a.Content)
		added[a.ID] = true
	}
	return ids, added
}

// TestMatchers_goldenTokens checks the built-in patterns against the token
// ids the reference tools made (shared/golden): a token never crosses a
// pre-token boundary, so every boundary of our matches must be a boundary
// between two golden tokens. This ties the matchers (and regexp2, which
// they equal) to tiktoken's and HF's own regex engines.
func TestMatchers_goldenTokens(t *testing.T) {
	type vocabCase struct {
		dir, pattern string
		// load returns id → bytes, and the ids of HF added tokens, which
		// HF matches in the text before pre-tokenizing what is between
		// them.
		load func(*testing.T) (map[int][]byte, map[int]bool)
		// normalizes: the tokenizer normalizes (Qwen3: NFC), so lines
		// whose ids spell other bytes are skipped.
		normalizes bool
	}
	tiktoken := func(name string) func(*testing.T) (map[int][]byte, map[int]bool) {
		return func(t *testing.T) (map[int][]byte, map[int]bool) { return loadTiktoken(t, "vocab/"+name), nil }
	}
	hf := func(name string) func(*testing.T) (map[int][]byte, map[int]bool) {
		return func(t *testing.T) (map[int][]byte, map[int]bool) { return loadHFByteLevelAdded(t, "vocab/"+name) }
	}
	cases := []vocabCase{
		{"r50k_base.tiktoken", PatternGPT2, tiktoken("r50k_base.tiktoken"), false},
		{"p50k_base.tiktoken", PatternGPT2, tiktoken("p50k_base.tiktoken"), false},
		{"cl100k_base.tiktoken", PatternCL100K, tiktoken("cl100k_base.tiktoken"), false},
		{"o200k_base.tiktoken", PatternO200K, tiktoken("o200k_base.tiktoken"), false},
		{"hf-gpt2-derived.tokenizer.json", PatternGPT2, hf("hf-gpt2-derived.tokenizer.json"), false},
		{"hf-gpt35turbo.tokenizer.json", PatternCL100K, hf("hf-gpt35turbo.tokenizer.json"), false},
		{"hf-gpt4o.tokenizer.json", PatternO200K, hf("hf-gpt4o.tokenizer.json"), false},
		{"hf-llama3.tokenizer.json", PatternCL100K, hf("hf-llama3.tokenizer.json"), false},
		{"hf-qwen3.tokenizer.json", PatternQwen2, hf("hf-qwen3.tokenizer.json"), true},
	}
	for _, vc := range cases {
		t.Run(vc.dir, func(t *testing.T) {
			vocab, added := vc.load(t)
			m := MustCompile(vc.pattern)
			for _, text := range []string{"en", "code", "multi", "edge"} {
				data, err := os.ReadFile(sharedtest.Path(t, "golden/texts/"+text+".txt"))
				if err != nil {
					t.Fatal(err)
				}
				ids, err := os.ReadFile(sharedtest.Path(t, "golden/"+vc.dir+"/"+text+".jsonl"))
				if err != nil {
					t.Fatal(err)
				}
				lines := bytes.Split(bytes.TrimSuffix(data, []byte("\n")), []byte("\n"))
				idLines := bytes.Split(bytes.TrimSuffix(ids, []byte("\n")), []byte("\n"))
				if len(lines) != len(idLines) {
					t.Fatalf("%s: %d lines, %d id lines", text, len(lines), len(idLines))
				}
				checked, bad := 0, 0
				for i, line := range lines {
					var lineIDs []int
					if err := json.Unmarshal(idLines[i], &lineIDs); err != nil {
						t.Fatal(err)
					}
					boundary := map[int]bool{0: true}
					pos := 0
					var joined []byte
					var sections []tok.Span // the text between added tokens
					sectionStart := 0
					for _, id := range lineIDs {
						tokBytes, ok := vocab[id]
						if !ok {
							t.Fatalf("%s line %d: unknown id %d", text, i+1, id)
						}
						if added[id] {
							sections = append(sections, tok.Span{Start: sectionStart, End: pos})
							sectionStart = pos + len(tokBytes)
						}
						joined = append(joined, tokBytes...)
						pos += len(tokBytes)
						boundary[pos] = true
					}
					sections = append(sections, tok.Span{Start: sectionStart, End: pos})
					if !bytes.Equal(joined, line) {
						if vc.normalizes {
							continue
						}
						t.Fatalf("%s line %d: golden ids do not spell the line", text, i+1)
					}
					checked++
				sections:
					for _, sec := range sections {
						for _, s := range m.AppendMatches(nil, line[sec.Start:sec.End]) {
							s.Start += sec.Start
							s.End += sec.Start
							if !boundary[s.Start] || !boundary[s.End] {
								bad++
								if bad <= 3 {
									t.Errorf("%s line %d: pre-token %q [%d,%d) crosses a golden token", text, i+1, line[s.Start:s.End], s.Start, s.End)
								}
								break sections
							}
						}
					}
				}
				t.Logf("%s: %d of %d lines checked, %d with a pre-token crossing a token", text, checked, len(lines), bad)
			}
		})
	}
}
