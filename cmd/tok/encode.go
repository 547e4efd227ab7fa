package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/urfave/cli/v2"
	"golang.org/x/term"

	"github.com/toklabs/tok"
	"github.com/toklabs/tok/bpe"
)

func init() {
	register(&cli.Command{
		Name:      "encode",
		Usage:     "encode text files into token ids",
		ArgsUsage: "FILE... (- for standard input; none: standard input)",
		Description: "Writes the token ids of each FILE to standard output (or --output).\n\n" +
			"With --per-line every input line (split on \"\\n\" only, the \"\\n\" not included, a final\n" +
			"\"\\n\" not starting another line) is encoded on its own and written as one output line:\n" +
			"the contract of the reference tools (peers), so the output compares byte for byte\n" +
			"with their JSONL. Without it each file is encoded as one text (read whole into memory).\n\n" +
			"Formats: jsonl (a JSON array per line or file, no spaces: [791,4062]) or ids\n" +
			"(decimal ids separated by spaces, one line per input line or file).\n\n" +
			"--special: default (the format's reference behaviour: .tiktoken files encode special-\n" +
			"token strings as text, like tiktoken's encode_ordinary; vocab.json and tokenizer.json\n" +
			"files match them), none (always text), all (every special token of the tokenizer\n" +
			"becomes its id), or a comma-separated list of special tokens to recognise.",
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "tokenizer", Aliases: []string{"t"}, Required: true, Usage: "vocabulary `PATH` (any file or directory tok.Open reads), or \"bytes\""},
			&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: "jsonl", Usage: "output format: jsonl or ids"},
			&cli.BoolFlag{Name: "per-line", Aliases: []string{"l"}, Usage: "encode each input line on its own, one output line per input line"},
			&cli.StringFlag{Name: "special", Value: "default", Usage: "special tokens in the text: default, none, all, or a comma-separated `LIST`"},
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "write to `FILE` instead of standard output"},
			&cli.BoolFlag{Name: "progress", Usage: "print throughput on standard error (default: when it is a terminal)"},
			&cli.BoolFlag{Name: "bench", Hidden: true, Usage: "benchmark: read all input, time the --per-line encode loop alone, write no ids"},
		}, encodeShardFlags...), // shard mode (--out): encode_shards.go
		Action: encodeAction,
	})
}

// encodeFunc encodes one text; it is the tokenizer's encode with the
// --special policy applied.
type encodeFunc func(dst []uint32, text []byte) []uint32

// specialEncoder is implemented by tokenizers (bpe.Tokenizer) that can
// choose which special tokens to recognise.
type specialEncoder interface {
	AppendEncodeOrdinary(dst []uint32, text []byte) []uint32
	AppendEncodeSpecial(dst []uint32, text []byte, allowed bpe.SpecialSet) []uint32
}

func encoderFor(t tok.Tokenizer, special string) (encodeFunc, error) {
	if special == "default" || special == "" {
		return t.AppendEncode, nil
	}
	se, ok := t.(specialEncoder)
	if !ok {
		return nil, fmt.Errorf("encode: --special %s: this tokenizer only supports --special default", special)
	}
	switch special {
	case "none":
		return se.AppendEncodeOrdinary, nil
	case "all":
		return func(dst []uint32, text []byte) []uint32 { return se.AppendEncodeSpecial(dst, text, bpe.AllSpecial) }, nil
	}
	names := strings.Split(special, ",")
	known := map[string]bool{}
	for _, s := range t.SpecialTokens() {
		known[s.Content] = true
	}
	for _, n := range names {
		if !known[n] {
			return nil, fmt.Errorf("encode: --special: %q is not a special token of this tokenizer", n)
		}
	}
	set := bpe.SpecialNames(names...)
	return func(dst []uint32, text []byte) []uint32 { return se.AppendEncodeSpecial(dst, text, set) }, nil
}

type idFormat int

const (
	formatJSONL idFormat = iota
	formatIDs
)

func parseIDFormat(s string) (idFormat, error) {
	switch s {
	case "jsonl", "json":
		return formatJSONL, nil
	case "ids", "text":
		return formatIDs, nil
	}
	return 0, fmt.Errorf("unknown id format %q (want jsonl or ids)", s)
}

// appendIDs writes ids in the format, followed by a newline.
func appendIDs(out []byte, ids []uint32, f idFormat) []byte {
	if f == formatJSONL {
		out = append(out, '[')
	}
	for i, id := range ids {
		if i > 0 {
			if f == formatJSONL {
				out = append(out, ',')
			} else {
				out = append(out, ' ')
			}
		}
		out = strconv.AppendUint(out, uint64(id), 10)
	}
	if f == formatJSONL {
		out = append(out, ']')
	}
	return append(out, '\n')
}

func encodeAction(c *cli.Context) error {
	// With --out DIR, package pipeline writes Arrow shards instead.
	if c.IsSet("out") {
		return encodeShards(c)
	}
	stopProfile, err := startCPUProfile(c.String("cpuprofile"))
	if err != nil {
		return err
	}
	defer stopProfile()
	t, err := openTokenizer(c.String("tokenizer"))
	if err != nil {
		return err
	}
	enc, err := encoderFor(t, c.String("special"))
	if err != nil {
		return err
	}
	format, err := parseIDFormat(c.String("format"))
	if err != nil {
		return fmt.Errorf("encode: %w", err)
	}
	var w io.Writer = c.App.Writer
	if path := c.String("output"); path != "" {
		f, err := os.Create(path)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	files := c.Args().Slice()
	if len(files) == 0 {
		files = []string{"-"}
	}
	prog := newEncodeProgress(c, "encode")
	// --workers (declared with the shard flags) also sets the goroutines of
	// --per-line mode; 0 means all cores. The output does not depend on it.
	workers := c.Int("workers")
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	if c.Bool("bench") {
		return encodeBench(c, files, enc, workers)
	}
	maxDoc, err := parseSize(c.String("max-doc-size"))
	if err != nil {
		return fmt.Errorf("encode: --max-doc-size: %w", err)
	}
	for _, name := range files {
		if err := encodeFile(name, enc, format, c.Bool("per-line"), workers, maxDoc, bw, prog); err != nil {
			bw.Flush()
			return err
		}
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	prog.done()
	if path := c.String("output"); path != "" {
		return w.(*os.File).Close()
	}
	return nil
}

func openIDInput(name string) (io.ReadCloser, error) {
	if name == "-" {
		return io.NopCloser(os.Stdin), nil
	}
	return os.Open(name)
}

// encodeFile writes the ids of one input: of each line with perLine, else
// of the whole input as one document, which is held in memory and so may
// not pass maxDoc bytes.
func encodeFile(name string, enc encodeFunc, format idFormat, perLine bool, workers int, maxDoc int64, w *bufio.Writer, prog *encodeProgress) error {
	f, err := openIDInput(name)
	if err != nil {
		return err
	}
	defer f.Close()
	if !perLine {
		text, err := io.ReadAll(io.LimitReader(f, maxDoc+1))
		if err != nil {
			return fmt.Errorf("encode: %s: %w", name, err)
		}
		if int64(len(text)) > maxDoc {
			return fmt.Errorf("encode: %s: longer than --max-doc-size (%d bytes): without --per-line a file is one document, held in memory; use --per-line, --out DIR (a document per line), or a larger --max-doc-size", name, maxDoc)
		}
		ids := enc(nil, text)
		prog.add(len(text), len(ids))
		_, err = w.Write(appendIDs(nil, ids, format))
		return err
	}
	if err := encodeLines(f, enc, format, workers, w, prog); err != nil {
		return fmt.Errorf("encode: %s: %w", name, err)
	}
	return nil
}

// lineChunk is a run of whole input lines encoded by one worker.
type lineChunk struct {
	seq           int
	data          []byte // whole lines, each ending in "\n" except maybe the last of the input
	out           []byte // their formatted ids
	ids           []uint32
	bytes, tokens int
}

func (c *lineChunk) encode(enc encodeFunc, format idFormat) {
	ids := c.ids[:0]
	out := c.out[:0] // locals: chunks sit side by side in memory
	// Room for the formatted ids of most text up front (growing from empty
	// costs copies and page faults); a reused chunk keeps what it grew to.
	out = slices.Grow(out, 2*len(c.data))
	tokens := 0
	for rest := c.data; len(rest) > 0; {
		line := rest
		if i := bytes.IndexByte(rest, '\n'); i >= 0 {
			line, rest = rest[:i], rest[i+1:]
		} else {
			rest = nil
		}
		ids = enc(ids[:0], line)
		tokens += len(ids)
		out = appendIDs(out, ids, format)
	}
	c.out, c.ids, c.bytes, c.tokens = out, ids, len(c.data), tokens
}

// chunkSize is how many bytes of whole lines a worker encodes at a time.
// Smaller chunks keep fewer fresh pages in flight (1 MiB chunks spent a
// sixth of a short run zeroing new buffers); much smaller ones cost more
// hand-offs between goroutines.
const chunkSize = 256 << 10

// readChunks cuts r into chunks of whole lines (a line longer than
// chunkSize makes a longer chunk) and sends them in order. Chunks come from
// free, so that their buffers are reused once written out.
func readChunks(r io.Reader, free *chunkPool, out chan<- *lineChunk) error {
	defer close(out)
	var carry []byte // the unfinished last line of the previous chunk
	for seq := 0; ; seq++ {
		c := free.get()
		data := append(c.data[:0], carry...)
		carry = carry[:0]
		eof := false
		for {
			// Read on into the same chunk until a line ends: a long line is
			// copied once per doubling of its buffer, not once per read.
			data = slices.Grow(data, chunkSize)
			n, err := io.ReadFull(r, data[len(data):len(data)+chunkSize])
			data = data[:len(data)+n]
			if err == io.EOF || err == io.ErrUnexpectedEOF {
				eof = true
				break
			}
			if err != nil {
				return err
			}
			if i := bytes.LastIndexByte(data[len(data)-n:], '\n'); i >= 0 {
				end := len(data) - n + i + 1
				carry = append(carry, data[end:]...)
				data = data[:end]
				break
			}
		}
		c.data = data
		if len(data) == 0 {
			free.put(c)
			return nil
		}
		c.seq = seq
		out <- c
		if eof {
			return nil
		}
	}
}

// chunkPool recycles lineChunks with their buffers.
type chunkPool struct{ free chan *lineChunk }

func newChunkPool(n int) *chunkPool {
	return &chunkPool{free: make(chan *lineChunk, n)}
}

func (p *chunkPool) get() *lineChunk {
	select {
	case c := <-p.free:
		return c
	default:
		return &lineChunk{}
	}
}

func (p *chunkPool) put(c *lineChunk) {
	select {
	case p.free <- c:
	default: // enough spares: let the collector have it
	}
}

// encodeLines encodes each line of r on its own with workers goroutines
// and writes the results in input order, so the output does not depend on
// the number of workers.
func encodeLines(r io.Reader, enc encodeFunc, format idFormat, workers int, w io.Writer, prog *encodeProgress) error {
	chunks := make(chan *lineChunk, 2*workers)
	done := make(chan *lineChunk, 2*workers)
	free := newChunkPool(4*workers + 2)
	readErr := make(chan error, 1)
	go func() { readErr <- readChunks(r, free, chunks) }()
	finished := make(chan struct{})
	for range workers {
		go func() {
			for c := range chunks {
				c.encode(enc, format)
				done <- c
			}
			finished <- struct{}{}
		}()
	}
	go func() {
		for range workers {
			<-finished
		}
		close(done)
	}()
	pending := map[int]*lineChunk{}
	next := 0
	var werr error
	for c := range done {
		pending[c.seq] = c
		for {
			c, ok := pending[next]
			if !ok {
				break
			}
			delete(pending, next)
			next++
			prog.add(c.bytes, c.tokens)
			if werr == nil {
				_, werr = w.Write(c.out)
			}
			free.put(c)
		}
	}
	if err := <-readErr; err != nil {
		return err
	}
	return werr
}

// encodeProgress prints throughput to standard error every few seconds and a
// summary at the end, when asked or when standard error is a terminal.
type encodeProgress struct {
	on            bool
	verb          string
	start, last   time.Time
	bytes, tokens int64
}

func newEncodeProgress(c *cli.Context, verb string) *encodeProgress {
	on := c.Bool("progress")
	if !c.IsSet("progress") {
		on = term.IsTerminal(int(os.Stderr.Fd()))
	}
	now := time.Now()
	return &encodeProgress{on: on, verb: verb, start: now, last: now}
}

func (p *encodeProgress) add(bytes, tokens int) {
	p.bytes += int64(bytes)
	p.tokens += int64(tokens)
	if !p.on || p.bytes&0xFFF != 0 && time.Since(p.last) < 2*time.Second {
		return
	}
	if now := time.Now(); now.Sub(p.last) >= 2*time.Second {
		p.last = now
		fmt.Fprintf(os.Stderr, "%s: %s\n", p.verb, p.summary(now))
	}
}

func (p *encodeProgress) summary(now time.Time) string {
	s := now.Sub(p.start).Seconds()
	return fmt.Sprintf("%.1f MB, %d tokens, %.2f s, %.2f MB/s, %.3f bytes/token",
		float64(p.bytes)/1e6, p.tokens, s, float64(p.bytes)/1e6/max(s, 1e-9), float64(p.bytes)/max(float64(p.tokens), 1))
}

func (p *encodeProgress) done() {
	if p.on {
		fmt.Fprintf(os.Stderr, "%s: done: %s\n", p.verb, p.summary(time.Now()))
	}
}

// encodeBench is the hidden --bench mode of scripts/bench-encode.sh: like
// the peers' PEER_TIME=1 PEER_NOOUT=1, it reads the input into memory,
// encodes each line on its own (on workers goroutines, chunks of lines)
// and reports the time of the encode loop alone.
func encodeBench(c *cli.Context, files []string, enc encodeFunc, workers int) error {
	var data []byte
	for _, name := range files {
		f, err := openIDInput(name)
		if err != nil {
			return err
		}
		b, err := io.ReadAll(f)
		f.Close()
		if err != nil {
			return err
		}
		data = append(data, b...)
	}
	var chunks []*lineChunk
	for rest := data; len(rest) > 0; {
		n := min(chunkSize, len(rest))
		if i := bytes.IndexByte(rest[n:], '\n'); i >= 0 {
			n += i + 1
		} else {
			n = len(rest)
		}
		chunks = append(chunks, &lineChunk{data: rest[:n]})
		rest = rest[n:]
	}
	start := time.Now()
	var wg sync.WaitGroup
	next := make(chan *lineChunk, len(chunks))
	for _, ch := range chunks {
		next <- ch
	}
	close(next)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var ids []uint32
			for ch := range next {
				tokens := 0 // local: chunks sit side by side in memory
				for rest := ch.data; len(rest) > 0; {
					line := rest
					if i := bytes.IndexByte(rest, '\n'); i >= 0 {
						line, rest = rest[:i], rest[i+1:]
					} else {
						rest = nil
					}
					ids = enc(ids[:0], line)
					tokens += len(ids)
				}
				ch.tokens = tokens
			}
		}()
	}
	wg.Wait()
	secs := time.Since(start).Seconds()
	tokens := 0
	for _, ch := range chunks {
		tokens += ch.tokens
	}
	fmt.Fprintf(c.App.ErrWriter, "peer=tok workers=%d encode_s=%.3f bytes=%d tokens=%d MBps=%.2f\n",
		workers, secs, len(data), tokens, float64(len(data))/1e6/secs)
	return nil
}
