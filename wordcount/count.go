package wordcount

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"
	"time"

	"github.com/toklabs/tok"
	"github.com/toklabs/tok/corpora"
)

// Splitter cuts a text into pre-tokens. pretokenize.Matcher satisfies it.
// A Splitter passed to [Count] must be safe for concurrent use.
type Splitter interface {
	AppendMatches(dst []tok.Span, text []byte) []tok.Span
}

// SplitterFunc adapts a function to [Splitter].
type SplitterFunc func(dst []tok.Span, text []byte) []tok.Span

// AppendMatches calls f.
func (f SplitterFunc) AppendMatches(dst []tok.Span, text []byte) []tok.Span { return f(dst, text) }

// Config controls [Count]. Start from [DefaultConfig].
type Config struct {
	// Workers is the number of goroutines that pre-tokenize; default
	// GOMAXPROCS. The result does not depend on it.
	Workers int

	// Lines pre-tokenizes every line of a document on its own, the line
	// keeping its "\n" (a last line without one stays without), as
	// HuggingFace tokenizers' train_from_files does. Default false: a
	// document is pre-tokenized whole.
	Lines bool

	// MaxWords, when positive, bounds the number of distinct words held:
	// whenever the running table exceeds it after merging a batch, the
	// words with the smallest counts (ties: the greatest bytes) are dropped
	// until MaxWords/2 remain. This bounds memory on huge corpora but
	// CHANGES THE RESULT: dropped words lose the counts they had so far.
	// Default 0 (exact counts, memory grows with the distinct words).
	MaxWords int

	// BatchBytes is the amount of text handed to a worker at once; batches
	// are cut at the first document boundary after BatchBytes. Default
	// 1 MiB. It changes the result only when MaxWords prunes.
	BatchBytes int

	// Rank and WorldSize select this process's share of the corpus:
	// document k of the stream (0-based, in reader order) is counted when
	// k % WorldSize == Rank. Default 0 and 1 (everything). The counts of
	// all ranks merged with [Merge] equal the counts of one process.
	Rank, WorldSize int

	// Progress, if not nil, is called from the merging goroutine after
	// each batch, and once at the end with Done set.
	Progress func(Progress)
}

// Progress is a snapshot of a running [Count].
type Progress struct {
	Docs     int64         // documents counted (this rank's share)
	Bytes    int64         // bytes of text counted
	Words    uint64        // pre-tokens counted
	Distinct int           // distinct words held now
	Elapsed  time.Duration // since Count started
	Done     bool
}

// MBps is the counting throughput in MB/s (10^6 bytes).
func (p Progress) MBps() float64 {
	s := p.Elapsed.Seconds()
	if s <= 0 {
		return 0
	}
	return float64(p.Bytes) / 1e6 / s
}

// DefaultConfig returns the documented defaults.
func DefaultConfig() Config {
	return Config{Workers: runtime.GOMAXPROCS(0), BatchBytes: 1 << 20, WorldSize: 1}
}

var (
	// ErrBadShard is returned for a Rank outside [0, WorldSize).
	ErrBadShard = errors.New("wordcount: rank must be in [0, world size)")
	// ErrOverflow is returned when a count would exceed 2^64-1.
	ErrOverflow = errors.New("wordcount: count overflows 64 bits")
)

func (c *Config) fill() error {
	if c.Workers <= 0 {
		c.Workers = runtime.GOMAXPROCS(0)
	}
	if c.BatchBytes <= 0 {
		c.BatchBytes = 1 << 20
	}
	if c.WorldSize <= 0 {
		c.WorldSize = 1
	}
	if c.Rank < 0 || c.Rank >= c.WorldSize {
		return fmt.Errorf("%w: rank %d, world size %d", ErrBadShard, c.Rank, c.WorldSize)
	}
	return nil
}

// batch is a run of documents' text, cut at document boundaries.
type batch struct {
	seq  int
	text []byte
	ends []int // end offset of each document in text
}

type batchResult struct {
	seq   int
	words *tally
	n     uint64 // pre-tokens
	bytes int64
	docs  int64
}

// Count reads every document of r (this rank's share), splits it into
// words with sp and returns the distinct words with their counts.
func Count(r corpora.Reader, sp Splitter, cfg Config) (*Counts, error) {
	if err := cfg.fill(); err != nil {
		return nil, err
	}
	start := time.Now()
	batches := make(chan *batch, cfg.Workers)
	results := make(chan batchResult, cfg.Workers)
	var wg sync.WaitGroup
	for w := 0; w < cfg.Workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var spans []tok.Span
			for b := range batches {
				res := batchResult{seq: b.seq, docs: int64(len(b.ends)), bytes: int64(len(b.text))}
				t := newTally()
				prev := 0
				for _, end := range b.ends {
					doc := b.text[prev:end]
					spans = splitDoc(spans[:0], sp, doc, cfg.Lines)
					for _, s := range spans {
						t.add(doc[s.Start:s.End])
					}
					res.n += uint64(len(spans))
					prev = end
				}
				res.words = t
				results <- res
			}
		}()
	}

	// Merger: folds batch results into the table in sequence order.
	table := make(map[string]uint64)
	var total Progress
	mergeErr := make(chan error, 1)
	go func() {
		pending := make(map[int]batchResult)
		next := 0
		var err error
		for res := range results {
			pending[res.seq] = res
			for {
				r, ok := pending[next]
				if !ok {
					break
				}
				delete(pending, next)
				next++
				if err == nil {
					err = addTable(table, r.words)
				}
				if cfg.MaxWords > 0 && len(table) > cfg.MaxWords {
					prune(table, cfg.MaxWords/2)
				}
				total.Docs += r.docs
				total.Bytes += r.bytes
				total.Words += r.n
				if cfg.Progress != nil {
					p := total
					p.Distinct = len(table)
					p.Elapsed = time.Since(start)
					cfg.Progress(p)
				}
			}
		}
		mergeErr <- err
	}()

	// Reader: cuts the stream into batches.
	readErr := func() error {
		defer func() {
			close(batches)
			wg.Wait()
			close(results)
		}()
		b := &batch{}
		seq := 0
		for k := int64(0); ; k++ {
			doc, err := r.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				return err
			}
			if k%int64(cfg.WorldSize) != int64(cfg.Rank) {
				continue
			}
			b.text = append(b.text, doc.Text...)
			b.ends = append(b.ends, len(b.text))
			if len(b.text) >= cfg.BatchBytes {
				b.seq = seq
				seq++
				batches <- b
				b = &batch{text: make([]byte, 0, cfg.BatchBytes+cfg.BatchBytes/4)}
			}
		}
		if len(b.ends) > 0 {
			b.seq = seq
			batches <- b
		}
		return nil
	}()
	err := <-mergeErr
	if readErr != nil {
		return nil, readErr
	}
	if err != nil {
		return nil, err
	}
	c := FromMap(table)
	c.Docs, c.Bytes, c.Tokens = total.Docs, total.Bytes, total.Words
	if cfg.Progress != nil {
		p := total
		p.Distinct = len(table)
		p.Elapsed = time.Since(start)
		p.Done = true
		cfg.Progress(p)
	}
	return c, nil
}

// splitDoc appends the pre-token spans of doc, line by line when lines is set.
func splitDoc(dst []tok.Span, sp Splitter, doc []byte, lines bool) []tok.Span {
	if !lines {
		return sp.AppendMatches(dst, doc)
	}
	start := 0
	for start < len(doc) {
		end := len(doc)
		if i := bytes.IndexByte(doc[start:], '\n'); i >= 0 {
			end = start + i + 1
		}
		n := len(dst)
		dst = sp.AppendMatches(dst, doc[start:end])
		for i := n; i < len(dst); i++ {
			dst[i].Start += start
			dst[i].End += start
		}
		start = end
	}
	return dst
}

func addTable(dst map[string]uint64, src *tally) error {
	for i, w := range src.key {
		n := src.n[i]
		old := dst[w]
		if old+n < old {
			return fmt.Errorf("%w: word %q", ErrOverflow, w)
		}
		dst[w] = old + n
	}
	return nil
}

// prune drops the words with the smallest counts (ties: greatest bytes)
// until keep remain.
func prune(table map[string]uint64, keep int) {
	c := FromMap(table)
	c.SortByCount()
	for _, e := range c.Words[keep:] {
		delete(table, e.Word)
	}
}

// tally counts words of one batch; a hit costs one map lookup and no
// allocation (the map holds an index into n).
type tally struct {
	idx map[string]int32
	key []string
	n   []uint64
}

func newTally() *tally { return &tally{idx: make(map[string]int32, 1<<12)} }

func (t *tally) add(w []byte) {
	if i, ok := t.idx[string(w)]; ok {
		t.n[i]++
		return
	}
	k := string(w)
	t.idx[k] = int32(len(t.n))
	t.key = append(t.key, k)
	t.n = append(t.n, 1)
}
