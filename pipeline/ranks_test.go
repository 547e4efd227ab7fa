package pipeline

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"github.com/toklabs/tok/corpora"
)

const rankChildEnv = "TOK_PIPELINE_RANK_CHILD"

// runRankChild encodes the rank that a scheduler would give this process
// through the environment (Slurm array variables here).
func runRankChild(out string) error {
	inputs, err := corpora.DefaultInputs()
	if err != nil {
		return err
	}
	rank, world, ok, err := RankFromEnv()
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("no rank in the environment")
	}
	cfg := DefaultConfig()
	cfg.Tokenizer = byteTok{}
	cfg.TokenizerHash = "byte-test-tokenizer"
	cfg.Out = out
	cfg.ShardBytes = 1 << 20
	cfg.BatchRows = 100
	cfg.ValFraction = 0.1
	cfg.Rank, cfg.WorldSize = rank, world
	_, err = Encode(context.Background(), cfg, inputs, corpora.DefaultOptions())
	return err
}

// TestRanksAsProcesses runs W ranks as separate processes at the same time
// (as a Slurm job array would), finalizes, and compares the dataset with a
// single-process run: same documents, same ids in the same order, same
// corpus identity.
func TestRanksAsProcesses(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	const world = 4
	out := filepath.Join(t.TempDir(), "multi")
	cmds := make([]*exec.Cmd, world)
	for r := range world {
		cmd := exec.Command(exe, "-test.run=^$")
		cmd.Env = append(os.Environ(), rankChildEnv+"="+out,
			fmt.Sprintf("SLURM_ARRAY_TASK_ID=%d", r+1), "SLURM_ARRAY_TASK_MIN=1", fmt.Sprintf("SLURM_ARRAY_TASK_COUNT=%d", world))
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds[r] = cmd
	}
	for r, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Fatalf("rank %d: %v", r, err)
		}
	}
	mMulti, err := Finalize(out)
	if err != nil {
		t.Fatal(err)
	}
	one := testConfig(t, filepath.Join(t.TempDir(), "one"))
	mOne := encodeAll(t, one, testInputs(t))
	if mOne.Corpus.XXH3 != mMulti.Corpus.XXH3 || mOne.Corpus.Documents != mMulti.Corpus.Documents || mMulti.Settings.WorldSize != world {
		t.Fatalf("corpus identity differs: %s %d vs %s %d", mOne.Corpus.XXH3, mOne.Corpus.Documents, mMulti.Corpus.XXH3, mMulti.Corpus.Documents)
	}
	a, _ := OpenDataset(one.Out)
	b, _ := OpenDataset(out)
	defer a.Close()
	defer b.Close()
	for _, name := range splitNames {
		sa, err := a.Split(name)
		if err != nil {
			t.Fatal(err)
		}
		sb, err := b.Split(name)
		if err != nil {
			t.Fatal(err)
		}
		if sa.NumDocuments() != sb.NumDocuments() || sa.NumTokens() != sb.NumTokens() || sa.NumBytes() != sb.NumBytes() {
			t.Fatalf("%s: one run %d docs %d tokens, %d ranks %d docs %d tokens", name, sa.NumDocuments(), sa.NumTokens(), world, sb.NumDocuments(), sb.NumTokens())
		}
		for i := int64(0); i < sa.NumDocuments(); i++ {
			da, na, _ := sa.Document(i, nil)
			db, nb, _ := sb.Document(i, nil)
			if na != nb || !slices.Equal(da, db) {
				t.Fatalf("%s: document %d differs", name, i)
			}
		}
		t.Logf("%s: %d documents, %d tokens identical (%d shards from one process, %d from %d ranks)",
			name, sa.NumDocuments(), sa.NumTokens(), len(mOne.Splits[name].Shards), len(mMulti.Splits[name].Shards), world)
	}
}
