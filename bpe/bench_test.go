package bpe

import (
	"bytes"
	"os"
	"testing"

	"github.com/toklabs/tok/internal/cputime"
	"github.com/toklabs/tok/internal/sharedtest"
)

// startCPU returns a function that reports cpu-MB/s (bytes per op over CPU
// time per op) when called at the end of a benchmark.
func startCPU(b *testing.B, bytesPerOp int) func() {
	start, ok := cputime.Process()
	return func() {
		end, _ := cputime.Process()
		if d := end - start; ok && d > 0 && b.N > 0 {
			b.ReportMetric(float64(bytesPerOp)*float64(b.N)/d.Seconds()/1e6, "cpu-MB/s")
		}
	}
}

// benchTokenizers caches loaded tokenizers across benchmarks.
var benchTokenizers = map[string]*Tokenizer{}

func benchTokenizer(b *testing.B, name string) *Tokenizer {
	if t, ok := benchTokenizers[name]; ok {
		return t
	}
	t, err := OpenTiktoken(sharedtest.Path(b, "vocab/"+name+".tiktoken"))
	if err != nil {
		b.Fatal(err)
	}
	benchTokenizers[name] = t
	return t
}

func readShared(b *testing.B, rel string) []byte {
	data, err := os.ReadFile(sharedtest.Path(b, rel))
	if err != nil {
		b.Fatal(err)
	}
	return data
}

// BenchmarkTokenizer_AppendEncode encodes the golden texts whole, per
// vocabulary and input class (English, multilingual incl. CJK, code).
func BenchmarkTokenizer_AppendEncode(b *testing.B) {
	for _, vocab := range []string{"r50k_base", "cl100k_base", "o200k_base"} {
		for _, text := range []string{"en", "multi", "code"} {
			b.Run(vocab+"/"+text, func(b *testing.B) {
				t := benchTokenizer(b, vocab)
				data := readShared(b, "golden/texts/"+text+".txt")
				b.SetBytes(int64(len(data)))
				b.ReportAllocs()
				defer startCPU(b, len(data))()
				var ids []uint32
				for b.Loop() {
					ids = t.AppendEncode(ids[:0], data)
				}
			})
		}
	}
}

// BenchmarkTokenizer_AppendEncodeLines encodes the English text line by
// line, as the peers' contract and tok encode --per-line do.
func BenchmarkTokenizer_AppendEncodeLines(b *testing.B) {
	for _, vocab := range []string{"r50k_base", "cl100k_base", "o200k_base"} {
		b.Run(vocab, func(b *testing.B) {
			t := benchTokenizer(b, vocab)
			data := readShared(b, "golden/texts/en.txt")
			lines := bytes.Split(data, []byte("\n"))
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			defer startCPU(b, len(data))()
			var ids []uint32
			for b.Loop() {
				for _, l := range lines {
					ids = t.AppendEncode(ids[:0], l)
				}
			}
		})
	}
}

// BenchmarkModel_AppendEncodePiece_pathological runs BPE on single pieces
// that no pre-tokenizer splits, at two sizes each: ns/byte must stay about
// the same when the size grows tenfold (linear time; tiktoken is
// quadratic here, openai/tiktoken#195).
func BenchmarkModel_AppendEncodePiece_pathological(b *testing.B) {
	cases := []struct {
		name string
		unit string
		size int
	}{
		{"letter-1MB", "a", 1 << 20},
		{"letter-10MB", "a", 10 << 20},
		{"spaces-100KB", " ", 100 << 10},
		{"spaces-1MB", " ", 1 << 20},
		{"digits-500KB", "1234567890", 500 << 10},
		{"digits-5MB", "1234567890", 5 << 20},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			m := benchTokenizer(b, "cl100k_base").Model()
			piece := bytes.Repeat([]byte(c.unit), c.size/len(c.unit))
			b.SetBytes(int64(len(piece)))
			b.ReportAllocs()
			defer startCPU(b, len(piece))()
			var ids []uint32
			for b.Loop() {
				ids = m.AppendEncodePiece(ids[:0], piece)
			}
		})
	}
}

// BenchmarkTokenizer_AppendEncode_pathological is the same through the
// pre-tokenizer (cl100k cuts digits into runs of three; spaces stay one
// piece; letters stay one piece).
func BenchmarkTokenizer_AppendEncode_pathological(b *testing.B) {
	cases := []struct {
		name string
		unit string
		size int
	}{
		{"letter-10MB", "a", 10 << 20},
		{"spaces-1MB", " ", 1 << 20},
		{"digits-5MB", "1234567890", 5 << 20},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			t := benchTokenizer(b, "cl100k_base")
			text := bytes.Repeat([]byte(c.unit), c.size/len(c.unit))
			b.SetBytes(int64(len(text)))
			b.ReportAllocs()
			defer startCPU(b, len(text))()
			var ids []uint32
			for b.Loop() {
				ids = t.AppendEncode(ids[:0], text)
			}
		})
	}
}

// BenchmarkTokenizer_AppendEncode_parallel encodes English lines from all
// goroutines with one shared tokenizer.
func BenchmarkTokenizer_AppendEncode_parallel(b *testing.B) {
	t := benchTokenizer(b, "cl100k_base")
	data := readShared(b, "golden/texts/en.txt")
	lines := bytes.Split(data, []byte("\n"))
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		var ids []uint32
		for pb.Next() {
			for _, l := range lines {
				ids = t.AppendEncode(ids[:0], l)
			}
		}
	})
}

// BenchmarkModel_AppendDecode decodes the ids of the English text.
func BenchmarkModel_AppendDecode(b *testing.B) {
	t := benchTokenizer(b, "cl100k_base")
	data := readShared(b, "golden/texts/en.txt")
	ids := t.AppendEncode(nil, data)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	var out []byte
	for b.Loop() {
		out, _ = t.AppendDecode(out[:0], ids)
	}
}

// BenchmarkModel_AppendEncodePiece runs the model alone on the pieces of
// the golden texts (pre-tokenized once, outside the timing): the BPE cost
// without the pre-tokenizer.
func BenchmarkModel_AppendEncodePiece(b *testing.B) {
	for _, vocab := range []string{"r50k_base", "cl100k_base", "o200k_base"} {
		for _, text := range []string{"en", "multi", "code"} {
			b.Run(vocab+"/"+text, func(b *testing.B) {
				t := benchTokenizer(b, vocab)
				data := readShared(b, "golden/texts/"+text+".txt")
				spans := t.pre.AppendMatches(nil, data)
				m := t.Model()
				b.SetBytes(int64(len(data)))
				b.ReportAllocs()
				var ids []uint32
				defer startCPU(b, len(data))()
				for b.Loop() {
					ids = ids[:0]
					for _, s := range spans {
						ids = m.AppendEncodePiece(ids, data[s.Start:s.End])
					}
				}
			})
		}
	}
}

// BenchmarkOpenTiktoken loads a rank file: parsing, the whole-token and
// pair tables (every command that uses the tokenizer pays it once).
func BenchmarkOpenTiktoken(b *testing.B) {
	for _, vocab := range []string{"cl100k_base", "o200k_base"} {
		b.Run(vocab, func(b *testing.B) {
			path := sharedtest.Path(b, "vocab/"+vocab+".tiktoken")
			b.ReportAllocs()
			for b.Loop() {
				if _, err := OpenTiktoken(path); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkOpenGPT2 loads GPT-2's vocab.json and merges.txt: JSON and
// merges parsing, the merges model's tables and its whole-piece check.
func BenchmarkOpenGPT2(b *testing.B) {
	path := sharedtest.Path(b, "vocab/gpt2-vocab.json")
	sharedtest.Path(b, "vocab/gpt2-merges.txt")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := OpenGPT2(path); err != nil {
			b.Fatal(err)
		}
	}
}
