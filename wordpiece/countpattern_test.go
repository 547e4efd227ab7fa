package wordpiece

import (
	"reflect"
	"testing"

	"github.com/toklabs/tok"
	"github.com/toklabs/tok/internal/sharedtest"
	"github.com/toklabs/tok/pretokenize"
)

func TestBertCountPattern(t *testing.T) {
	m, err := pretokenize.Compile(BertCountPattern)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range goldenTexts {
		for i, l := range readLines(t, sharedtest.Path(t, "golden/texts/"+name+".txt")) {
			want := pretokenize.AppendBert(nil, l, tok.Span{Start: 0, End: len(l)})
			got := m.AppendMatches(nil, l)
			if len(got) == 0 && len(want) == 0 {
				continue
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%s line %d %.60q:\n got %v\nwant %v", name, i+1, l, got[:min(len(got), 10)], want[:min(len(want), 10)])
			}
		}
	}
}
