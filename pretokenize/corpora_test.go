package pretokenize

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"
	"github.com/toklabs/tok/internal/sharedtest"
)

// corpusHead returns about the first n bytes of a shared corpus file,
// decompressing .zst, cut after the last whole line.
func corpusHead(t *testing.T, name string, n int) []byte {
	t.Helper()
	f, err := os.Open(sharedtest.Path(t, "corpora/"+name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(name, ".zst") {
		d, err := zstd.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		r = d
	}
	// Whole lines until n bytes (a JSONL line is one document, however
	// long).
	br := bufio.NewReader(r)
	var buf []byte
	for len(buf) < n {
		line, err := br.ReadBytes('\n')
		buf = append(buf, line...)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	return buf
}

// TestMatchers_corpora compares the engines on the start (128 KiB) of each
// shared corpus, line by line for text files and document by document for
// JSONL files.
func TestMatchers_corpora(t *testing.T) {
	files := []string{
		"en-tinyshakespeare.txt", "en-kjv.txt.zst", "ar.txt", "de.txt.zst", "es.txt", "fa.txt", "fr.txt",
		"hi.txt.zst", "it.txt", "ja.txt.zst", "ko.txt", "pt.txt", "ru.txt.zst", "uk.txt.zst",
		"zh-classical-poetry.txt", "zh-hans.txt.zst", "zh-hant.txt.zst",
		"code-c.jsonl.zst", "code-go.jsonl.zst", "code-js.jsonl.zst", "code-python.jsonl.zst", "multilingual.jsonl.zst",
	}
	size := 128 << 10
	if testing.Short() {
		size = 16 << 10
	}
	for _, name := range files {
		data := corpusHead(t, name, size)
		var docs [][]byte
		if strings.Contains(name, ".jsonl") {
			for _, line := range bytes.Split(bytes.TrimSpace(data), []byte("\n")) {
				var doc struct{ Text string }
				if err := json.Unmarshal(line, &doc); err == nil {
					docs = append(docs, []byte(doc.Text))
				}
			}
		} else {
			docs = [][]byte{data}
		}
		if len(docs) == 0 {
			t.Fatalf("%s: no documents read", name)
		}
		for _, b := range builtins {
			fast, slow := engines(t, b.pattern)
			for _, doc := range docs {
				if !checkSame(t, b.name+"/"+name, fast, slow, doc) {
					break
				}
			}
		}
	}
}

// TestTokenizerJSONPatterns checks that the Split regexes of the shared
// tokenizer.json files are recognised as built-in patterns, so a tokenizer
// loaded from them gets the fast matcher.
func TestTokenizerJSONPatterns(t *testing.T) {
	want := map[string]string{
		"hf-gpt35turbo.tokenizer.json": PatternCL100K,
		"hf-llama3.tokenizer.json":     PatternCL100K,
		"hf-qwen3.tokenizer.json":      PatternQwen2,
		"hf-gpt4o.tokenizer.json":      PatternO200K,
	}
	for file, pattern := range want {
		data, err := os.ReadFile(sharedtest.Path(t, "vocab/"+file))
		if err != nil {
			t.Fatal(err)
		}
		var tj struct {
			PreTokenizer struct {
				Pretokenizers []struct {
					Type    string
					Pattern struct{ Regex string }
				}
			} `json:"pre_tokenizer"`
		}
		if err := json.Unmarshal(data, &tj); err != nil {
			t.Fatal(err)
		}
		found := false
		for _, p := range tj.PreTokenizer.Pretokenizers {
			if p.Type == "Split" {
				found = true
				if p.Pattern.Regex != pattern {
					t.Errorf("%s: Split regex %q is not the built-in %q", file, p.Pattern.Regex, pattern)
				}
				if m, _ := Compile(p.Pattern.Regex); fastMatcher(p.Pattern.Regex) == nil || m == nil {
					t.Errorf("%s: no fast matcher", file)
				}
			}
		}
		if !found {
			t.Errorf("%s: no Split pre-tokenizer", file)
		}
	}
}
