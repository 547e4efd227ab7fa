package sentencepiece

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// TestSpmTrainModelsParity checks the models spm_train made with default
// settings (testdata/make.sh) against spm_encode's ids.
func TestSpmTrainModelsParity(t *testing.T) {
	opticks, err := os.ReadFile(filepath.Join(runtime.GOROOT(), "src/testdata/Isaac.Newton-Opticks.txt"))
	if err != nil {
		t.Fatal(err)
	}
	head := bytes.Split(opticks, []byte("\n"))[:1500]
	edge := readLines(t, "testdata/edge.txt")
	for _, model := range []string{"opticks-unigram-1000", "opticks-bpe-1000"} {
		m, err := Load("testdata/" + model + ".model")
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name  string
			lines [][]byte
		}{{"opticks-head", head}, {"edge", edge}} {
			want := readLines(t, "testdata/"+model+"."+tc.name+".jsonl")
			if len(want) != len(tc.lines) {
				t.Fatalf("%s.%s: %d golden lines for %d text lines", model, tc.name, len(want), len(tc.lines))
			}
			same := 0
			for i, line := range tc.lines {
				got := idsJSON(m.AppendEncode(nil, line))
				if got == string(want[i]) {
					same++
				} else if i-same < 3 {
					t.Errorf("%s.%s line %d %q:\n got %s\nwant %s", model, tc.name, i+1, truncate(string(line), 100), truncate(got, 200), truncate(string(want[i]), 200))
				}
			}
			t.Logf("%s %s: %d/%d lines identical", model, tc.name, same, len(tc.lines))
		}
	}
}
