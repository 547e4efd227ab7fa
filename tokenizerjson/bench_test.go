package tokenizerjson

import (
	"os"
	"testing"

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
			size := 0
			for _, l := range lines {
				size += len(l) + 1
			}
			b.Run(name+"/"+text, func(b *testing.B) {
				b.SetBytes(int64(size))
				b.ReportAllocs()
				var ids []uint32
				for b.Loop() {
					for _, l := range lines {
						ids = tk.AppendEncode(ids[:0], l)
					}
				}
			})
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
		size := 0
		for _, l := range lines {
			size += len(l) + 1
		}
		b.Run(name+"/en", func(b *testing.B) {
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for b.Loop() {
				for _, l := range lines {
					_ = tk.Encode(l, EncodeOptions{})
				}
			}
		})
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
