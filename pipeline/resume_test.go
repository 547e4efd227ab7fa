package pipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/toklabs/tok/corpora"
)

// slowTok is byteTok slowed down by sleeping, so that a run lasts about 3 s
// (790 documents × 7 ms over 2 workers) on any machine: the first kills
// (at 150, 250, 350 ms) always land before the end, and with 16 KiB jobs
// shards finish every half second or so, so later kills land between them.
type slowTok struct{ byteTok }

func (s slowTok) AppendEncode(dst []uint32, text []byte) []uint32 {
	time.Sleep(7 * time.Millisecond)
	return s.byteTok.AppendEncode(dst, text)
}

const (
	childEnv = "TOK_PIPELINE_RESUME_CHILD"
	// piecesEnv names a JSON Lines file that the child also encodes, read
	// as pieces.
	piecesEnv = "TOK_PIPELINE_RESUME_JSONL"
)

// TestMain runs the child encoder when the resume test starts this binary
// again.
func TestMain(m *testing.M) {
	if out := os.Getenv(rankChildEnv); out != "" {
		if err := runRankChild(out); err != nil {
			os.Stderr.WriteString(err.Error() + "\n")
			os.Exit(2)
		}
		os.Exit(0)
	}
	if out := os.Getenv(childEnv); out != "" {
		if err := runChild(out); err != nil {
			os.Stderr.WriteString(err.Error() + "\n")
			os.Exit(2)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func resumeConfig(out string) Config {
	cfg := DefaultConfig()
	cfg.Tokenizer = slowTok{}
	cfg.TokenizerHash = "byte-test-tokenizer"
	cfg.Out = out
	cfg.ShardBytes = 512 << 10
	cfg.BatchRows = 50
	cfg.ValFraction = 0.1
	cfg.Workers = 2
	cfg.Readers = 3 // reading inputs out of order: the resumed run must skip by position
	cfg.PieceBytes = 32 << 10
	return cfg
}

func runChild(out string) error {
	defer func(old int) { jobTextBytes = old }(jobTextBytes)
	jobTextBytes = 16 << 10 // small jobs: shards finish every half second
	inputs, err := corpora.DefaultInputs()
	if err != nil {
		return err
	}
	if p := os.Getenv(piecesEnv); p != "" {
		more, err := corpora.Expand([]string{p}, corpora.DefaultOptions())
		if err != nil {
			return err
		}
		inputs = append(more, inputs...)
	}
	if _, err := Encode(context.Background(), resumeConfig(out), inputs, corpora.DefaultOptions()); err != nil {
		return err
	}
	_, err = Finalize(out)
	return err
}

// TestResumeAfterKill kills an encoding process with SIGKILL at growing
// delays, starting it again each time, and checks that the dataset it
// finally completes is byte-identical to an uninterrupted run's.
func TestResumeAfterKill(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	var jsonl strings.Builder
	for i := range 200 {
		fmt.Fprintf(&jsonl, "{\"text\":%q}\n", strings.Repeat(fmt.Sprintf("piece document %d. ", i), 50))
	}
	pieces := filepath.Join(t.TempDir(), "pieces.jsonl")
	if err := os.WriteFile(pieces, []byte(jsonl.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv(piecesEnv, pieces) // for runChild here and in the children
	ref := filepath.Join(t.TempDir(), "ref")
	if err := runChild(ref); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "killed")
	kills, progressSeen := 0, 0
	lastShards := -1
	for delay := 150 * time.Millisecond; ; delay += 100 * time.Millisecond {
		cmd := exec.Command(exe, "-test.run=^$")
		cmd.Env = append(os.Environ(), childEnv+"="+out)
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("child: %v", err)
			}
		case <-time.After(delay):
			cmd.Process.Signal(syscall.SIGKILL)
			<-done
			kills++
			n := finishedShards(t, out)
			if n > lastShards && lastShards >= 0 {
				progressSeen++
			}
			lastShards = n
			continue
		}
		break
	}
	if kills < 3 || progressSeen < 1 {
		t.Fatalf("only %d kills (%d with progress between them); the test did not interrupt the run", kills, progressSeen)
	}
	t.Logf("%d kills with SIGKILL, %d of them after progress", kills, progressSeen)
	if m, err := OpenDataset(out); err != nil || !strings.Contains(fmt.Sprint(m.Manifest().Corpus.Inputs), "pieces.jsonl@32768") {
		t.Fatalf("the dataset does not list pieces of pieces.jsonl (%v)", err)
	}
	sameFiles(t, datasetFiles(t, ref), datasetFiles(t, out), "killed and resumed vs uninterrupted")
}

func finishedShards(t *testing.T, out string) int {
	b, err := os.ReadFile(filepath.Join(rankDir(out, 0), RankStateFile))
	if err != nil {
		return 0
	}
	var st RankState
	if err := json.Unmarshal(b, &st); err != nil {
		t.Fatalf("rank.json is not valid JSON after a kill: %v", err)
	}
	n := 0
	for _, sp := range st.Splits {
		n += len(sp.Shards)
	}
	return n
}
