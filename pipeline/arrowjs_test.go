package pipeline

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// arrowJS returns the command that runs testdata/arrowjs/read.mjs. When
// TOK_SHARED is set (CI) node and the installed package are required;
// otherwise the test is skipped without them.
func arrowJS(t *testing.T) (node, script string) {
	t.Helper()
	dir, _ := filepath.Abs(filepath.Join("testdata", "arrowjs"))
	script = filepath.Join(dir, "read.mjs")
	node, err := exec.LookPath("node")
	missing := ""
	if err != nil {
		missing = "node is not installed"
	} else if _, err := os.Stat(filepath.Join(dir, "node_modules", "apache-arrow")); err != nil {
		missing = "apache-arrow is not installed (npm ci --prefix pipeline/testdata/arrowjs)"
	}
	if missing != "" {
		if os.Getenv("TOK_SHARED") != "" {
			t.Fatalf("%s; CI must install it", missing)
		}
		t.Skip(missing)
	}
	return node, script
}

// TestShardsReadByArrowJS reads the shards with the JavaScript Arrow
// implementation and checks every id and byte count.
func TestShardsReadByArrowJS(t *testing.T) {
	node, script := arrowJS(t)
	inputs := testInputs(t)[:30]
	cfg := testConfig(t, filepath.Join(t.TempDir(), "ds"))
	cfg.ShardBytes = 256 << 10
	m := encodeAll(t, cfg, inputs)
	want, wantBytes := expected(t, inputs, cfg.ValFraction)
	for sp, name := range splitNames {
		var args []string
		args = append(args, script)
		for _, sh := range m.Splits[name].Shards {
			args = append(args, filepath.Join(cfg.Out, name, sh.File))
		}
		out, err := exec.Command(node, args...).Output()
		if err != nil {
			t.Fatalf("%s: node read.mjs: %v", name, err)
		}
		var b strings.Builder
		for i, ids := range want[sp] {
			fmt.Fprint(&b, wantBytes[sp][i])
			for _, id := range ids {
				fmt.Fprint(&b, " ", id)
			}
			b.WriteByte('\n')
		}
		if got := string(out); got != b.String() {
			gl, wl := strings.Split(got, "\n"), strings.Split(b.String(), "\n")
			for i := range min(len(gl), len(wl)) {
				if gl[i] != wl[i] {
					t.Fatalf("%s: apache-arrow reads document %d differently:\n got %.200s\nwant %.200s", name, i, gl[i], wl[i])
				}
			}
			t.Fatalf("%s: apache-arrow read %d documents, want %d", name, len(gl)-1, len(wl)-1)
		}
		t.Logf("%s: %d shards, %d documents read identically by apache-arrow (JS)", name, len(args)-1, len(want[sp]))
	}
}
