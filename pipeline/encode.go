package pipeline

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/toklabs/tok/corpora"
	"github.com/toklabs/tok/internal/arrowio"
)

// Encode runs this process's rank of an encoding: it reads the rank's share
// of inputs (see Partition), encodes the documents on cfg.Workers
// goroutines and writes Arrow shards under cfg.Out/ranks/rank-RRRRR, saving
// its state after every shard so that a killed run started again with the
// same arguments resumes where it stopped and ends with the same shards.
// The rank's completion marker is the Done field of its rank.json. A
// single-process run follows Encode with Finalize.
//
// The shards depend only on the inputs and the settings, never on the
// number of workers or on where a run was interrupted.
func Encode(ctx context.Context, cfg Config, inputs []corpora.Input, copts corpora.Options) (*RankState, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	copts = fillCorpusOptions(copts)
	if copts.DecodeConcurrency == 0 && cfg.Workers > 4 {
		// Many workers: decompress zstd ahead of the reader, which then
		// only cuts lines. (Not measured: the development machine has 2
		// cores, where the reader keeps up alone and this costs CPU.)
		copts.DecodeConcurrency = 4
	}
	mine, err := Partition(inputs, cfg.Rank, cfg.WorldSize)
	if err != nil {
		return nil, err
	}
	settings := Settings{
		TokenizerSHA256: cfg.TokenizerHash,
		VocabSize:       cfg.Tokenizer.VocabSize(),
		WorldSize:       cfg.WorldSize,
		ShardBytes:      cfg.ShardBytes,
		BatchRows:       cfg.BatchRows,
		BatchTokens:     cfg.BatchTokens,
		Compression:     cfg.Compression.String(),
		ValFraction:     cfg.ValFraction,
		EOS:             cfg.EOS,
		EncodeOptions:   cfg.EncodeOptions,
		Corpus: CorpusSettings{
			TextField:        copts.TextField,
			MaxDocBytes:      copts.MaxDocBytes,
			SkipBad:          copts.SkipBad,
			AllowInvalidUTF8: copts.AllowInvalidUTF8,
		},
		Inputs: inputIdentities(inputs),
	}
	if err := checkManifest(cfg.Out, settings); err != nil {
		return nil, err
	}
	dir := rankDir(cfg.Out, cfg.Rank)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	state, err := loadRankState(dir, cfg.Rank, settings)
	if err != nil {
		return nil, err
	}
	if state.Done {
		return state, nil
	}
	if err := cleanRankDir(dir, state); err != nil {
		return nil, err
	}
	if n := len(state.Splits[SplitTrain].shardsOrNil()) + len(state.Splits[SplitValidation].shardsOrNil()); n > 0 && cfg.Progress != nil {
		fmt.Fprintf(cfg.Progress, "encode: resuming rank %d after %d finished shards\n", cfg.Rank, n)
	}
	r := &run{cfg: cfg, dir: dir, state: state, corpus: corpora.OpenInputs(mine, copts), inputs: mine}
	defer r.corpus.Close()
	if err := r.run(ctx); err != nil {
		return nil, err
	}
	return state, nil
}

func fillCorpusOptions(o corpora.Options) corpora.Options {
	d := corpora.DefaultOptions()
	if o.TextField == "" {
		o.TextField = d.TextField
	}
	if o.MaxDocBytes <= 0 {
		o.MaxDocBytes = d.MaxDocBytes
	}
	return o
}

// checkManifest refuses a directory that already holds a finished dataset
// made with other settings (for example another tokenizer).
func checkManifest(out string, s Settings) error {
	var m Manifest
	err := readJSON(filepath.Join(out, ManifestFile), &m)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	return compareSettings(m.Settings, s, filepath.Join(out, ManifestFile))
}

func loadRankState(dir string, rank int, s Settings) (*RankState, error) {
	path := filepath.Join(dir, RankStateFile)
	var st RankState
	err := readJSON(path, &st)
	if errors.Is(err, os.ErrNotExist) {
		return &RankState{Format: rankStateFormat, Rank: rank, Settings: s, Splits: map[string]*SplitState{}}, nil
	}
	if err != nil {
		return nil, err
	}
	if st.Format != rankStateFormat || st.Rank != rank {
		return nil, fmt.Errorf("pipeline: %s: not the state of rank %d", path, rank)
	}
	if err := compareSettings(st.Settings, s, path); err != nil {
		return nil, err
	}
	st.Settings = s // equal but for SkipBad, which the resumed run sets
	if st.Splits == nil {
		st.Splits = map[string]*SplitState{}
	}
	return &st, nil
}

// cleanRankDir removes temporary files and shards that the state does not
// list (written before a crash, before the state was saved); they are
// written again, identically.
func cleanRankDir(dir string, st *RankState) error {
	keep := map[string]bool{RankStateFile: true}
	for _, sp := range st.Splits {
		for _, sh := range sp.Shards {
			keep[sh.File] = true
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if !keep[e.Name()] && (strings.HasSuffix(e.Name(), ".arrow") || isTempName(e.Name())) {
			if err := os.Remove(filepath.Join(dir, e.Name())); err != nil {
				return err
			}
		}
	}
	return nil
}

// isTempName reports whether name is a temporary file of an unfinished
// write: a shard being written (name.tmp) or one of internal/atomicfile
// (.name.tmpNNN).
func isTempName(name string) bool {
	return strings.HasSuffix(name, ".tmp") || strings.HasPrefix(name, ".") && strings.Contains(name, ".tmp")
}

// job is a batch of consecutive documents that one worker encodes. The
// reader fills batch in place (the texts are never copied between the
// reader, the worker and the writer); the job goes back to the free list
// after the writer is done with it, and only then is the batch refilled.
type job struct {
	firstSeq int64
	batch    corpora.Batch
	split    []uint8 // 0 train, 1 validation (worker)
	skip     []bool  // already in a finished shard (worker)
	ids      []uint32
	idEnds   []int
	err      error
	done     chan struct{}
}

// jobTextBytes: a job closes once it holds this much text (a variable so
// that the resume test can make jobs, and so shard completions, frequent).
// Performance notes: 1 MiB instead of 256 KiB halved the bytes copied
// to carry a line over from one batch to the next on en-large.jsonl.zst.
var jobTextBytes = 1 << 20

const (
	// jobKeepBytes bounds the buffers a job keeps for reuse (text bytes;
	// ids get a quarter as many entries): book-sized documents reuse
	// them, and only larger ones are given back to the GC.
	// Performance notes: keeping 8 MiB instead of 1 MiB took tok encode
	// on en-large (100 MB, many book-sized documents) from 6.3 to 5.65
	// CPU-seconds, peak RSS from 234 to 252 MiB (one run each, shared
	// machine).
	jobKeepBytes = 8 << 20
)

type run struct {
	cfg    Config
	dir    string
	state  *RankState
	corpus *corpora.Corpus
	inputs []corpora.Input

	lastSeq  [2]int64 // per split, the last document in a finished shard
	digests  []InputDigest
	hashers  []checksum
	progress *progress
}

var splitNames = [2]string{SplitTrain, SplitValidation}

func (r *run) run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	workers := r.cfg.Workers
	jobs := make(chan *job, workers)
	ordered := make(chan *job, 2*workers+2)
	free := make(chan *job, 2*workers+4)
	for i := 0; i < cap(free); i++ {
		free <- &job{}
	}
	for i, name := range splitNames {
		r.lastSeq[i] = r.state.Splits[name].lastSeq()
	}
	var total int64
	for _, in := range r.inputs {
		if in.Size > 0 {
			total += in.Size
		}
	}
	r.progress = newProgress(r.cfg.Progress, r.cfg.ProgressTerminal, total)
	defer r.progress.stop()

	r.digests = make([]InputDigest, len(r.inputs))
	r.hashers = make([]checksum, len(r.inputs))
	for i, in := range r.inputs {
		r.digests[i].Path = in.Path
		r.hashers[i] = newChecksum()
	}

	var readErr error
	var wg sync.WaitGroup
	// Reader: documents in order, grouped into jobs.
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(jobs)
		defer close(ordered)
		readErr = r.read(ctx, jobs, ordered, free)
	}()
	// Workers: encode jobs in any order.
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				r.encode(j)
				close(j.done)
			}
		}()
	}
	// Writer: jobs in reading order.
	var shards [2]*shardWriter
	for i, name := range splitNames {
		n := 0
		if st := r.state.Splits[name]; st != nil {
			n = len(st.Shards)
		}
		shards[i] = &shardWriter{run: r, split: name, next: n}
	}
	werr := r.write(ordered, free, &shards)
	if werr != nil {
		cancel()
		for j := range ordered { // let the reader finish
			<-j.done
		}
	}
	wg.Wait()
	if werr == nil && readErr == nil {
		for _, sw := range shards {
			if werr = sw.close(); werr != nil {
				break
			}
		}
	}
	if werr != nil || readErr != nil {
		// Unfinished shards are dropped; finished ones stay listed in
		// rank.json, and a run started again resumes after them.
		for _, sw := range shards {
			sw.abort()
		}
		if werr != nil {
			return werr
		}
		return readErr
	}
	return r.finish()
}

// read fills jobs from the corpus.
func (r *run) read(ctx context.Context, jobs, ordered chan<- *job, free <-chan *job) error {
	var seq, text int64
	var total int64 // bytes of input on disk, 0 if unknown (stdin)
	for _, in := range r.inputs {
		if in.Size < 0 {
			total = 0
			break
		}
		total += in.Size
	}
	for n := 0; ; n++ {
		var j *job
		select {
		case j = <-free:
		case <-ctx.Done():
			return ctx.Err()
		}
		j.firstSeq = seq
		j.err = nil
		j.done = make(chan struct{})
		err := r.corpus.ReadBatch(&j.batch, jobBytes(n, r.cfg.Workers, text, r.corpus.BytesRead(), total))
		text += int64(j.batch.TextBytes())
		r.progress.read.Store(r.corpus.BytesRead())
		if n := j.batch.Len(); n > 0 && err != io.EOF {
			seq += int64(n)
			ordered <- j
			jobs <- j
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// minJobBytes is the text size of the first job and the least of the
// last ones.
const minJobBytes = 64 << 10

// jobBytes returns the text size of job n: jobTextBytes, but less for the
// first jobs, so that every worker starts at once instead of waiting for
// whole jobs to be read, and for the last ones, so that the workers end
// together rather than one encoding a whole job while the others idle.
// text bytes have been read into jobs from read bytes of the inputs' total
// on disk (0 if unknown); the rest of the text is estimated from their
// ratio, so compressed inputs work too. Job boundaries never change the
// output.
func jobBytes(n, workers int, text, read, total int64) int {
	size := jobTextBytes
	if n < 16 {
		size = min(size, minJobBytes<<n)
	}
	if total > 0 && read > 0 {
		left := float64(max(total-read, 0)) * float64(text) / float64(read)
		if tail := left / float64(2*workers); tail < float64(size) {
			size = max(int(tail), min(minJobBytes, jobTextBytes))
		}
	}
	return size
}

// encode chooses the split of the documents of a job and tokenizes those
// not already written.
func (r *run) encode(j *job) {
	// Room for the ids up front (cl100k makes about one id per 4 bytes
	// of English), so that appending them does not re-grow the slice.
	// Performance notes: growslice under AppendEncodePiece was 4% of the
	// pipeline's CPU on en-large with cl100k (one profile, shared machine).
	// A quarter more than needed, so that a slightly larger batch next
	// time does not allocate again: fresh memory costs page faults (3% of
	// the CPU in one profile here, under a paravirtualized kernel).
	b := &j.batch
	if need := b.TextBytes()/3 + b.Len(); cap(j.ids) < need {
		j.ids = make([]uint32, 0, need+need/4) // nothing to copy: unlike slices.Grow
	}
	j.ids = j.ids[:0]
	j.idEnds = slices.Grow(j.idEnds[:0], b.Len())
	j.split = slices.Grow(j.split[:0], b.Len())
	j.skip = slices.Grow(j.skip[:0], b.Len())
	for i := range b.Len() {
		text := b.Text(i)
		sp := SplitOf(text, r.cfg.ValFraction) // no hashing without a validation split
		skip := j.firstSeq+int64(i) <= r.lastSeq[sp]
		j.split = append(j.split, sp)
		j.skip = append(j.skip, skip)
		if !skip {
			j.ids = r.cfg.Tokenizer.AppendEncode(j.ids, text)
			if r.cfg.EOS != nil {
				j.ids = append(j.ids, *r.cfg.EOS)
			}
		}
		j.idEnds = append(j.idEnds, len(j.ids))
	}
}

// write appends encoded documents to the shards in reading order.
func (r *run) write(ordered <-chan *job, free chan<- *job, shards *[2]*shardWriter) error {
	for j := range ordered {
		<-j.done
		if j.err != nil {
			return j.err
		}
		b := &j.batch
		idStart := 0
		var rec [8]byte
		var docs, nb, toks int64 // progress, counted once a job
		for i := range b.Len() {
			idEnd := j.idEnds[i]
			d := b.Doc(i)
			in := d.Input
			text := b.Text(i)
			nbytes := int64(len(text))
			// The input's identity: each document's length and text.
			binary.LittleEndian.PutUint64(rec[:], uint64(nbytes))
			r.hashers[in].Write(rec[:])
			r.hashers[in].Write(text)
			r.digests[in].Documents++
			r.digests[in].Bytes += nbytes
			if !j.skip[i] {
				sw := shards[j.split[i]]
				at := DocRef{Source: r.inputs[in].Path, Index: d.Index}
				if err := sw.append(j.firstSeq+int64(i), at, j.ids[idStart:idEnd], nbytes); err != nil {
					return err
				}
				docs, nb, toks = docs+1, nb+nbytes, toks+int64(idEnd-idStart)
			}
			idStart = idEnd
		}
		r.progress.add(docs, nb, toks)
		// A job that held a very long document gives its buffers back, so
		// that memory stays bounded by a few jobs of ordinary size.
		b.Trim(jobKeepBytes)
		if cap(j.ids) > jobKeepBytes/4 {
			j.ids = nil
		}
		free <- j
	}
	return nil
}

// finish writes the completion marker.
func (r *run) finish() error {
	for i := range r.digests {
		r.digests[i].XXH3 = r.hashers[i].hex()
	}
	st := r.state
	st.Inputs = r.digests
	st.Skipped = r.corpus.Skipped()
	st.Documents = 0
	for _, d := range r.digests {
		st.Documents += d.Documents
	}
	st.Done = true
	return writeJSON(filepath.Join(r.dir, RankStateFile), st)
}

// shardWriter writes the shards of one split of a rank.
type shardWriter struct {
	run   *run
	split string
	next  int // index of the next shard

	f       *os.File
	buf     *bufio.Writer
	hash    checksum
	count   int64
	bw      *arrowio.BatchWriter
	info    ShardInfo
	started time.Time
}

type countWriter struct {
	w io.Writer
	n *int64
}

func (c countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	*c.n += int64(n)
	return n, err
}

func (s *shardWriter) open(seq int64) error {
	name := shardName(s.split, s.next)
	f, err := os.Create(filepath.Join(s.run.dir, name+".tmp"))
	if err != nil {
		return err
	}
	s.f = f
	s.hash = newChecksum()
	s.count = 0
	s.buf = bufio.NewWriterSize(countWriter{io.MultiWriter(f, s.hash), &s.count}, 1<<20)
	cfg := s.run.cfg
	s.bw = arrowio.NewBatchWriter(s.buf, cfg.Compression == CompressionZstd, cfg.BatchRows, cfg.BatchTokens)
	s.info = ShardInfo{File: name, FirstSeq: seq}
	return nil
}

func (s *shardWriter) append(seq int64, at DocRef, ids []uint32, nbytes int64) error {
	if s.f == nil {
		if err := s.open(seq); err != nil {
			return err
		}
		s.info.First = at
	}
	s.info.Last = at
	if err := s.bw.Append(ids, nbytes); err != nil {
		return err
	}
	s.info.Documents++
	s.info.Tokens += int64(len(ids))
	s.info.Bytes += nbytes
	s.info.LastSeq = seq
	if 4*s.info.Tokens >= s.run.cfg.ShardBytes {
		return s.close()
	}
	return nil
}

// abort drops the open shard.
func (s *shardWriter) abort() {
	if s.f == nil {
		return
	}
	s.f.Close()
	s.f = nil
	os.Remove(filepath.Join(s.run.dir, s.info.File+".tmp"))
}

// close finishes the open shard: end of stream, fsync, rename, and the
// rank state saved with the shard listed.
func (s *shardWriter) close() error {
	if s.f == nil {
		return nil
	}
	if err := s.bw.Close(); err != nil {
		return err
	}
	if err := s.buf.Flush(); err != nil {
		return err
	}
	if err := s.f.Sync(); err != nil {
		return err
	}
	if err := s.f.Close(); err != nil {
		return err
	}
	s.f = nil
	tmp := filepath.Join(s.run.dir, s.info.File+".tmp")
	if err := os.Rename(tmp, filepath.Join(s.run.dir, s.info.File)); err != nil {
		return err
	}
	s.info.FileBytes = s.count
	s.info.XXH3 = s.hash.hex()
	st := s.run.state
	sp := st.Splits[s.split]
	if sp == nil {
		sp = &SplitState{}
		st.Splits[s.split] = sp
	}
	sp.Shards = append(sp.Shards, s.info)
	s.next++
	return writeJSON(filepath.Join(s.run.dir, RankStateFile), st)
}

// progress counts documents, bytes and tokens and reports them.
type progress struct {
	docs, bytes, tokens, read atomic.Int64
	total                     int64
	w                         io.Writer
	terminal                  bool
	start                     time.Time
	quit                      chan struct{}
	wg                        sync.WaitGroup
}

func newProgress(w io.Writer, terminal bool, total int64) *progress {
	p := &progress{w: w, terminal: terminal, total: total, start: time.Now(), quit: make(chan struct{})}
	if w == nil {
		return p
	}
	every := 10 * time.Second
	if terminal {
		every = 250 * time.Millisecond
	}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				p.report(false)
			case <-p.quit:
				p.report(true)
				return
			}
		}
	}()
	return p
}

func (p *progress) add(docs, nbytes, tokens int64) {
	p.docs.Add(docs)
	p.bytes.Add(nbytes)
	p.tokens.Add(tokens)
}

func (p *progress) stop() {
	if p.w == nil {
		return
	}
	close(p.quit)
	p.wg.Wait()
}

func (p *progress) report(final bool) {
	el := time.Since(p.start).Seconds()
	if el <= 0 {
		el = 1e-9
	}
	docs, nb, toks, read := p.docs.Load(), p.bytes.Load(), p.tokens.Load(), p.read.Load()
	frac := 0.0
	if p.total > 0 {
		frac = float64(read) / float64(p.total)
		if frac > 1 {
			frac = 1
		}
	}
	eta := "?"
	if frac > 0 && !final {
		eta = (time.Duration(el*(1-frac)/frac) * time.Second).Round(time.Second).String()
	}
	stats := fmt.Sprintf("%d docs, %.1f MB, %d tokens, %.2f Mtok/s, %.1f MB/s", docs, float64(nb)/1e6, toks, float64(toks)/el/1e6, float64(nb)/el/1e6)
	if !p.terminal {
		if final {
			fmt.Fprintf(p.w, "encode: done: %s in %.1fs\n", stats, el)
		} else {
			fmt.Fprintf(p.w, "encode: %3.0f%% %s, ETA %s\n", 100*frac, stats, eta)
		}
		return
	}
	const width = 30
	filled := int(frac * width)
	bar := strings.Repeat("█", filled) + strings.Repeat("░", width-filled)
	end := ""
	if final {
		end = "\n"
	}
	fmt.Fprintf(p.w, "\r%s %3.0f%% %s, ETA %s\x1b[K%s", bar, 100*frac, stats, eta, end)
}
