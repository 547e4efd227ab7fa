package pipeline

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"

	"github.com/toklabs/tok/corpora"
	"github.com/toklabs/tok/internal/arrowio"
	"github.com/toklabs/tok/internal/atomicfile"
)

// Partition returns rank's share of inputs: a contiguous run of the input
// list, cut so that each rank gets about the same number of stored bytes
// (input i goes to the rank where its middle byte falls,
// ⌊W·(bytes before i + size/2)/total⌋). Concatenating the
// shares in rank order gives back the input order, so a dataset made by W
// ranks holds the same documents in the same order as one made by one
// process. Standard input cannot be shared across ranks.
func Partition(inputs []corpora.Input, rank, world int) ([]corpora.Input, error) {
	if world <= 1 {
		return inputs, nil
	}
	if rank < 0 || rank >= world {
		return nil, fmt.Errorf("%w: rank %d, world size %d", ErrBadRank, rank, world)
	}
	var total int64
	for _, in := range inputs {
		if in.Path == corpora.Stdin || in.Size < 0 {
			return nil, errors.New("pipeline: standard input cannot be split across ranks")
		}
		total += max(in.Size, 1)
	}
	var out []corpora.Input
	var before int64
	for _, in := range inputs {
		size := max(in.Size, 1)
		// In doubled units, so that the middle of a 1-byte input counts.
		if r := int(int64(world) * (2*before + size) / (2 * total)); r == rank {
			out = append(out, in)
		}
		before += size
	}
	return out, nil
}

// Manifest is the dataset-level metadata, tok_manifest.json, written by
// Finalize once every rank has finished. Its presence marks a finished
// dataset.
type Manifest struct {
	Format    string                    `json:"format"`
	Tokenizer TokenizerIdentity         `json:"tokenizer"`
	Corpus    CorpusIdentity            `json:"corpus"`
	Settings  Settings                  `json:"settings"`
	Splits    map[string]*SplitManifest `json:"splits"`
}

// TokenizerIdentity names the tokenizer that made a dataset.
type TokenizerIdentity struct {
	SHA256    string `json:"sha256"`
	VocabSize int    `json:"vocab_size"`
}

// CorpusIdentity names the text a dataset was made from. XXH3 is the
// XXH3-128 of the per-input digests in input order (each as hex and a
// newline), so it does not depend on the number of ranks. Datasets of
// format v1 have SHA256 instead, made the same way with SHA-256.
type CorpusIdentity struct {
	XXH3      string        `json:"xxh3_128,omitempty"`
	SHA256    string        `json:"sha256,omitempty"`
	Documents int64         `json:"documents"`
	Bytes     int64         `json:"bytes"`
	Skipped   int64         `json:"skipped"` // bad records skipped (--skip-bad)
	Inputs    []InputDigest `json:"inputs"`
}

// SplitManifest is one split of a dataset.
type SplitManifest struct {
	Documents int64       `json:"documents"`
	Tokens    int64       `json:"tokens"`
	Bytes     int64       `json:"bytes"`
	Shards    []ShardInfo `json:"shards"`
}

// Finalize checks that every rank of the dataset in dir has finished and
// writes the dataset-level files: per split, the shards renamed to
// data-XXXXX-of-NNNNN.arrow with datasets' state.json and
// dataset_info.json; dataset_dict.json; and tok_manifest.json last. It can
// be run again after an interruption, and on a finished dataset it only
// returns the manifest.
func Finalize(dir string) (*Manifest, error) {
	var done Manifest
	if err := readJSON(filepath.Join(dir, ManifestFile), &done); err == nil {
		return &done, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	st0, err := readRank(dir, 0)
	if err != nil {
		return nil, err
	}
	world := st0.Settings.WorldSize
	ranks := []*RankState{st0}
	var missing []int
	for r := 1; r < world; r++ {
		st, err := readRank(dir, r)
		if errors.Is(err, os.ErrNotExist) {
			missing = append(missing, r)
			continue
		}
		if err != nil {
			return nil, err
		}
		if err := compareSettings(st.Settings, st0.Settings, filepath.Join(rankDir(dir, r), RankStateFile)); err != nil {
			return nil, err
		}
		ranks = append(ranks, st)
	}
	for _, st := range ranks {
		if !st.Done {
			missing = append(missing, st.Rank)
		}
	}
	if len(missing) > 0 {
		sort.Ints(missing)
		return nil, fmt.Errorf("%w: %d of %d ranks missing or unfinished: %v", ErrIncomplete, len(missing), world, missing)
	}

	m := &Manifest{
		Format:    manifestFormat,
		Tokenizer: TokenizerIdentity{SHA256: st0.Settings.TokenizerSHA256, VocabSize: st0.Settings.VocabSize},
		Settings:  st0.Settings,
		Splits:    map[string]*SplitManifest{},
	}
	h := newChecksum()
	for _, st := range ranks {
		m.Corpus.Skipped += st.Skipped
		for _, in := range st.Inputs {
			m.Corpus.Inputs = append(m.Corpus.Inputs, in)
			m.Corpus.Documents += in.Documents
			m.Corpus.Bytes += in.Bytes
			fmt.Fprintf(h, "%s\n", in.XXH3)
		}
	}
	m.Corpus.XXH3 = h.hex()

	splits := []string{SplitTrain}
	if st0.Settings.ValFraction > 0 {
		splits = append(splits, SplitValidation)
	}
	for _, split := range splits {
		sm := &SplitManifest{}
		type move struct{ from, to string }
		var moves []move
		for _, st := range ranks {
			if sp := st.Splits[split]; sp != nil {
				for _, sh := range sp.Shards {
					moves = append(moves, move{from: filepath.Join(rankDir(dir, st.Rank), sh.File)})
					sm.Shards = append(sm.Shards, sh)
				}
			}
		}
		splitDir := filepath.Join(dir, split)
		if err := os.MkdirAll(splitDir, 0o755); err != nil {
			return nil, err
		}
		n := len(moves)
		if n == 0 {
			// datasets needs at least one file: an empty stream.
			info, err := writeEmptyShard(filepath.Join(splitDir, hfShardName(0, 1)), st0.Settings.Compression)
			if err != nil {
				return nil, err
			}
			sm.Shards = append(sm.Shards, info)
		}
		for i := range moves {
			to := hfShardName(i, n)
			if err := moveOnce(moves[i].from, filepath.Join(splitDir, to)); err != nil {
				return nil, err
			}
			sm.Shards[i].File = to
		}
		for _, sh := range sm.Shards {
			sm.Documents += sh.Documents
			sm.Tokens += sh.Tokens
			sm.Bytes += sh.Bytes
		}
		fp := sha256.Sum256([]byte(m.Corpus.XXH3 + m.Tokenizer.SHA256 + split))
		if err := writeHFSplit(splitDir, split, sm, hex.EncodeToString(fp[:8])); err != nil {
			return nil, err
		}
		m.Splits[split] = sm
	}
	if err := writeJSON(filepath.Join(dir, "dataset_dict.json"), map[string]any{"splits": splits}); err != nil {
		return nil, err
	}
	if err := writeJSON(filepath.Join(dir, ManifestFile), m); err != nil {
		return nil, err
	}
	return m, nil
}

func readRank(dir string, r int) (*RankState, error) {
	var st RankState
	path := filepath.Join(rankDir(dir, r), RankStateFile)
	if err := readJSON(path, &st); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%w: %s: %w", ErrIncomplete, path, err)
		}
		return nil, err
	}
	if st.Format != rankStateFormat || st.Rank != r {
		return nil, fmt.Errorf("pipeline: %s: not the state of rank %d", path, r)
	}
	return &st, nil
}

func hfShardName(i, n int) string { return fmt.Sprintf("data-%05d-of-%05d.arrow", i, n) }

// moveOnce renames from to to; when from is gone and to exists, an earlier
// Finalize already moved it.
func moveOnce(from, to string) error {
	err := os.Rename(from, to)
	if err == nil || !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if _, serr := os.Stat(to); serr == nil {
		return nil
	}
	return err
}

func writeEmptyShard(path, compression string) (ShardInfo, error) {
	c, _ := ParseCompression(compression)
	h := newChecksum()
	var n int64
	err := atomicfile.Write(path, func(w io.Writer) error {
		return arrowio.NewBatchWriter(countWriter{io.MultiWriter(w, h), &n}, c == CompressionZstd, 1, 1).Close()
	})
	if err != nil {
		return ShardInfo{}, err
	}
	return ShardInfo{File: filepath.Base(path), FileBytes: n, XXH3: h.hex(), FirstPos: noPos, LastPos: noPos}, nil
}

// writeHFSplit writes datasets' state.json and dataset_info.json.
func writeHFSplit(dir, split string, sm *SplitManifest, fingerprint string) error {
	files := make([]map[string]string, len(sm.Shards))
	for i, sh := range sm.Shards {
		files[i] = map[string]string{"filename": sh.File}
	}
	state := map[string]any{
		"_data_files":         files,
		"_fingerprint":        fingerprint,
		"_format_columns":     nil,
		"_format_kwargs":      map[string]any{},
		"_format_type":        nil,
		"_output_all_columns": false,
		"_split":              split,
	}
	if err := writeJSON(filepath.Join(dir, "state.json"), state); err != nil {
		return err
	}
	var size int64
	for _, sh := range sm.Shards {
		size += sh.FileBytes
	}
	info := map[string]any{
		"builder_name": "tok",
		"citation":     "",
		"description":  "token ids written by tok encode",
		"features":     json.RawMessage(arrowio.FeaturesJSON),
		"homepage":     "",
		"license":      "",
		"dataset_size": size,
		"splits": map[string]any{split: map[string]any{
			"name": split, "num_bytes": size, "num_examples": sm.Documents, "dataset_name": "tok",
		}},
	}
	return writeJSON(filepath.Join(dir, "dataset_info.json"), info)
}
