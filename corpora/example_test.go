package corpora_test

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/toklabs/tok/corpora"
)

func ExampleOpen() {
	dir, _ := os.MkdirTemp("", "corpora-example")
	defer os.RemoveAll(dir)
	os.WriteFile(filepath.Join(dir, "a.jsonl"), []byte(`{"id":1,"text":"first document"}`+"\n"+`{"id":2,"text":"second"}`+"\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "b.txt"), []byte("one paragraph\nof two lines\n\nanother\n"), 0o644)

	opts := corpora.DefaultOptions()
	opts.Split = corpora.SplitParagraphs // for the plain-text file
	c, err := corpora.Open([]string{dir}, opts)
	if err != nil {
		panic(err)
	}
	defer c.Close()
	for {
		d, err := c.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			panic(err)
		}
		fmt.Printf("%s #%d line %d: %q\n", filepath.Base(d.Source), d.Index, d.Line, d.Text)
	}
	// Output:
	// a.jsonl #0 line 1: "first document"
	// a.jsonl #1 line 2: "second"
	// b.txt #0 line 1: "one paragraph\nof two lines"
	// b.txt #1 line 4: "another"
}
