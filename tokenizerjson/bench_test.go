package tokenizerjson

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"

	"github.com/toklabs/tok/internal/sharedtest"
)

// BenchmarkTokenizer_Load measures reading and building each tokenizer.json
// (hf-qwen3 is 11 MB, hf-gpt4o 9.7 MB).
func BenchmarkTokenizer_Load(b *testing.B) {
	for _, name := range parityFiles {
		b.Run(name, func(b *testing.B) {
			data, err := os.ReadFile(sharedtest.Path(b, "vocab/"+name+".tokenizer.json"))
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Parse(data, name); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkTokenizer_AppendEncode encodes the golden texts line by line
// (as the reference tool does), by file and input class.
func BenchmarkTokenizer_AppendEncode(b *testing.B) {
	for _, name := range parityFiles {
		tk, err := Open(sharedtest.Path(b, "vocab/"+name+".tokenizer.json"))
		if err != nil {
			b.Fatal(err)
		}
		for _, text := range []string{"en", "code", "multi"} {
			lines := readLines(b, sharedtest.Path(b, "golden/texts/"+text+".txt"))
			var ids []uint32
			benchLinesRun(b, name+"/"+text, lines, func(l []byte) { ids = tk.AppendEncode(ids[:0], l) })
		}
	}
}

// BenchmarkTokenizer_Encode is AppendEncode with offsets (the Encoding
// path).
func BenchmarkTokenizer_Encode(b *testing.B) {
	for _, name := range []string{"hf-llama3", "hf-mistral7b-from-lenml-llama2"} {
		tk, err := Open(sharedtest.Path(b, "vocab/"+name+".tokenizer.json"))
		if err != nil {
			b.Fatal(err)
		}
		lines := readLines(b, sharedtest.Path(b, "golden/texts/en.txt"))
		benchLinesRun(b, name+"/en", lines, func(l []byte) { _ = tk.Encode(l, EncodeOptions{}) })
	}
}

// BenchmarkTokenizer_EncodeSPM is BenchmarkTokenizer_AppendEncodeSPM's
// English text through Encode (offsets kept: the general path).
func BenchmarkTokenizer_EncodeSPM(b *testing.B) {
	for _, tf := range spmBenchTokenizers {
		tk := openBenchTokenizer(b, tf.file)
		tx := spmBenchTexts[0]
		lines := benchLines(b, tx.files[0], tx.size)
		benchLinesRun(b, tf.name+"/"+tx.name, lines, func(l []byte) { _ = tk.Encode(l, EncodeOptions{}) })
	}
}

// BenchmarkTokenizer_AppendDecode decodes the ids of the English text.
func BenchmarkTokenizer_AppendDecode(b *testing.B) {
	for _, name := range []string{"hf-llama3", "hf-mistral7b-from-lenml-llama2"} {
		tk, err := Open(sharedtest.Path(b, "vocab/"+name+".tokenizer.json"))
		if err != nil {
			b.Fatal(err)
		}
		var all [][]uint32
		size := 0
		for _, l := range readLines(b, sharedtest.Path(b, "golden/texts/en.txt")) {
			all = append(all, tk.AppendEncode(nil, l))
			size += len(l)
		}
		b.Run(name+"/en", func(b *testing.B) {
			b.SetBytes(int64(size))
			b.ReportAllocs()
			var out []byte
			for b.Loop() {
				for _, ids := range all {
					out, _ = tk.AppendDecode(out[:0], ids)
				}
			}
		})
	}
}

// spmBenchTokenizers are the SentencePiece-style tokenizer.json files of
// BenchmarkTokenizer_AppendEncodeSPM, with the byte-level GPT-2 file as a
// control. A name ending in ".model" is converted with WriteSentencePiece
// (what `tok convert` writes); the others are read as they are.
var spmBenchTokenizers = []struct{ name, file string }{
	{"albert-unigram", "vocab/albert-30k-clean.model"},
	{"albert-t5style", "vocab/albert-30k-clean.model#t5"},
	{"llama2-bpe", "vocab/llama2-tokenizer.model"},
	{"llama2-metaspace", "vocab/llama2-tokenizer.model#metaspace"},
	{"mistral7b-hf", "vocab/hf-mistral7b-from-lenml-llama2.tokenizer.json"},
	{"gpt2-bytelevel", "vocab/hf-gpt2-derived.tokenizer.json"},
}

// spmBenchTexts are the corpora of BenchmarkTokenizer_AppendEncodeSPM,
// whole lines from the start of each file: about 256 KB of English, 32 KB
// from each of eight languages, and 8 MB of en-large (too many distinct
// words for the piece cache to hold them all, unlike the short texts
// encoded again on every iteration).
var spmBenchTexts = []struct {
	name  string
	files []string
	size  int
}{
	{"en", []string{"corpora/en-tinyshakespeare.txt"}, 256 << 10},
	{"multi", []string{"corpora/es.txt", "corpora/fr.txt", "corpora/ar.txt", "corpora/fa.txt",
		"corpora/ko.txt", "corpora/ja.txt.zst", "corpora/zh-hans.txt.zst", "corpora/ru.txt.zst"}, 32 << 10},
	{"en-large", []string{"corpora/en-large.txt.zst"}, 8 << 20},
}

// benchLines reads the first size bytes (whole lines) of a shared corpus,
// decompressing .zst files.
func benchLines(tb testing.TB, rel string, size int) [][]byte {
	tb.Helper()
	f, err := os.Open(sharedtest.Path(tb, rel))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(rel, ".zst") {
		d, err := zstd.NewReader(f)
		if err != nil {
			tb.Fatal(err)
		}
		defer d.Close()
		r = d
	}
	var out [][]byte
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 1<<24)
	n := 0
	for n < size && sc.Scan() {
		out = append(out, append([]byte(nil), sc.Bytes()...))
		n += len(sc.Bytes()) + 1
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}

// openBenchTokenizer opens (or converts) one of spmBenchTokenizers.
func openBenchTokenizer(tb testing.TB, file string) *Tokenizer {
	tb.Helper()
	file, style, _ := strings.Cut(file, "#")
	path := sharedtest.Path(tb, file)
	if !strings.HasSuffix(file, ".model") {
		tk, err := Open(path)
		if err != nil {
			tb.Fatal(err)
		}
		return tk
	}
	var b bytes.Buffer
	if err := WriteSentencePiece(&b, loadSPM(tb, path)); err != nil {
		tb.Fatal(err)
	}
	data := b.Bytes()
	switch style {
	case "t5":
		data = t5Style(tb, data)
	case "metaspace":
		data = metaspaceStyle(tb, data)
	}
	tk, err := Parse(data, filepath.Base(file)+".tokenizer.json")
	if err != nil {
		tb.Fatal(err)
	}
	return tk
}

// t5Style rewrites a converted SentencePiece Unigram file into the layout
// HF's own converter gives T5-style files: the charsmap (when the
// converted normalizer starts with one) then Replace(" {2,}", " ") as the
// normalizer, WhitespaceSplit then Metaspace(prepend_scheme "always") as
// the pre-tokenizer. scripts/bench-tokjson.sh makes the same file.
func t5Style(tb testing.TB, data []byte) []byte {
	tb.Helper()
	var f map[string]json.RawMessage
	if err := json.Unmarshal(data, &f); err != nil {
		tb.Fatal(err)
	}
	var norm struct {
		Normalizers []json.RawMessage `json:"normalizers"`
	}
	if err := json.Unmarshal(f["normalizer"], &norm); err != nil {
		tb.Fatal(err)
	}
	seq := []json.RawMessage{json.RawMessage(`{"type":"Replace","pattern":{"Regex":" {2,}"},"content":" "}`)}
	if len(norm.Normalizers) > 0 && bytes.Contains(norm.Normalizers[0], []byte(`"Precompiled"`)) {
		seq = append([]json.RawMessage{norm.Normalizers[0]}, seq...)
	}
	n, err := json.Marshal(map[string]any{"type": "Sequence", "normalizers": seq})
	if err != nil {
		tb.Fatal(err)
	}
	f["normalizer"] = n
	f["pre_tokenizer"] = json.RawMessage(`{"type":"Sequence","pretokenizers":[{"type":"WhitespaceSplit"},` +
		`{"type":"Metaspace","replacement":"▁","prepend_scheme":"always","split":true}]}`)
	out, err := json.Marshal(f)
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

// BenchmarkTokenizer_AppendEncodeSPM encodes English and multilingual
// corpus text line by line with SentencePiece-style tokenizer.json files
// (Metaspace, Precompiled, Prepend+Replace normalizers) and the GPT-2
// control. scripts/bench-tokjson.sh runs it beside peer-hf-encode.
func BenchmarkTokenizer_AppendEncodeSPM(b *testing.B) {
	for _, tf := range spmBenchTokenizers {
		tk := openBenchTokenizer(b, tf.file)
		for _, tx := range spmBenchTexts {
			var lines [][]byte
			for _, f := range tx.files {
				lines = append(lines, benchLines(b, f, tx.size)...)
			}
			var ids []uint32
			benchLinesRun(b, tf.name+"/"+tx.name, lines, func(l []byte) { ids = tk.AppendEncode(ids[:0], l) })
			if !strings.HasSuffix(tf.file, ".model") {
				continue
			}
			// The target: package sentencepiece on the .model itself.
			m := loadSPM(b, sharedtest.Path(b, tf.file))
			benchLinesRun(b, tf.name+"-spm-native/"+tx.name, lines, func(l []byte) { ids = m.AppendEncode(ids[:0], l) })
		}
	}
}

// metaspaceStyle rewrites a converted SentencePiece BPE file into the
// newer layout of HF's Llama and Mistral files: no normalizer, a
// Metaspace pre-tokenizer with prepend_scheme "first" that does not split.
// scripts/bench-tokjson.sh makes the same file.
func metaspaceStyle(tb testing.TB, data []byte) []byte {
	tb.Helper()
	var f map[string]json.RawMessage
	if err := json.Unmarshal(data, &f); err != nil {
		tb.Fatal(err)
	}
	f["normalizer"] = json.RawMessage(`null`)
	f["pre_tokenizer"] = json.RawMessage(`{"type":"Metaspace","replacement":"▁","prepend_scheme":"first","split":false}`)
	out, err := json.Marshal(f)
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

// benchLinesRun runs encode on every line as one sub-benchmark, its
// throughput counted in input bytes (newlines included, as the peers
// count them).
func benchLinesRun(b *testing.B, name string, lines [][]byte, encode func(line []byte)) {
	size := 0
	for _, l := range lines {
		size += len(l) + 1
	}
	b.Run(name, func(b *testing.B) {
		b.SetBytes(int64(size))
		b.ReportAllocs()
		for b.Loop() {
			for _, l := range lines {
				encode(l)
			}
		}
	})
}
