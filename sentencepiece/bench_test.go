package sentencepiece

import (
	"bytes"
	"os"
	"testing"
)

// BenchmarkModel_AppendEncode encodes line by line, by model and input
// class. The shared models run only when TOK_SHARED is set.
//
// Every iteration encodes the same text, so BPE's word cache is warm
// after the first: that flatters caching long "words" (a CJK line), which
// rarely repeat in a real single pass. scripts/bench-spm.sh (one pass over
// 8-20 MB, side by side with spm_encode) is the measure of record.
func BenchmarkModel_AppendEncode(b *testing.B) {
	edge, err := os.ReadFile("testdata/edge.txt")
	if err != nil {
		b.Fatal(err)
	}
	opticks := bytes.Join(opticksLines(b, 3000), []byte("\n"))
	inputs := []struct {
		name string
		text []byte
	}{{"prose", opticks}, {"edge", edge}}
	models := []string{"testdata/opticks-unigram-1000.model", "testdata/opticks-bpe-1000.model"}
	if dir := os.Getenv("TOK_SHARED"); dir != "" {
		models = append(models, dir+"/vocab/llama2-tokenizer.model", dir+"/vocab/albert-30k-clean.model")
		for _, name := range []string{"en", "multi", "code"} {
			if t, err := os.ReadFile(dir + "/golden/texts/" + name + ".txt"); err == nil {
				inputs = append(inputs, struct {
					name string
					text []byte
				}{name, t})
			}
		}
		// Scripts without spaces between words (long BPE "words", a
		// lattice of mostly single characters).
		for name, file := range map[string]string{"ko": "ko.txt", "zh": "zh-classical-poetry.txt"} {
			if t, err := os.ReadFile(dir + "/corpora/" + file); err == nil {
				inputs = append(inputs, struct {
					name string
					text []byte
				}{name, t})
			}
		}
	}
	for _, path := range models {
		m, err := Load(path)
		if err != nil {
			b.Fatal(err)
		}
		for _, in := range inputs {
			lines := bytes.Split(in.text, []byte("\n"))
			b.Run(shortName(path)+"/"+in.name, func(b *testing.B) {
				b.SetBytes(int64(len(in.text)))
				b.ReportAllocs()
				var ids []uint32
				for b.Loop() {
					for _, l := range lines {
						ids = m.AppendEncode(ids[:0], l)
					}
				}
			})
		}
	}
}

func shortName(path string) string {
	if i := bytes.LastIndexByte([]byte(path), '/'); i >= 0 {
		path = path[i+1:]
	}
	return path
}

func BenchmarkNormalizer_Normalize(b *testing.B) {
	m, err := Load("testdata/opticks-unigram-1000.model")
	if err != nil {
		b.Fatal(err)
	}
	text := bytes.Join(opticksLines(b, 3000), []byte("\n"))
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	var out []byte
	for b.Loop() {
		out, _ = m.norm.Normalize(out[:0], nil, text, false)
	}
}

// BenchmarkLoad measures loading a model (parsing, tries, charsmap): the
// fixed cost of every `tok encode` run. The shared models run only when
// TOK_SHARED is set.
func BenchmarkLoad(b *testing.B) {
	models := []string{"testdata/opticks-unigram-1000.model", "testdata/opticks-bpe-1000.model"}
	if dir := os.Getenv("TOK_SHARED"); dir != "" {
		models = append(models, dir+"/vocab/llama2-tokenizer.model", dir+"/vocab/albert-30k-clean.model")
	}
	for _, path := range models {
		data, err := os.ReadFile(path)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(shortName(path), func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Parse(data, path); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
