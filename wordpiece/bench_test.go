package wordpiece

import (
	"bytes"
	"os"
	"testing"

	"github.com/toklabs/tok"

	"github.com/toklabs/tok/internal/sharedtest"
)

func benchBERT(b *testing.B, vocab string, cfg BERTConfig) *BERT {
	v, err := ReadVocabFile(sharedtest.Path(b, vocab))
	if err != nil {
		b.Fatal(err)
	}
	t, err := NewBERT(v, cfg)
	if err != nil {
		b.Fatal(err)
	}
	return t
}

// BenchmarkBERT_AppendEncode encodes each golden text line by line with
// bert-base-uncased (ids only, and with offsets).
func BenchmarkBERT_AppendEncode(b *testing.B) {
	t := benchBERT(b, "vocab/bert-base-uncased-vocab.txt", DefaultBERTConfig())
	for _, name := range goldenTexts {
		lines := readLines(b, sharedtest.Path(b, "golden/texts/"+name+".txt"))
		size := 0
		for _, l := range lines {
			size += len(l) + 1
		}
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(size))
			b.ReportAllocs()
			var ids []uint32
			for b.Loop() {
				for _, l := range lines {
					ids = t.AppendEncode(ids[:0], l)
				}
			}
		})
		b.Run(name+"/offsets", func(b *testing.B) {
			b.SetBytes(int64(size))
			b.ReportAllocs()
			var ids []uint32
			var offs []tok.Span
			for b.Loop() {
				for _, l := range lines {
					ids, offs = t.AppendEncodeOffsets(ids[:0], offs[:0], l)
				}
			}
		})
	}
}

// BenchmarkBERT_AppendEncodeParallel shares one tokenizer between
// goroutines.
func BenchmarkBERT_AppendEncodeParallel(b *testing.B) {
	t := benchBERT(b, "vocab/bert-base-uncased-vocab.txt", DefaultBERTConfig())
	text, err := os.ReadFile(sharedtest.Path(b, "golden/texts/en.txt"))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		var ids []uint32
		for pb.Next() {
			ids = t.AppendEncode(ids[:0], text)
		}
	})
}

// BenchmarkModel_AppendEncodeWord compares LinMaxMatch with the greedy
// reference on the words of en.txt, and on one long word without spaces
// (max_input_chars_per_word off), where greedy is quadratic and
// LinMaxMatch linear.
func BenchmarkModel_AppendEncodeWord(b *testing.B) {
	t := benchBERT(b, "vocab/bert-base-uncased-vocab.txt", DefaultBERTConfig())
	m := t.Model()
	text, err := os.ReadFile(sharedtest.Path(b, "golden/texts/en.txt"))
	if err != nil {
		b.Fatal(err)
	}
	words := bytes.Fields(bytes.ToLower(text))
	b.Run("en/linmaxmatch", func(b *testing.B) {
		b.SetBytes(int64(len(text)))
		b.ReportAllocs()
		var ids []uint32
		for b.Loop() {
			for _, w := range words {
				ids = m.AppendEncodeWord(ids[:0], w)
			}
		}
	})
	b.Run("en/greedy", func(b *testing.B) {
		b.SetBytes(int64(len(text)))
		b.ReportAllocs()
		var ids []uint32
		for b.Loop() {
			for _, w := range words {
				ids = m.AppendEncodeWordGreedy(ids[:0], w)
			}
		}
	})
	cfg := DefaultModelConfig()
	cfg.MaxInputCharsPerWord = 0
	unl, err := NewModel(m.Vocab(), cfg)
	if err != nil {
		b.Fatal(err)
	}
	for _, n := range []int{1 << 10, 1 << 20, 10 << 20} {
		word := longWord(n)
		b.Run("longword/"+sizeName(n)+"/linmaxmatch", func(b *testing.B) {
			b.SetBytes(int64(len(word)))
			b.ReportAllocs()
			var ids []uint32
			for b.Loop() {
				ids = unl.AppendEncodeWord(ids[:0], word)
			}
		})
		if n <= 1<<10 { // greedy is cubic here: 10 KB took 210 s
			b.Run("longword/"+sizeName(n)+"/greedy", func(b *testing.B) {
				b.SetBytes(int64(len(word)))
				b.ReportAllocs()
				var ids []uint32
				for b.Loop() {
					ids = unl.AppendEncodeWordGreedy(ids[:0], word)
				}
			})
		}
	}
	// The BERT pipeline on a 10 MB word, with HF's limit of 100 characters.
	word := longWord(10 << 20)
	b.Run("pipeline-longword/10MB", func(b *testing.B) {
		b.SetBytes(int64(len(word)))
		b.ReportAllocs()
		var ids []uint32
		for b.Loop() {
			ids = t.AppendEncode(ids[:0], word)
		}
	})
}

// longWord is n bytes of English letters without spaces or punctuation.
func longWord(n int) []byte {
	const s = "thequickbrownfoxjumpsoverthelazydoganduntranslatability"
	w := bytes.Repeat([]byte(s), n/len(s)+1)
	return w[:n]
}

func sizeName(n int) string {
	switch {
	case n >= 1<<20:
		return itoa(n>>20) + "MB"
	default:
		return itoa(n>>10) + "KB"
	}
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for n > 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(b)
}
