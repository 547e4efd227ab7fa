package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"

	"github.com/urfave/cli/v2"
	"golang.org/x/term"

	"github.com/toklabs/tok"
	"github.com/toklabs/tok/corpora"
	"github.com/toklabs/tok/pipeline"
)

// encodeShardFlags are the flags of `tok encode --out DIR` (shard mode).
var encodeShardFlags = func() []cli.Flag {
	d := pipeline.DefaultConfig()
	co := corpora.DefaultOptions()
	cat := "Shards (--out)"
	return []cli.Flag{
		&cli.StringFlag{Category: cat, Name: "out", Usage: "write Arrow IPC shards (datasets save_to_disk layout) to `DIR`; with no FILE the built-in default corpus is encoded"},
		&cli.IntFlag{Category: cat, Name: "workers", Value: 0, Usage: "goroutines that read and encode (0: all cores); the shards do not depend on it"},
		&cli.IntFlag{Category: cat, Name: "readers", Value: 0, Usage: "inputs read (decompressed, parsed) at once, each by one worker at a time (0: workers/4); the shards do not depend on it"},
		&cli.StringFlag{Category: cat, Name: "shard-size", Value: "500MB", Usage: "target token data per shard (4 bytes a token), e.g. 500MB, 64MiB"},
		&cli.StringFlag{Category: cat, Name: "piece-size", Value: "256MiB", Usage: "read an uncompressed file of lines (JSONL, text a line per document) or a Parquet file larger than this as pieces of this size (lines or row groups starting in each), which readers and ranks share; \"none\" never splits. The shards do not depend on it"},
		&cli.Float64Flag{Category: cat, Name: "val-fraction", Usage: "fraction of documents (by a hash of their text) in the validation split"},
		&cli.StringFlag{Category: cat, Name: "compression", Value: "none", Usage: "shard buffer compression: none (memory-mappable) or zstd"},
		&cli.StringFlag{Category: cat, Name: "eos", Usage: "append this special `TOKEN` (or numeric id) after every document"},
		&cli.IntFlag{Category: cat, Name: "rank", Usage: "this process's rank (default: $SLURM_ARRAY_TASK_ID or $JOB_COMPLETION_INDEX, else 0)"},
		&cli.IntFlag{Category: cat, Name: "world-size", Usage: "number of ranks (default: $SLURM_ARRAY_TASK_COUNT or $TOK_WORLD_SIZE, else 1); with more than one, run tok finalize after all"},
		&cli.StringFlag{Category: cat, Name: "split", Value: co.Split.String(), Usage: "plain-text documents: line, paragraph or file"},
		&cli.StringFlag{Category: cat, Name: "corpus-format", Value: "auto", Usage: "input format: auto (by name), text, jsonl or parquet"},
		&cli.StringFlag{Category: cat, Name: "text-field", Value: co.TextField, Usage: "JSON Lines field or Parquet column with the text"},
		&cli.BoolFlag{Category: cat, Name: "skip-bad", Usage: "skip bad records (counted in the manifest) instead of stopping"},
		&cli.BoolFlag{Category: cat, Name: "allow-invalid-utf8", Usage: "pass text that is not valid UTF-8 to the tokenizer (byte-level tokenizers) instead of treating it as a bad record"},
		&cli.StringFlag{Category: cat, Name: "max-doc-size", Value: strconv.Itoa(co.MaxDocBytes), Usage: "longest document, in bytes (e.g. 64MiB); without --out and --per-line, the longest file (one document)"},
		&cli.StringFlag{Category: cat, Name: "export", Usage: "also write flat token files after finalizing: comma-separated nanogpt, llmc, megatron"},
		&cli.IntFlag{Category: cat, Name: "batch-rows", Value: d.BatchRows, Usage: "documents per Arrow record batch"},
		&cli.StringFlag{Category: cat, Name: "cpuprofile", Hidden: true, Usage: "write a Go CPU profile of the run to `FILE` (go tool pprof)"},
		&cli.StringFlag{Category: cat, Name: "trace", Hidden: true, Usage: "write a Go execution trace of the run to `FILE` (go tool trace, scripts/schedtrace)"},
	}
}()

// encodeShards is `tok encode --out DIR`: corpora → package pipeline.
func encodeShards(c *cli.Context) error {
	cfg, inputs, copts, err := shardConfig(c)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	stopProfile, err := startCPUProfile(c.String("cpuprofile"))
	if err != nil {
		return err
	}
	defer stopProfile()
	stopTrace, err := startTrace(c.String("trace"))
	if err != nil {
		return err
	}
	defer stopTrace()
	st, err := pipeline.Encode(ctx, cfg, inputs, copts)
	if err != nil {
		return fmt.Errorf("encode: %w", err)
	}
	if cfg.WorldSize > 1 {
		fmt.Fprintf(c.App.ErrWriter, "encode: rank %d of %d done (%d documents, %d skipped); run `tok finalize %s` when every rank has finished\n",
			cfg.Rank, cfg.WorldSize, st.Documents, st.Skipped, cfg.Out)
		return nil
	}
	m, err := pipeline.Finalize(cfg.Out)
	if err != nil {
		return fmt.Errorf("encode: %w", err)
	}
	if err := exportFlat(c, cfg.Out, c.String("export")); err != nil {
		return err
	}
	printManifestSummary(c.App.Writer, cfg.Out, m)
	return nil
}

func shardConfig(c *cli.Context) (pipeline.Config, []corpora.Input, corpora.Options, error) {
	cfg := pipeline.DefaultConfig()
	copts := corpora.DefaultOptions()
	spec := c.String("tokenizer")
	t, err := openTokenizer(spec)
	if err != nil {
		return cfg, nil, copts, err
	}
	enc, err := encoderFor(t, c.String("special"))
	if err != nil {
		return cfg, nil, copts, err
	}
	cfg.Tokenizer = encodingTokenizer{t, enc}
	if special := c.String("special"); special != "default" && special != "" {
		cfg.EncodeOptions = "special=" + special
	}
	if spec == "bytes" {
		cfg.TokenizerHash = "rawbytes"
	} else if cfg.TokenizerHash, err = pipeline.HashFiles(spec); err != nil {
		return cfg, nil, copts, err
	}
	cfg.TokenizerName = spec
	cfg.Out = c.String("out")
	if w := c.Int("workers"); w > 0 {
		cfg.Workers = w
	}
	cfg.Readers = c.Int("readers")
	if ps := c.String("piece-size"); strings.EqualFold(ps, "none") {
		cfg.PieceBytes = -1
	} else if cfg.PieceBytes, err = parseSize(ps); err != nil {
		return cfg, nil, copts, fmt.Errorf("encode: --piece-size: %w", err)
	}
	if cfg.ShardBytes, err = parseSize(c.String("shard-size")); err != nil {
		return cfg, nil, copts, fmt.Errorf("encode: --shard-size: %w", err)
	}
	cfg.BatchRows = c.Int("batch-rows")
	cfg.ValFraction = c.Float64("val-fraction")
	if cfg.Compression, err = pipeline.ParseCompression(c.String("compression")); err != nil {
		return cfg, nil, copts, err
	}
	if e := c.String("eos"); e != "" {
		id, ok := t.TokenToID(e)
		if !ok {
			n, perr := strconv.ParseUint(e, 10, 32)
			if perr != nil {
				return cfg, nil, copts, fmt.Errorf("encode: --eos %q is neither a token of this tokenizer nor an id", e)
			}
			id = uint32(n)
		}
		cfg.EOS = &id
	}
	rank, world, fromEnv, err := pipeline.RankFromEnv()
	if err != nil {
		return cfg, nil, copts, err
	}
	if c.IsSet("rank") {
		rank = c.Int("rank")
	}
	if c.IsSet("world-size") {
		world = c.Int("world-size")
	} else if !fromEnv && c.IsSet("rank") {
		return cfg, nil, copts, fmt.Errorf("encode: --rank needs --world-size")
	}
	cfg.Rank, cfg.WorldSize = rank, world
	cfg.Progress = c.App.ErrWriter
	cfg.ProgressTerminal = term.IsTerminal(int(os.Stderr.Fd()))
	if c.IsSet("progress") && !c.Bool("progress") {
		cfg.Progress = nil
	}

	if copts.Split, err = corpora.ParseSplit(c.String("split")); err != nil {
		return cfg, nil, copts, err
	}
	if copts.Format, err = corpora.ParseFormat(c.String("corpus-format")); err != nil {
		return cfg, nil, copts, err
	}
	copts.TextField = c.String("text-field")
	copts.SkipBad = c.Bool("skip-bad")
	copts.AllowInvalidUTF8 = c.Bool("allow-invalid-utf8")
	maxDoc, err := parseSize(c.String("max-doc-size"))
	if err != nil {
		return cfg, nil, copts, fmt.Errorf("encode: --max-doc-size: %w", err)
	}
	copts.MaxDocBytes = int(maxDoc)

	var inputs []corpora.Input
	if c.NArg() == 0 {
		inputs, err = corpora.DefaultInputs()
	} else {
		inputs, err = corpora.Expand(c.Args().Slice(), copts)
	}
	if err != nil {
		return cfg, nil, copts, err
	}
	return cfg, inputs, copts, nil
}

// encodingTokenizer is a Tokenizer whose AppendEncode applies --special.
type encodingTokenizer struct {
	tok.Tokenizer
	enc encodeFunc
}

func (e encodingTokenizer) AppendEncode(dst []uint32, text []byte) []uint32 { return e.enc(dst, text) }

// parseSize parses a byte count with an optional unit: B, KB, MB, GB, TB
// (powers of 1000) or KiB, MiB, GiB, TiB (powers of 1024).
func parseSize(s string) (int64, error) {
	t := strings.TrimSpace(strings.ToUpper(s))
	units := []struct {
		suffix string
		mult   int64
	}{{"KIB", 1 << 10}, {"MIB", 1 << 20}, {"GIB", 1 << 30}, {"TIB", 1 << 40},
		{"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"TB", 1e12}, {"K", 1 << 10}, {"M", 1 << 20}, {"G", 1 << 30}, {"B", 1}}
	mult := int64(1)
	for _, u := range units {
		if strings.HasSuffix(t, u.suffix) {
			t, mult = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.mult
			break
		}
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil || f <= 0 {
		return 0, fmt.Errorf("bad size %q", s)
	}
	return int64(f * float64(mult)), nil
}
