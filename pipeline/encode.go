package pipeline

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/toklabs/tok/corpora"
	"github.com/toklabs/tok/internal/arrowio"
	"github.com/toklabs/tok/internal/directfile"
	"github.com/toklabs/tok/internal/freelist"
	"github.com/toklabs/tok/internal/hugemem"
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
	inputs, err := corpora.Pieces(inputs, cfg.PieceBytes, copts)
	if err != nil {
		return nil, err
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
		PieceBytes:      cfg.PieceBytes,
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
	r := &run{cfg: cfg, copts: copts, dir: dir, state: state, inputs: mine}
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

// job is a batch of consecutive documents of one reader that one worker
// encodes. The reader fills batch in place (the texts are never copied
// between the reader, the worker and the writer); the job goes back to its
// reader's free list after the writer is done with it, and only then is
// the batch refilled.
type job struct {
	reader  int // which reader filled it
	batch   corpora.Batch
	readErr error   // the reader stopped after this job's documents
	errIn   int     // the input (index in run.inputs) readErr is in
	split   []uint8 // 0 train, 1 validation (worker)
	skip    []bool  // already in a finished shard (worker)
	mixed   bool    // some documents are skipped or of the validation split
	ids     []uint32
	idEnds  []int   // where each document's ids end in ids
	nbytes  []int64 // each document's length
	done    chan struct{}
	// The sizes of the buffers the job starts with (see useMemory):
	// larger ones go back to the pools after each use.
	textCap, idsCap int
	homeIDs         []uint32 // the job's own ids buffer
}

// idStart returns where document i's ids start in j.ids.
func (j *job) idStart(i int) int {
	if i == 0 {
		return 0
	}
	return j.idEnds[i-1]
}

// useMemory places the job's buffers at the start of mem (one huge page,
// of which it returns the rest): the text (a 512 KiB job and a read's
// margin), the documents list (8,533: 61 bytes of text each), the ids
// (229,376: 512 KiB of English is about 125,000 with cl100k) and the
// per-document lists (10,012). A list that needs more moves to the Go
// heap.
// Performance notes: fresh memory costs about 2 ms per MiB on the
// development VM (page faults and zeroing; a huge page is cleared whole
// when first touched). The documents list on the Go heap took 1,500 of the
// 4,100 page faults of a run over 100 MB of 46-byte lines; 1 MiB jobs on
// two pages each cleared 16 MiB more per run (3% of its CPU).
func (j *job) useMemory(mem []byte) []byte {
	const (
		kib      = 1 << 10
		textEnd  = 576 * kib
		docsEnd  = 976 * kib
		idsEnd   = 1872 * kib
		listDocs = (hugemem.Page - idsEnd) / 18 // 18 bytes per document
	)
	// Full slice expressions: a list that needs more room must move to
	// the heap, never grow into its neighbour.
	page := mem[:hugemem.Page:hugemem.Page]
	j.batch.UseBuffer(page[:textEnd:textEnd])
	j.textCap = textEnd
	j.batch.UseDocs(carve[corpora.BatchDoc](page, textEnd, docsEnd))
	j.ids = carve[uint32](page, docsEnd, idsEnd)
	j.homeIDs, j.idsCap = j.ids, cap(j.ids)
	at := idsEnd
	j.idEnds = carve[int](page, at, at+8*listDocs)
	at += 8 * listDocs
	j.nbytes = carve[int64](page, at, at+8*listDocs)
	at += 8 * listDocs
	j.split = carve[uint8](page, at, at+listDocs)
	j.skip = carve[bool](page, at+listDocs, at+2*listDocs)
	return mem[hugemem.Page:]
}

// carve returns mem[from:to] as an empty slice of T (plain data only).
func carve[T any](mem []byte, from, to int) []T {
	var zero T
	n := (to - from) / int(unsafe.Sizeof(zero))
	return unsafe.Slice((*T)(unsafe.Pointer(&mem[from])), n)[:0:n]
}

// jobTextBytes: a job closes once it holds this much text (a variable so
// that the resume test can make jobs, and so shard completions, frequent).
// Performance notes: 1 MiB instead of 256 KiB halved the bytes copied
// to carry a line over from one batch to the next on en-large.jsonl.zst.
var jobTextBytes = 512 << 10

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
	copts  corpora.Options
	dir    string
	state  *RankState
	inputs []corpora.Input

	// Reader rd reads the inputs rd, rd+R, rd+2R, ... (R readers) in
	// order; the writer takes their documents input by input.
	readers int
	skipped atomic.Int64

	lastPos  [2]DocPos // per split, the position of the last document in a finished shard
	digests  []InputDigest
	hashers  []checksum
	progress *progress

	// The jobs' text and ids buffers beyond their own (for long
	// documents): a job gives them back when the writer is done with it.
	texts *pool[byte]
	ids   *pool[uint32]
	// idsPerKiB is the most ids a job has made per KiB of text so far
	// (see encode); it only sizes buffers.
	idsPerKiB atomic.Int64
}

// pool lends buffers to jobs, so that the memory a few long documents
// need is shared rather than each job growing its own. They are huge
// pages (internal/hugemem), freed by release once no job can use them.
// Performance notes: on en-large.jsonl (documents of 4 KB median, up to
// 2 MB) every one of the 8 jobs grew its own text and ids buffers on the
// Go heap in turn: 12,000 page faults in a 100 MB run, about 9% of its
// CPU at 16 µs a fault on the development VM; 6,500 with the pool, and
// huge pages clear about twice as fast as 4 KiB faults.
type pool[T any] struct {
	mu    sync.Mutex
	free  freelist.List[T]
	max   int              // buffers kept
	frees map[*byte]func() // every buffer made, by its start
}

func newPool[T any](max int) *pool[T] { return &pool[T]{max: max, frees: map[*byte]func(){}} }

// Get returns an empty buffer of at least n elements (n > 0): the smallest
// free one that is large enough, or a new one.
func (p *pool[T]) Get(n int) []T {
	p.mu.Lock()
	defer p.mu.Unlock()
	if b := p.free.Take(n); b != nil {
		return b
	}
	// Whole huge pages, and at least a power of two, so that a buffer
	// fits the next documents of about the same length, not only
	// shorter ones.
	var zero T
	size := int(unsafe.Sizeof(zero))
	bytes := max(size<<bits.Len(uint(n-1)), hugemem.Page)
	bytes = (bytes + hugemem.Page - 1) &^ (hugemem.Page - 1)
	mem, free := hugemem.Alloc(bytes)
	p.frees[&mem[0]] = free
	return unsafe.Slice((*T)(unsafe.Pointer(&mem[0])), bytes/size)[:0]
}

// Put takes back a buffer that no job uses. The pool keeps up to max
// buffers of at most jobKeepBytes and frees the others (those it made;
// other buffers, such as a job's own, it only drops).
func (p *pool[T]) Put(b []T) {
	var zero T
	if cap(b) == 0 {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if cap(b)*int(unsafe.Sizeof(zero)) <= jobKeepBytes {
		if p.free.Len() < p.max {
			p.free.Add(b)
			return
		}
		b = p.free.ReplaceSmallest(b)
	}
	p.drop(b)
}

func (p *pool[T]) drop(b []T) {
	at := (*byte)(unsafe.Pointer(unsafe.SliceData(b[:1])))
	if free, ok := p.frees[at]; ok {
		delete(p.frees, at)
		free()
	}
}

// release frees every buffer the pool made, once no job uses any.
func (p *pool[T]) release() {
	for _, free := range p.frees {
		free()
	}
	p.frees = nil
	p.free.Clear()
}

var splitNames = [2]string{SplitTrain, SplitValidation}

// global returns the index in run.inputs of a reader's local input index.
func (r *run) global(reader int, local int32) int { return reader + int(local)*r.readers }

// numReaders is how many inputs a rank reads at once: one reader
// decompresses and cuts a few hundred MB/s of text, about what four cores
// encode with cl100k, so many workers need several.
func numReaders(cfg Config, inputs int) int {
	n := cfg.Readers
	if n <= 0 {
		n = max(1, cfg.Workers/4)
	}
	return max(1, min(n, inputs))
}

func (r *run) run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	workers := r.cfg.Workers
	r.readers = numReaders(r.cfg, len(r.inputs))
	if r.copts.DecodeConcurrency == 0 && workers > 1 {
		// zstd is decompressed ahead of the reader, on a goroutine of its
		// own, so that a worker holds the reader's lock only to cut lines
		// (4 goroutines for many workers on one input).
		// Performance notes: with 2 workers on 2 cores, tok's scratch
		// timing program on en-large.jsonl.zst (100 MB, compressed 4.0:1)
		// took 0.94x the wall time and 0.94x the CPU (median of 12
		// alternating pairs, 11 of them faster); scripts/schedtrace shows
		// the Ps idle 3.5% of the time instead of 5.6%, fewer waits for
		// the reader's lock among them. On 1 GB compressed 3.1:1 (zstd -3)
		// 3 pairs gave 1.006, 0.985 and 1.091: no clear change.
		r.copts.DecodeConcurrency = 2
		if workers > 4 && r.readers == 1 {
			r.copts.DecodeConcurrency = 4
		}
	}
	for i, name := range splitNames {
		r.lastPos[i] = r.state.Splits[name].lastPos()
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
		r.digests[i].Path = in.Name()
		r.hashers[i] = newChecksum()
	}

	// Readers: each its inputs' documents in order, grouped into jobs,
	// with its own free list, so that a reader ahead of the writer cannot
	// take the jobs of the one the writer waits for. The workers read:
	// a worker takes a free job of a reader, fills it from the reader's
	// inputs under its lock, hands it to the writer (reading order) and
	// encodes it while another worker reads the next.
	// Performance notes: with a reading goroutine of its own, the text
	// and the document list of every job were written on one core and
	// read on another; a worker that reads what it encodes finds them in
	// its cache.
	perReader := max(4, (2*workers+4+r.readers-1)/r.readers)
	// Each job's text buffer and ids buffer start in memory outside the
	// Go heap, on huge pages (a larger need moves to the heap): each
	// buffer is filled once and reused, and 4 KiB page faults on fresh
	// memory (9,300 in a run over 100 MB) were about 5% of the CPU here.
	arena, freeArena := hugemem.Alloc(r.readers * perReader * hugemem.Page)
	defer freeArena() // after every goroutine using it has stopped (below)
	streams := make([]*stream, r.readers)
	readErrs := make([]error, r.readers)
	rds := make([]*reader, r.readers)
	wake := make(chan struct{}, workers)
	r.texts = newPool[byte](r.readers * perReader)
	r.ids = newPool[uint32](r.readers * perReader)
	defer r.texts.release() // after every goroutine using them has stopped (below)
	defer r.ids.release()
	for rd := range r.readers {
		out := make(chan *job, perReader)
		free := make(chan *job, perReader)
		for range perReader {
			j := &job{reader: rd}
			arena = j.useMemory(arena)
			j.batch.UsePool(r.texts)
			free <- j
		}
		streams[rd] = &stream{ch: out, free: free, wake: wake}
		rds[rd] = r.newReader(rd, out, free, &readErrs[rd], wake)
	}
	var encoders sync.WaitGroup
	for w := range workers {
		encoders.Add(1)
		go func() {
			defer encoders.Done()
			for {
				j := r.take(ctx, rds, w, wake)
				if j == nil {
					return
				}
				if j.batch.Len() > 0 {
					r.encode(j)
				}
				close(j.done)
			}
		}()
	}
	// Writer: documents in reading order.
	var shards [2]*shardWriter
	for i, name := range splitNames {
		n := 0
		if st := r.state.Splits[name]; st != nil {
			n = len(st.Shards)
		}
		shards[i] = &shardWriter{run: r, split: name, next: n}
	}
	werr := r.write(streams, readErrs, &shards)
	if werr != nil {
		cancel()
		for _, s := range streams { // let the readers finish
			for j := range s.ch {
				<-j.done
			}
		}
	}
	encoders.Wait()
	if werr == nil {
		for _, sw := range shards {
			if werr = sw.close(); werr != nil {
				break
			}
		}
	}
	if werr != nil {
		// Unfinished shards are dropped; finished ones stay listed in
		// rank.json, and a run started again resumes after them.
		for _, sw := range shards {
			sw.abort()
		}
		return werr
	}
	return r.finish()
}

// reader reads its inputs (run.inputs rd, rd+R, ...) into jobs; the
// workers call it under its lock.
type reader struct {
	mu       sync.Mutex
	run      *run
	rd       int
	c        *corpora.Corpus
	out      chan<- *job // to the writer, in reading order
	free     chan *job
	err      *error // where the reader's error goes (readErrs[rd])
	wake     chan<- struct{}
	finished atomic.Bool

	n                 int   // jobs filled
	text, read, total int64 // text bytes filled, bytes read, bytes on disk (0 if unknown)
}

func (r *run) newReader(rd int, out chan<- *job, free chan *job, err *error, wake chan<- struct{}) *reader {
	var mine []corpora.Input
	var total int64
	for i := rd; i < len(r.inputs); i += r.readers {
		mine = append(mine, r.inputs[i])
		if total >= 0 && r.inputs[i].Size >= 0 {
			total += r.inputs[i].Size
		} else {
			total = -1
		}
	}
	return &reader{run: r, rd: rd, c: corpora.OpenInputs(mine, r.copts), out: out, free: free, err: err, wake: wake, total: max(total, 0)}
}

// take returns a job filled from one of the readers (worker w tries
// reader w mod R first), waiting for a free job if need be, or nil when
// every reader has finished or ctx is cancelled.
func (r *run) take(ctx context.Context, rds []*reader, w int, wake <-chan struct{}) *job {
	for {
		if ctx.Err() != nil {
			for _, x := range rds {
				x.mu.Lock()
				x.finish(ctx.Err())
				x.mu.Unlock()
			}
			return nil
		}
		live, busy := false, (*reader)(nil)
		for k := range rds {
			x := rds[(w+k)%len(rds)]
			if x.finished.Load() {
				continue
			}
			live = true
			if !x.mu.TryLock() {
				busy = x
				continue
			}
			j := x.fill()
			x.mu.Unlock()
			if j != nil {
				return j
			}
		}
		if !live {
			return nil
		}
		if busy != nil {
			// Another worker is reading: wait for it rather than sleep.
			busy.mu.Lock()
			j := busy.fill()
			busy.mu.Unlock()
			if j != nil {
				return j
			}
			continue
		}
		select { // every job is in use: wait for the writer to free one
		case <-wake:
		case <-ctx.Done():
		}
	}
}

// fill fills a free job with the reader's next documents and hands it to
// the writer. It returns nil when no job is free or the reader has
// finished. The caller holds x.mu.
func (x *reader) fill() *job {
	if x.finished.Load() {
		return nil
	}
	var j *job
	select {
	case j = <-x.free:
	default:
		return nil
	}
	r := x.run
	j.readErr = nil
	j.done = make(chan struct{})
	err := x.c.ReadBatch(&j.batch, jobBytes(x.n, r.cfg.Workers, x.text, x.c.BytesRead(), x.total))
	x.n++
	x.text += int64(j.batch.TextBytes())
	now := x.c.BytesRead()
	r.progress.read.Add(now - x.read)
	x.read = now
	if err == io.EOF {
		x.free <- j
		x.finish(nil)
		return nil
	}
	if err != nil {
		j.readErr, j.errIn = err, r.global(x.rd, int32(x.c.InputIndex()))
	}
	x.out <- j // never blocks: out has room for every job
	if err != nil {
		x.finish(err)
	}
	return j
}

// finish ends the reader's stream, with err if not nil. The caller holds
// x.mu.
func (x *reader) finish(err error) {
	if x.finished.Load() {
		return
	}
	*x.err = err
	x.run.skipped.Add(x.c.Skipped())
	x.c.Close()
	x.finished.Store(true)
	close(x.out)
	for range cap(x.wake) { // the other workers may be waiting for a job of this reader
		select {
		case x.wake <- struct{}{}:
		default:
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
	// Room for the ids up front, so that appending them does not re-grow
	// the slice: cl100k makes about one id per 4.2 bytes of English, one
	// per 2.5–3 bytes of Hindi, Chinese or Japanese, and a byte-level
	// tokenizer one per byte, so the room follows the most ids per byte
	// seen so far in the run (at first one per 3 bytes).
	// Performance notes: growslice under AppendEncodePiece was 4% of the
	// pipeline's CPU on en-large with cl100k (one profile, shared machine).
	// A quarter more than needed, so that a slightly larger batch next
	// time does not allocate again: fresh memory costs page faults (3% of
	// the CPU in one profile here, under a paravirtualized kernel). With a
	// fixed one id per 3 bytes, every job of the byte-level tokenizer grew
	// its ids on the Go heap: 38k page faults in 100 MB.
	b := &j.batch
	perKiB := max(r.idsPerKiB.Load(), 1024/3)
	if need := int(int64(b.TextBytes())*perKiB/1024) + b.Len(); cap(j.ids) < need {
		if cap(j.ids) > j.idsCap { // not the job's own
			r.ids.Put(j.ids)
		}
		j.ids = r.ids.Get(need + need/4) // nothing to copy: unlike slices.Grow
	}
	j.ids = j.ids[:0]
	j.idEnds = slices.Grow(j.idEnds[:0], b.Len())
	j.nbytes = slices.Grow(j.nbytes[:0], b.Len())
	j.split = slices.Grow(j.split[:0], b.Len())
	j.skip = slices.Grow(j.skip[:0], b.Len())
	j.mixed = false
	for i := range b.Len() {
		text := b.Text(i)
		sp := SplitOf(text, r.cfg.ValFraction) // no hashing without a validation split
		skip := false
		if last := r.lastPos[sp]; last != noPos { // resuming: skip what is written
			d := b.Doc(i)
			skip = !(DocPos{r.global(j.reader, d.Input), d.Index}).after(last)
		}
		j.mixed = j.mixed || skip || sp != 0
		j.nbytes = append(j.nbytes, int64(len(text)))
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
	if text := int64(b.TextBytes()); text > 0 {
		perKiB := int64(len(j.ids)) * 1024 / text
		for old := r.idsPerKiB.Load(); perKiB > old && !r.idsPerKiB.CompareAndSwap(old, perKiB); old = r.idsPerKiB.Load() {
		}
	}
}

// stream is the writer's view of one reader: the jobs it filled, in
// order, and where the writer is in the current one.
type stream struct {
	ch   <-chan *job
	free chan<- *job
	wake chan<- struct{} // a worker may wait for a free job
	j    *job            // the current job, nil before the next is taken
	next int             // its next document
	// Counted for progress once the job is done.
	docs, bytes, tokens int64
}

// write appends the encoded documents to the shards in reading order: the
// inputs one after the other, each from its reader's stream. An input ends
// where its reader's next document belongs to a later input, or where the
// reader's stream ends. A reader's error is returned where it occurred in
// that order, after every document before it is written.
func (r *run) write(streams []*stream, readErrs []error, shards *[2]*shardWriter) error {
	for in := range r.inputs {
		rd := in % r.readers
		s := streams[rd]
		for {
			if s.j == nil {
				j, ok := <-s.ch
				if !ok {
					// The stream ended (its reader set readErrs[rd] before
					// closing it). Without an error in it, the reader had
					// nothing more, or was stopped.
					if err := readErrs[rd]; err != nil {
						return err
					}
					break
				}
				<-j.done
				s.j, s.next = j, 0
			}
			j := s.j
			if s.next == j.batch.Len() {
				if j.readErr != nil {
					if j.errIn != in {
						break // the error is in a later input of this reader
					}
					return j.readErr
				}
				r.recycle(s)
				continue
			}
			end := r.inputEnd(j, s.next, in)
			if end == s.next {
				break // the next document is of a later input
			}
			if err := r.writeDocs(s, in, end, shards); err != nil {
				return err
			}
			s.next = end
		}
	}
	return nil
}

// inputEnd returns the end of the documents of input in (an index in
// run.inputs) that start at document from of j: the job's end, or where
// its reader's next input begins.
func (r *run) inputEnd(j *job, from, in int) int {
	b := &j.batch
	n := b.Len()
	if r.global(j.reader, b.Doc(n-1).Input) == in {
		return n
	}
	return from + sort.Search(n-from, func(k int) bool {
		return r.global(j.reader, b.Doc(from+k).Input) != in
	})
}

// writeDocs hashes the documents of s up to end, all of input in, and
// appends the ids of those not already in a finished shard to their
// split's shard, a run of documents at a time.
func (r *run) writeDocs(s *stream, in, end int, shards *[2]*shardWriter) error {
	j := s.j
	// The input's identity: each document's length and text.
	h := r.hashers[in]
	var rec [8]byte
	var nbytes int64
	for i := s.next; i < end; i++ {
		binary.LittleEndian.PutUint64(rec[:], uint64(j.nbytes[i]))
		h.Write(rec[:])
		h.Write(j.batch.Text(i))
		nbytes += j.nbytes[i]
	}
	r.digests[in].Documents += int64(end - s.next)
	r.digests[in].Bytes += nbytes
	for i := s.next; i < end; {
		k := end
		if j.mixed { // runs of one split, without skipped documents
			if j.skip[i] {
				i++
				continue
			}
			k = i + 1
			for k < end && !j.skip[k] && j.split[k] == j.split[i] {
				k++
			}
		}
		nb, err := shards[j.split[i]].appendDocs(in, j, i, k)
		if err != nil {
			return err
		}
		s.docs += int64(k - i)
		s.tokens += int64(j.idEnds[k-1] - j.idStart(i))
		s.bytes += nb
		i = k
	}
	return nil
}

// recycle gives the current job of s back to its reader.
func (r *run) recycle(s *stream) {
	r.progress.add(s.docs, s.bytes, s.tokens)
	s.docs, s.bytes, s.tokens = 0, 0, 0
	j := s.j
	s.j = nil
	// A job that held a long document gives its larger buffers back to
	// the pools, for the next job that needs them.
	j.batch.Trim(j.textCap)
	if cap(j.ids) > j.idsCap {
		r.ids.Put(j.ids)
		j.ids = j.homeIDs
	}
	s.free <- j
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// finish writes the completion marker.
func (r *run) finish() error {
	for i := range r.digests {
		r.digests[i].XXH3 = r.hashers[i].hex()
	}
	st := r.state
	st.Inputs = r.digests
	st.Skipped = r.skipped.Load()
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

	f       *directfile.File
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

func (s *shardWriter) open(pos DocPos) error {
	name := shardName(s.split, s.next)
	// Straight to the device where the system allows: buffered writes
	// cost the kernel's copy into the page cache, 6% of the pipeline's
	// CPU here (see internal/directfile).
	f, err := directfile.Create(filepath.Join(s.run.dir, name+".tmp"))
	if err != nil {
		return err
	}
	s.f = f
	s.hash = newChecksum()
	s.count = 0
	w := countWriter{io.MultiWriter(f, s.hash), &s.count}
	cfg := s.run.cfg
	s.bw = arrowio.NewBatchWriter(w, cfg.Compression == CompressionZstd, cfg.BatchRows, cfg.BatchTokens)
	s.info = ShardInfo{File: name, FirstPos: pos}
	return nil
}

// appendDocs appends documents from..to of j, of input in (none skipped,
// all of this split), closing the shard after the document that brings
// its ids to ShardBytes. It returns the documents' bytes of text.
func (s *shardWriter) appendDocs(in int, j *job, from, to int) (nbytes int64, err error) {
	path := s.run.digests[in].Path // the input's Name()
	for from < to {
		if s.f == nil {
			first := j.batch.Doc(from).Index
			if err := s.open(DocPos{in, first}); err != nil {
				return nbytes, err
			}
			s.info.First = DocRef{Source: path, Index: first}
		}
		base := j.idStart(from)
		end := to
		if need := (s.run.cfg.ShardBytes+3)/4 - s.info.Tokens; int64(j.idEnds[to-1]-base) >= need {
			end = from + 1 + sort.Search(to-from, func(k int) bool { return int64(j.idEnds[from+k]-base) >= need })
		}
		if err := s.bw.AppendDocs(j.ids[base:j.idEnds[end-1]], j.idEnds[from:end], base, j.nbytes[from:end]); err != nil {
			return nbytes, err
		}
		last := j.batch.Doc(end - 1).Index
		s.info.Last = DocRef{Source: path, Index: last}
		s.info.LastPos = DocPos{in, last}
		s.info.Documents += int64(end - from)
		s.info.Tokens += int64(j.idEnds[end-1] - base)
		for _, n := range j.nbytes[from:end] {
			nbytes += n
			s.info.Bytes += n
		}
		if 4*s.info.Tokens >= s.run.cfg.ShardBytes {
			if err := s.close(); err != nil {
				return nbytes, err
			}
		}
		from = end
	}
	return nbytes, nil
}

// abort drops the open shard.
func (s *shardWriter) abort() {
	if s.f == nil {
		return
	}
	s.f.Abort()
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
	err := s.f.Close() // with fsync
	s.f = nil
	if err != nil {
		return err
	}
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
