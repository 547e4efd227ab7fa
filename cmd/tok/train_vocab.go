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
// opens the corpus as a corpora.Reader for algorithms that read sentences;
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
	// twice the live data before a collection; training's live data is a
	// few large tables, so GOGC=50 cut peak RSS on 100 MB of English from
	// 146 MB to 120 MB for about 10% more CPU. A GOGC set by the user wins.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(50)
	}
	if p := c.String("cpuprofile"); p != "" {
		f, err := os.Create(p)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
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

// countCorpus counts the words of a corpus (shared by train-vocab and count).
func countCorpus(specs []string, sp wordcount.Splitter, preName string, lines bool, maxWords, workers, rank, world int, prog *progress, stats *[]string) (*wordcount.Counts, error) {
	r, closeFn, err := openCorpus(specs)
	if err != nil {
		return nil, err
	}
	defer closeFn()
	cfg := wordcount.DefaultConfig()
	if workers > 0 {
		cfg.Workers = workers
	}
	cfg.Lines, cfg.MaxWords, cfg.Rank, cfg.WorldSize = lines, maxWords, rank, world
	cfg.Progress = func(p wordcount.Progress) {
		prog.linef("counting words: %.1f MB, %.2f MB/s, %d words, %d distinct", float64(p.Bytes)/1e6, p.MBps(), p.Words, p.Distinct)
	}
	c, err := wordcount.Count(r, sp, cfg)
	if err != nil {
		return nil, err
	}
	prog.done()
	c.Meta = wordcount.Meta{PreTokenizer: preName, Lines: lines, MaxWords: maxWords, Rank: rank, WorldSize: world}
	*stats = append(*stats, fmt.Sprintf("counted %d documents, %.1f MB, %d words, %d distinct", c.Docs, float64(c.Bytes)/1e6, c.Tokens, len(c.Words)))
	return c, nil
}

// OpenCorpus opens the CORPUS arguments (or the default corpus) as one
// reader; plain-text files yield one document per line with its "\n".
func (j *trainJob) OpenCorpus() (corpora.Reader, func() error, error) {
	return openCorpus(j.Corpus)
}

// openCorpus reads plain-text files line by line, keeping line endings
// (wordcount.LineReader, as HuggingFace reads training files), and JSON
// Lines or Parquet files through package corpora. No specs: the built-in
// default corpus.
func openCorpus(specs []string) (corpora.Reader, func() error, error) {
	if len(specs) == 0 {
		c, err := corpora.Default()
		if err != nil {
			return nil, nil, fmt.Errorf("default corpus: %w", err)
		}
		return c, c.Close, nil
	}
	opts := corpora.DefaultOptions()
	inputs, err := corpora.Expand(specs, opts)
	if err != nil {
		return nil, nil, err
	}
	return &multiReader{inputs: inputs, opts: opts}, func() error { return nil }, nil
}

// multiReader chains inputs, choosing a reader per file.
type multiReader struct {
	inputs []corpora.Input
	opts   corpora.Options
	cur    corpora.Reader
	closer func() error
}

func (m *multiReader) Read() (corpora.Document, error) {
	for {
		if m.cur == nil {
			if len(m.inputs) == 0 {
				return corpora.Document{}, io.EOF
			}
			in := m.inputs[0]
			m.inputs = m.inputs[1:]
			r, closer, err := openInput(in, m.opts)
			if err != nil {
				return corpora.Document{}, err
			}
			m.cur, m.closer = r, closer
		}
		d, err := m.cur.Read()
		if err == io.EOF {
			m.closer()
			m.cur = nil
			continue
		}
		return d, err
	}
}

func isStructured(path string) bool {
	p := strings.TrimSuffix(strings.TrimSuffix(strings.ToLower(path), ".gz"), ".zst")
	return strings.HasSuffix(p, ".jsonl") || strings.HasSuffix(p, ".ndjson") || strings.HasSuffix(p, ".parquet")
}

func openInput(in corpora.Input, opts corpora.Options) (corpora.Reader, func() error, error) {
	if isStructured(in.Path) {
		c := corpora.OpenInputs([]corpora.Input{in}, opts)
		return c, c.Close, nil
	}
	var f io.ReadCloser = os.Stdin
	if in.Path != corpora.Stdin {
		var err error
		if f, err = os.Open(in.Path); err != nil {
			return nil, nil, err
		}
	}
	r, err := decompress(f)
	if err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("%s: %w", in.Path, err)
	}
	return wordcount.NewLineReader(in.Path, r), f.Close, nil
}

// decompress recognises zstd and gzip streams by their magic numbers.
func decompress(f io.Reader) (io.Reader, error) {
	br := bufio.NewReaderSize(f, 1<<20)
	head, _ := br.Peek(4)
	switch {
	case len(head) >= 4 && head[0] == 0x28 && head[1] == 0xB5 && head[2] == 0x2F && head[3] == 0xFD:
		return zstd.NewReader(br, zstd.WithDecoderConcurrency(1))
	case len(head) >= 2 && head[0] == 0x1F && head[1] == 0x8B:
		return gzip.NewReader(br)
	}
	return br, nil
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
