package wordcount

import (
	"fmt"
	"strings"
	"testing"

	"github.com/toklabs/tok/pretokenize"
)

// benchDocs makes about size bytes of documents of one input class.
func benchDocs(class string, size int) ([]string, int) {
	var unit string
	switch class {
	case "english":
		unit = "It is a truth universally acknowledged, that a single man in possession of a good fortune, must be in want of a wife. "
	case "cjk":
		unit = "東京は日本の首都であり、世界で最も人口の多い都市圏の一つです。北京是中华人民共和国的首都。"
	case "code":
		unit = "func (c *Counts) Total() uint64 {\n\tvar t uint64\n\tfor _, e := range c.Words {\n\t\tt += e.Count\n\t}\n\treturn t\n}\n"
	}
	var docs []string
	n := 0
	for i := 0; n < size; i++ {
		d := strings.Repeat(unit, 8) + fmt.Sprintf(" %d\n", i)
		docs = append(docs, d)
		n += len(d)
	}
	return docs, n
}

// BenchmarkCount_GPT2 measures counting throughput (MB/s) with the GPT-2
// pre-tokenizer, by input class and worker count.
func BenchmarkCount_GPT2(b *testing.B) {
	pre, err := pretokenize.CompileNamed("gpt2")
	if err != nil {
		b.Fatal(err)
	}
	for _, class := range []string{"english", "cjk", "code"} {
		docs, n := benchDocs(class, 4<<20)
		for _, workers := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/workers=%d", class, workers), func(b *testing.B) {
				b.SetBytes(int64(n))
				b.ReportAllocs()
				for i := 0; i < b.N; i++ {
					cfg := DefaultConfig()
					cfg.Workers, cfg.Lines = workers, true
					if _, err := Count(&sliceReader{docs: docs}, pre, cfg); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
