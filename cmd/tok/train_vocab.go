package main

// `tok train-vocab`: the shared part of vocabulary training and the
// registry of training algorithms.
//
// # Adding an algorithm
//
// Each algorithm lives in its own file, cmd/tok/train_vocab_<algo>.go, and
// registers itself from an init function; this file never changes for it:
//
//	func init() {
//		registerTrainAlgo(trainAlgo{
//			Name:  "wordpiece",                 // the value of --algo
//			Usage: "WordPiece (BERT) vocab.txt", // one line for --help
//			Flags: []cli.Flag{ ... },            // algorithm-specific flags
//			Train: trainWordPiece,               // func(c *cli.Context, job *trainJob) error
//		})
//	}
//
// All algorithms' flags are flags of the one train-vocab command. A flag
// name another algorithm already registered is shared (the first
// registration is kept), so give algorithm-only flags names that say whose
// they are, or keep a shared name's meaning the same.
//
// The shared part owns the common flags (--algo, --vocab-size, --out,
// --special-tokens, --min-frequency, --workers, --from-counts, --lines,
// --max-words and the CORPUS arguments) and gives them to Train in a
// *trainJob, with helpers: job.WordCounts counts pre-tokens of the corpus
// (or merges --from-counts files) with package wordcount; job.OpenCorpus
// opens the corpus as a corpora.Reader (and a close function) for
// algorithms that read sentences;
// job.Progressf / job.Bar report progress on stderr (a bar on a terminal,
// plain lines otherwise); job.OutPath and job.Wrote name and record the
// files written, which the summary lists. Train sets job.FinalVocabSize.

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"github.com/urfave/cli/v2"
	"golang.org/x/term"

	"github.com/toklabs/tok/corpora"
	"github.com/toklabs/tok/pipeline"
	"github.com/toklabs/tok/wordcount"
)

// trainAlgo is one training algorithm of `tok train-vocab --algo NAME`.
type trainAlgo struct {
	Name  string
	Usage string
	Flags []cli.Flag
	Train func(c *cli.Context, job *trainJob) error
}

var (
	trainAlgos    = map[string]trainAlgo{}
	trainVocabCmd = &cli.Command{
		Name:      "train-vocab",
		Usage:     "train a tokenizer vocabulary (BPE, and the algorithms listed under --algo) from a corpus or from word counts",
		ArgsUsage: "[CORPUS...]",
		Description: "CORPUS is files, directories, globs or - (plain text, .jsonl, .gz/.zst); with none, the built-in\n" +
			"default corpus is used. Plain text is read line by line, each line keeping its \"\\n\", as\n" +
			"HuggingFace tokenizers' train_from_files does (--lines=false pre-tokenizes whole documents).\n" +
			"--from-counts FILE... trains from counts written by `tok count` (several ranks' files are merged).",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "algo", Value: "bpe", Usage: "training algorithm (see registered: bpe, ...)"},
			&cli.IntFlag{Name: "vocab-size", Value: 30000, Usage: "target vocabulary size, special tokens included"},
			&cli.StringFlag{Name: "out", Aliases: []string{"o"}, Usage: "output `DIR` (created)", Required: true},
			&cli.StringFlag{Name: "special-tokens", Usage: "comma-separated special tokens, given the first ids"},
			&cli.Uint64Flag{Name: "min-frequency", Value: 0, Usage: "stop when the best candidate occurs fewer times"},
			&cli.IntFlag{Name: "workers", Value: 0, Usage: "worker goroutines (0: GOMAXPROCS); results do not depend on it"},
			&cli.StringSliceFlag{Name: "from-counts", Usage: "train from word-count `FILE`s written by `tok count` instead of a corpus"},
			&cli.BoolFlag{Name: "lines", Value: true, Usage: "pre-tokenize each line on its own (with its \"\\n\"), as HuggingFace does"},
			&cli.IntFlag{Name: "max-words", Usage: "prune the word table to bound memory (CHANGES RESULTS; 0: exact)"},
			&cli.StringFlag{Name: "cpuprofile", Hidden: true, Usage: "write a CPU profile to `FILE`"},
			&cli.StringFlag{Name: "memprofile", Hidden: true, Usage: "write a heap profile to `FILE` at the end"},
		},
		Action: trainVocabAction,
	}
)

func init() { register(trainVocabCmd) }

// registerTrainAlgo adds an algorithm; called from init functions.
func registerTrainAlgo(a trainAlgo) {
	if _, dup := trainAlgos[a.Name]; dup {
		panic("train-vocab: algorithm registered twice: " + a.Name)
	}
	trainAlgos[a.Name] = a
	have := map[string]bool{}
	for _, f := range trainVocabCmd.Flags {
		for _, n := range f.Names() {
			have[n] = true
		}
	}
	for _, f := range a.Flags {
		if !have[f.Names()[0]] {
			trainVocabCmd.Flags = append(trainVocabCmd.Flags, f)
		}
	}
	names := make([]string, 0, len(trainAlgos))
	for n := range trainAlgos {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, f := range trainVocabCmd.Flags {
		if sf, ok := f.(*cli.StringFlag); ok && sf.Name == "algo" {
			sf.Usage = "training algorithm: " + strings.Join(names, ", ")
		}
	}
}

// trainJob carries the common settings of a train-vocab run to an
// algorithm, and collects what it wrote for the summary.
type trainJob struct {
	Algo          string
	VocabSize     int
	OutDir        string
	SpecialTokens []string
	MinFrequency  uint64
	Workers       int
	FromCounts    []string
	Corpus        []string // CORPUS arguments; empty means the default corpus
	Lines         bool
	MaxWords      int

	FinalVocabSize int // set by Train
	Stats          []string

	start   time.Time
	written []string
	prog    *progress
}

func trainVocabAction(c *cli.Context) error {
	algo, ok := trainAlgos[c.String("algo")]
	if !ok {
		names := make([]string, 0, len(trainAlgos))
		for n := range trainAlgos {
			names = append(names, n)
		}
		slices.Sort(names)
		return fmt.Errorf("train-vocab: unknown --algo %q (have %s)", c.String("algo"), strings.Join(names, ", "))
	}
	job := &trainJob{
		Algo:         algo.Name,
		VocabSize:    c.Int("vocab-size"),
		OutDir:       c.String("out"),
		MinFrequency: c.Uint64("min-frequency"),
		Workers:      c.Int("workers"),
		FromCounts:   c.StringSlice("from-counts"),
		Corpus:       c.Args().Slice(),
		Lines:        c.Bool("lines"),
		MaxWords:     c.Int("max-words"),
		start:        time.Now(),
		prog:         newProgress(os.Stderr),
	}
	if s := c.String("special-tokens"); s != "" {
		job.SpecialTokens = strings.Split(s, ",")
	}
	if job.VocabSize <= 0 {
		return fmt.Errorf("train-vocab: --vocab-size must be positive")
	}
	if len(job.FromCounts) > 0 && len(job.Corpus) > 0 {
		return fmt.Errorf("train-vocab: give either --from-counts or CORPUS arguments, not both")
	}
	if err := os.MkdirAll(job.OutDir, 0o755); err != nil {
		return err
	}
	// Performance note: with Go's default GOGC=100 the heap may grow to
	// twice the live data before a collection. Training's live data is a
	// few large tables that grow with the merges, so a lower GOGC pays: on
	// 100 MB of English (vocab 30000, 2 cores) peak RSS was 146 MB with
	// GOGC=100, 120-128 MB with 50 and 113-115 MB with 25, for 4.4 s of CPU
	// instead of 3.8 s. A GOGC set by the user wins.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(25)
	}
	stopProfile, err := startCPUProfile(c.String("cpuprofile"))
	if err != nil {
		return err
	}
	defer stopProfile()
	if err := algo.Train(c, job); err != nil {
		return err
	}
	if p := c.String("memprofile"); p != "" {
		f, err := os.Create(p)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
			return err
		}
	}
	job.prog.done()
	fmt.Fprintf(os.Stderr, "train-vocab: %s vocabulary of %d tokens in %s\n", job.Algo, job.FinalVocabSize, time.Since(job.start).Round(time.Millisecond))
	for _, s := range job.Stats {
		fmt.Fprintf(os.Stderr, "  %s\n", s)
	}
	for _, w := range job.written {
		fmt.Fprintf(os.Stderr, "  wrote %s\n", w)
	}
	return nil
}

// OutPath is the path of an output file in the output directory.
func (j *trainJob) OutPath(name string) string { return filepath.Join(j.OutDir, name) }

// Wrote records a written file for the summary.
func (j *trainJob) Wrote(path string) { j.written = append(j.written, path) }

// Progressf prints a progress line (replacing the previous one on a terminal).
func (j *trainJob) Progressf(format string, args ...any) { j.prog.linef(format, args...) }

// Bar shows a progress bar of done out of total (a plain line every few
// seconds when stderr is not a terminal).
func (j *trainJob) Bar(what string, done, total int64, extra string) {
	j.prog.bar(what, done, total, extra)
}

// WordCounts returns the word counts to train from: the merged
// --from-counts files, or the corpus counted with sp, whose name (for the
// counts' metadata) is preName.
func (j *trainJob) WordCounts(sp wordcount.Splitter, preName string) (*wordcount.Counts, error) {
	if len(j.FromCounts) > 0 {
		t0 := time.Now()
		c, err := wordcount.ReadFiles(j.FromCounts...)
		if err != nil {
			return nil, err
		}
		if c.Meta.PreTokenizer != preName {
			fmt.Fprintf(os.Stderr, "train-vocab: note: counts were made with pre-tokenizer %q, training with %q\n", c.Meta.PreTokenizer, preName)
		}
		j.Stats = append(j.Stats, fmt.Sprintf("read %d counts files: %d distinct words, %d words, in %s", len(j.FromCounts), len(c.Words), c.Total(), time.Since(t0).Round(time.Millisecond)))
		return c, nil
	}
	return countCorpus(j.Corpus, sp, preName, j.Lines, j.MaxWords, j.Workers, 0, 1, j.prog, &j.Stats)
}

// countCorpus counts the words of a corpus, or of this rank's share of it
// (shared by train-vocab and count).
func countCorpus(specs []string, sp wordcount.Splitter, preName string, lines bool, maxWords, workers, rank, world int, prog *progress, stats *[]string) (*wordcount.Counts, error) {
	corp, err := resolveCorpus(specs)
	if err != nil {
		return nil, err
	}
	docRank, docWorld, how, err := corp.shard(rank, world)
	if err != nil {
		return nil, err
	}
	r := corp.open()
	defer r.Close()
	cfg := wordcount.DefaultConfig()
	if workers > 0 {
		cfg.Workers = workers
	}
	cfg.Lines, cfg.MaxWords, cfg.Rank, cfg.WorldSize = lines, maxWords, docRank, docWorld
	cfg.Progress = func(p wordcount.Progress) {
		prog.linef("counting words: %.1f MB, %.2f MB/s, %d words, %d distinct", float64(p.Bytes)/1e6, p.MBps(), p.Words, p.Distinct)
	}
	c, err := wordcount.Count(r, sp, cfg)
	if err != nil {
		return nil, err
	}
	prog.done()
	c.Meta = wordcount.Meta{PreTokenizer: preName, Lines: lines, MaxWords: maxWords, Rank: rank, WorldSize: world}
	if world > 1 {
		*stats = append(*stats, fmt.Sprintf("rank %d of %d, sharded by %s", rank, world, how))
	}
	*stats = append(*stats, fmt.Sprintf("counted %d documents, %.1f MB, %d words, %d distinct", c.Docs, float64(c.Bytes)/1e6, c.Tokens, len(c.Words)))
	return c, nil
}

// OpenCorpus opens the CORPUS arguments (or the default corpus) as one
// reader; plain-text files yield one document per line with its "\n".
// Call the returned function when done.
func (j *trainJob) OpenCorpus() (corpora.Reader, func() error, error) {
	corp, err := resolveCorpus(j.Corpus)
	if err != nil {
		return nil, nil, err
	}
	r := corp.open()
	return r, r.Close, nil
}

// corpus is a resolved list of CORPUS arguments.
type corpus struct {
	inputs  []corpora.Input
	builtin bool // the built-in default corpus, read as package corpora defines it
}

// resolveCorpus expands specs (files, directories, globs, "-"); none: the
// built-in default corpus.
func resolveCorpus(specs []string) (*corpus, error) {
	if len(specs) == 0 {
		inputs, err := corpora.DefaultInputs()
		if err != nil {
			return nil, fmt.Errorf("default corpus: %w", err)
		}
		return &corpus{inputs: inputs, builtin: true}, nil
	}
	inputs, err := corpora.Expand(specs, corpora.DefaultOptions())
	if err != nil {
		return nil, err
	}
	return &corpus{inputs: inputs}, nil
}

// shard restricts the corpus to the share of rank among world processes
// and returns the document-level sharding still to apply. Uncompressed
// files of lines (plain text, JSON Lines) are cut into about 4×world pieces
// at line starts, Parquet files at row groups (corpora.Pieces); with at
// least world inputs and pieces, each rank reads a contiguous share of them
// by size (pipeline.Partition); otherwise (a few compressed files, a
// Parquet file of one row group, stdin) every rank reads
// everything and counts documents k with k % world == rank. The ranks'
// counts merge to the whole corpus's counts in every case.
// minCountPiece is the least piece a rank's share is cut into (a variable
// for tests).
var minCountPiece int64 = 64 << 10

func (c *corpus) shard(rank, world int) (docRank, docWorld int, how string, err error) {
	if world <= 1 {
		return rank, world, "", nil
	}
	if rank < 0 || rank >= world {
		return 0, 0, "", fmt.Errorf("%w: rank %d, world size %d", wordcount.ErrBadShard, rank, world)
	}
	inputs := c.inputs
	var total int64
	for _, in := range inputs {
		if in.Path == corpora.Stdin {
			return rank, world, "documents", nil
		}
		total += max(in.Size, 0)
	}
	if !c.builtin {
		if inputs, err = corpora.Pieces(inputs, max(minCountPiece, total/int64(4*world)), corpora.DefaultOptions()); err != nil {
			return 0, 0, "", err
		}
	}
	if len(inputs) < world {
		return rank, world, "documents", nil
	}
	if c.inputs, err = pipeline.Partition(inputs, rank, world); err != nil {
		return 0, 0, "", err
	}
	how = "files"
	for _, in := range inputs {
		if in.End > 0 {
			how = "files and pieces of files"
			break
		}
	}
	return 0, 1, how, nil
}

func (c *corpus) open() *corpusReader { return &corpusReader{c: *c} }

// corpusReader reads a corpus file after file: plain text line by line
// keeping line endings (wordcount.LineReader, as HuggingFace reads
// training files), JSON Lines and Parquet through package corpora, and the
// built-in corpus as package corpora defines it.
type corpusReader struct {
	c       corpus
	cur     corpora.Reader
	closers []func() error
}

func (m *corpusReader) Read() (corpora.Document, error) {
	for {
		if m.cur == nil {
			if len(m.c.inputs) == 0 {
				return corpora.Document{}, io.EOF
			}
			in := m.c.inputs[0]
			m.c.inputs = m.c.inputs[1:]
			if err := m.openInput(in); err != nil {
				return corpora.Document{}, err
			}
		}
		d, err := m.cur.Read()
		if err == io.EOF {
			m.closeCurrent()
			continue
		}
		return d, err
	}
}

func (m *corpusReader) closeCurrent() error {
	var first error
	for i := len(m.closers) - 1; i >= 0; i-- {
		if err := m.closers[i](); err != nil && first == nil {
			first = err
		}
	}
	m.closers, m.cur = m.closers[:0], nil
	return first
}

// Close releases the open file, if any.
func (m *corpusReader) Close() error { return m.closeCurrent() }

func isStructured(path string) bool {
	p := strings.TrimSuffix(strings.TrimSuffix(strings.ToLower(path), ".gz"), ".zst")
	return strings.HasSuffix(p, ".jsonl") || strings.HasSuffix(p, ".ndjson") || strings.HasSuffix(p, ".parquet")
}

func (m *corpusReader) openInput(in corpora.Input) error {
	if m.c.builtin || isStructured(in.Path) {
		c := corpora.OpenInputs([]corpora.Input{in}, corpora.DefaultOptions())
		m.cur, m.closers = c, append(m.closers, c.Close)
		return nil
	}
	if in.Path == corpora.Stdin {
		return m.openStream(in.Path, os.Stdin)
	}
	f, err := os.Open(in.Path)
	if err != nil {
		return err
	}
	m.closers = append(m.closers, f.Close)
	if in.End > 0 {
		lr, err := wordcount.NewLineRangeReader(in.Path, f, in.Start, in.End)
		if err != nil {
			return fmt.Errorf("%s: %w", in.Path, err)
		}
		m.cur = lr
		return nil
	}
	return m.openStream(in.Path, f)
}

// openStream reads a plain-text stream, decompressing zstd and gzip
// (recognised by their magic numbers).
func (m *corpusReader) openStream(name string, f io.Reader) error {
	br := bufio.NewReaderSize(f, 1<<20)
	head, _ := br.Peek(4)
	var r io.Reader = br
	switch corpora.DetectCompression(head) {
	case corpora.Zstd:
		zr, err := zstd.NewReader(br, zstd.WithDecoderConcurrency(1))
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		m.closers = append(m.closers, func() error { zr.Close(); return nil })
		r = zr
	case corpora.Gzip:
		zr, err := gzip.NewReader(br)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		m.closers = append(m.closers, zr.Close)
		r = zr
	}
	m.cur = wordcount.NewLineReader(name, r)
	return nil
}

// progress prints progress on stderr: one rewritten line on a terminal,
// plain lines at most every 2 seconds otherwise.
type progress struct {
	mu    sync.Mutex
	w     io.Writer
	tty   bool
	last  time.Time
	dirty bool
}

func newProgress(f *os.File) *progress {
	return &progress{w: f, tty: term.IsTerminal(int(f.Fd()))}
}

func (p *progress) linef(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	if p.tty {
		if now.Sub(p.last) < 100*time.Millisecond {
			return
		}
		p.last = now
		fmt.Fprintf(p.w, "\r\033[K"+format, args...)
		p.dirty = true
		return
	}
	if now.Sub(p.last) < 2*time.Second {
		return
	}
	p.last = now
	fmt.Fprintf(p.w, format+"\n", args...)
}

func (p *progress) bar(what string, done, total int64, extra string) {
	if !p.tty {
		p.linef("%s: %d/%d %s", what, done, total, extra)
		return
	}
	const width = 30
	n := 0
	if total > 0 {
		n = int(min(done, total) * width / total)
	}
	p.linef("%s [%s%s] %d/%d %s", what, strings.Repeat("#", n), strings.Repeat(".", width-n), done, total, extra)
}

// done ends a progress line.
func (p *progress) done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tty && p.dirty {
		fmt.Fprintln(p.w)
	}
	p.dirty = false
	p.last = time.Time{}
}
