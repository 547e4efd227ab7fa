package pipeline

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"

	"github.com/toklabs/tok"
)

// Compression of shard buffers.
type Compression int

const (
	CompressionNone Compression = iota
	CompressionZstd
)

func (c Compression) String() string {
	if c == CompressionZstd {
		return "zstd"
	}
	return "none"
}

// ParseCompression parses "none" (or "") and "zstd".
func ParseCompression(s string) (Compression, error) {
	switch strings.ToLower(s) {
	case "", "none", "uncompressed":
		return CompressionNone, nil
	case "zstd":
		return CompressionZstd, nil
	}
	return 0, fmt.Errorf("pipeline: unknown compression %q (want none or zstd)", s)
}

// Split names of the dataset.
const (
	SplitTrain      = "train"
	SplitValidation = "validation"
)

// Config controls an encoding run. Start from DefaultConfig.
type Config struct {
	// Tokenizer encodes the documents. Required.
	Tokenizer tok.Tokenizer
	// TokenizerHash identifies the tokenizer (sha256 of its file, see
	// HashFiles). Required: a directory is never mixed across tokenizers.
	TokenizerHash string
	// TokenizerName is informational (usually the path).
	TokenizerName string
	// Out is the dataset directory. Required.
	Out string
	// Workers is the number of encoding goroutines; default GOMAXPROCS.
	// The output does not depend on it.
	Workers int
	// PieceBytes: an uncompressed file of lines, or a Parquet file,
	// larger than this is read as pieces of this many bytes
	// (corpora.Pieces: lines, or row groups, that start in each byte
	// range), which several readers and ranks read at once. Default 256 MiB; -1 never splits. The shards
	// do not depend on it; the manifest's inputs do (they list the pieces).
	PieceBytes int64
	// Readers is how many inputs are read at once (each by one worker at
	// a time, decompressing and parsing); default Workers/4, at most the
	// number of inputs. The output does not depend on it.
	Readers int
	// ShardBytes is the target size of a shard's token data (4 bytes per
	// token); a shard is closed once it reaches it. Default 500 MB, as
	// datasets' save_to_disk.
	ShardBytes int64
	// BatchRows is the most documents per Arrow record batch; default 1000
	// (datasets' default).
	BatchRows int
	// BatchTokens is the most tokens per record batch (a document is never
	// split); default 256Ki (1 MiB of ids).
	// Performance notes: the batch is built in one buffer of this size,
	// and the ids copied into it from the workers' jobs. At 4Mi (16 MiB)
	// tok encode on en-large.jsonl (22 KB documents, so batches were cut
	// by tokens, not rows) took 5% more CPU than at 1Mi, and 1Mi about
	// 2% more than 256Ki (alternating pairs, 2-core VM): a buffer that
	// stays in the core's cache, and less fresh memory to fault in.
	BatchTokens int
	// Compression of shard buffers; default none, which keeps shards
	// memory-mappable.
	Compression Compression
	// ValFraction of documents go to the validation split, chosen by a hash
	// of the document's text; default 0.
	ValFraction float64
	// EOS, when set, is appended to every document's ids.
	EOS *uint32
	// EncodeOptions names encoding choices beyond the tokenizer file that
	// change the ids (for example which special tokens are recognised); it
	// is recorded and must match on resumption. Default "".
	EncodeOptions string
	// Rank and WorldSize select this process's share of the inputs; default
	// 0 of 1.
	Rank, WorldSize int
	// Progress receives progress lines or a bar; nil for none.
	Progress io.Writer
	// ProgressTerminal draws a bar (true) or prints plain lines (false).
	ProgressTerminal bool
}

// DefaultConfig returns the documented defaults.
func DefaultConfig() Config {
	return Config{
		Workers:     runtime.GOMAXPROCS(0),
		ShardBytes:  500 << 20,
		PieceBytes:  256 << 20,
		BatchRows:   1000,
		BatchTokens: 256 << 10,
		WorldSize:   1,
	}
}

// Errors.
var (
	ErrNoTokenizer   = errors.New("pipeline: no tokenizer")
	ErrBadRank       = errors.New("pipeline: rank must be in [0, world size)")
	ErrOtherTokenize = errors.New("pipeline: directory was written by another tokenizer")
	ErrMismatch      = errors.New("pipeline: directory was written with other settings")
	ErrIncomplete    = errors.New("pipeline: not every rank has finished")
)

func (c *Config) validate() error {
	d := DefaultConfig()
	if c.Workers <= 0 {
		c.Workers = d.Workers
	}
	if c.PieceBytes == 0 {
		c.PieceBytes = d.PieceBytes
	}
	if c.ShardBytes <= 0 {
		c.ShardBytes = d.ShardBytes
	}
	if c.BatchRows <= 0 {
		c.BatchRows = d.BatchRows
	}
	if c.BatchTokens <= 0 {
		c.BatchTokens = d.BatchTokens
	}
	if c.WorldSize <= 0 {
		c.WorldSize = 1
	}
	if c.Tokenizer == nil || c.TokenizerHash == "" {
		return ErrNoTokenizer
	}
	if c.Out == "" {
		return errors.New("pipeline: no output directory")
	}
	if c.Rank < 0 || c.Rank >= c.WorldSize {
		return fmt.Errorf("%w: rank %d, world size %d", ErrBadRank, c.Rank, c.WorldSize)
	}
	if c.ValFraction < 0 || c.ValFraction >= 1 {
		return fmt.Errorf("pipeline: validation fraction %v is not in [0, 1)", c.ValFraction)
	}
	return nil
}

// RankFromEnv returns the rank and world size given by a scheduler:
// Slurm job arrays (SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_COUNT, less
// SLURM_ARRAY_TASK_MIN when the array does not start at 0) or Kubernetes
// Indexed Jobs (JOB_COMPLETION_INDEX, with the world size from
// TOK_WORLD_SIZE since the Job's completions are not in the environment).
// ok is false when none is set.
func RankFromEnv() (rank, world int, ok bool, err error) {
	geti := func(k string) (int, bool, error) {
		v := os.Getenv(k)
		if v == "" {
			return 0, false, nil
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			return 0, false, fmt.Errorf("pipeline: %s=%q: %w", k, v, err)
		}
		return n, true, nil
	}
	if id, has, err := geti("SLURM_ARRAY_TASK_ID"); err != nil || has {
		if err != nil {
			return 0, 0, false, err
		}
		count, hasCount, err := geti("SLURM_ARRAY_TASK_COUNT")
		if err != nil {
			return 0, 0, false, err
		}
		if !hasCount {
			return 0, 0, false, errors.New("pipeline: SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not")
		}
		min, _, err := geti("SLURM_ARRAY_TASK_MIN")
		if err != nil {
			return 0, 0, false, err
		}
		return id - min, count, true, nil
	}
	if idx, has, err := geti("JOB_COMPLETION_INDEX"); err != nil || has {
		if err != nil {
			return 0, 0, false, err
		}
		w, hasW, err := geti("TOK_WORLD_SIZE")
		if err != nil {
			return 0, 0, false, err
		}
		if !hasW {
			return 0, 0, false, errors.New("pipeline: JOB_COMPLETION_INDEX is set; set TOK_WORLD_SIZE (or --world-size) to the Job's completions")
		}
		return idx, w, true, nil
	}
	return 0, 1, false, nil
}
