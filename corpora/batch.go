package corpora

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/toklabs/tok"
)

// Batch is a run of consecutive documents of a Corpus whose texts share one
// buffer. Corpus.ReadBatch fills it; JSON Lines and line-split text are
// decompressed straight into the buffer and each document's text is the
// line itself, or its text field unescaped in place, so reading a document
// costs no copy beyond decompression.
//
// Ownership: a Batch belongs to its caller once ReadBatch returns (the
// Corpus keeps no reference to it) and its texts stay valid until the Batch
// is passed to ReadBatch again. Several goroutines may read one Batch at
// once.
type Batch struct {
	buf   []byte // input read in place, and the texts of other formats
	spill []byte // texts that did not fit where their record was (rare)
	docs  []BatchDoc
	text  int
	pool  BufferPool
	home  []byte // the buffer of UseBuffer
}

// BufferPool lends batches the text buffers they grow into (see
// Batch.UsePool).
type BufferPool interface {
	// Get returns an empty buffer of at least n bytes.
	Get(n int) []byte
	// Put takes back a buffer that its batch no longer uses.
	Put(buf []byte)
}

// BatchDoc is where one document of a Batch came from.
type BatchDoc struct {
	Input int32 // index in Corpus.Inputs of its input
	Index int64 // 0-based index of the document within its input
	Line  int64 // 1-based line where it starts, 0 if not line-based

	start, end int
	spilled    bool
}

// Len returns the number of documents.
func (b *Batch) Len() int { return len(b.docs) }

// Doc returns where the i-th document came from.
func (b *Batch) Doc(i int) BatchDoc { return b.docs[i] }

// Text returns the text of the i-th document.
func (b *Batch) Text(i int) []byte {
	d := &b.docs[i]
	if d.spilled {
		return b.spill[d.start:d.end:d.end]
	}
	return b.buf[d.start:d.end:d.end]
}

// TextBytes returns the total length of the texts.
func (b *Batch) TextBytes() int { return b.text }

// Cap returns the bytes of buffer the Batch holds.
func (b *Batch) Cap() int { return cap(b.buf) + cap(b.spill) }

// UseBuffer gives the batch buf (its length ignored) to read into from now
// on, until a document needs more room; the caller keeps buf alive and
// unchanged while the batch may use it. It lets a pipeline place its
// batches in memory it manages (internal/hugemem).
//
// The batch goes back to buf when Trim drops a larger one, and never gives
// buf to its pool (see UsePool).
func (b *Batch) UseBuffer(buf []byte) { b.buf, b.home = buf[:0], buf[:0] }

// UsePool makes the batch take the larger text buffers it needs from p,
// and give back the ones it leaves (Trim included), instead of allocating
// them: batches that share a pool share the memory that a few long
// documents need.
func (b *Batch) UsePool(p BufferPool) { b.pool = p }

// newBuf returns an empty buffer of at least n bytes.
func (b *Batch) newBuf(n int) []byte {
	if b.pool != nil {
		return b.pool.Get(n)[:0]
	}
	return make([]byte, 0, n)
}

// dropBuf leaves the text buffer (to the pool).
func (b *Batch) dropBuf() {
	if b.pool != nil && b.buf != nil && !b.isHome(b.buf) {
		b.pool.Put(b.buf[:0])
	}
	b.buf = nil
}

// isHome reports whether buf is the buffer given to UseBuffer.
func (b *Batch) isHome(buf []byte) bool {
	return cap(b.home) > 0 && cap(buf) > 0 && &buf[:1][0] == &b.home[:1][0]
}

// UseDocs is UseBuffer for the list of documents: the batch records them
// in docs until it needs more room.
func (b *Batch) UseDocs(docs []BatchDoc) { b.docs = docs[:0] }

// Trim drops the buffers when they hold more than keep bytes, so that one
// huge document does not pin its memory for the rest of a run.
func (b *Batch) Trim(keep int) {
	if cap(b.buf) > keep {
		b.dropBuf()
		if cap(b.home) <= keep {
			b.buf = b.home
		}
	}
	if cap(b.spill) > keep {
		b.spill = nil
	}
	if cap(b.docs) > keep/64 {
		b.docs = nil
	}
}

func (b *Batch) reset() {
	b.buf = b.buf[:0]
	b.spill = b.spill[:0]
	b.docs = b.docs[:0]
	b.text = 0
}

var errMixedReads = errors.New("corpora: Read after ReadBatch on the same Corpus")

// minRead is the least free space ReadBatch reads into; below it a batch
// ends (or, holding no document yet, grows). minBatch is the least batch
// size. Variables so that tests can make every boundary case frequent.
var (
	minRead  = 64 << 10
	minBatch = 4 << 10
)

// ReadBatch fills b with the next documents: about size bytes of text (at
// least one document, more than size when one document is larger), fewer
// at the end of the corpus. It returns io.EOF when no document is left.
// On an error b still holds the documents that precede it, which the
// caller may use. Documents are the same, in the same order, with the same
// errors, as those Read returns; a Corpus is read with one or the other.
func (c *Corpus) ReadBatch(b *Batch, size int) error {
	c.batchMode = true
	b.reset()
	size = max(size, minBatch)
	maxDocs := size/64 + 16
	if cap(b.buf) < size+minRead {
		b.dropBuf()
		b.buf = b.newBuf(size + minRead)
	}
	if cap(b.docs) < maxDocs {
		// At once rather than by append's doublings, which copy and
		// touch fresh pages (page faults were 3% of tok encode's CPU
		// on en-large in one perf profile here).
		b.docs = make([]BatchDoc, 0, maxDocs)
	}
	if li := c.lines; li != nil {
		b.buf = append(b.buf, li.carry...)
		li.carry = li.carry[:0]
		li.pos, li.scan, li.valid, li.mixed = 0, 0, 0, 0
	}
	for len(b.docs) < maxDocs && b.text < size {
		if c.lines == nil && c.cur == nil {
			c.countDone()
			if c.next >= len(c.inputs) {
				if len(b.docs) > 0 {
					return nil
				}
				return io.EOF
			}
			in := c.inputs[c.next]
			c.next++
			src, format, err := c.openInput(in)
			if err == errEmptyPiece {
				continue
			}
			if err == nil {
				if format == FormatJSONL || format == FormatText && in.Split == SplitLines {
					c.lines = newLineInput(src, format == FormatJSONL, &c.opts, int32(c.next-1), len(b.buf))
					continue
				}
				c.cur, err = c.newRecordReader(src, format, in)
			}
			if err != nil {
				var fe *tok.FormatError
				if errors.As(err, &fe) && c.opts.SkipBad {
					c.skipInput(in, err)
					continue
				}
				return err
			}
		}
		if li := c.lines; li != nil {
			done, err := li.fill(c, b, size, maxDocs)
			if done {
				li.src.close()
				c.lines = nil
			}
			if err != nil || !done {
				return err // the batch is full, or a bad record
			}
			continue
		}
		doc, ok, err := c.pending, c.hasPending, error(nil)
		if c.hasPending {
			c.hasPending = false
		} else if doc, ok, err = c.nextRecord(); err != nil {
			return err
		}
		if ok {
			if room := cap(b.buf) - len(b.buf); len(doc.Text) > room {
				if len(b.docs) > 0 {
					// The batch is full: the record starts the next one,
					// as a line longer than the room left does.
					c.pending, c.hasPending = doc, true
					return nil
				}
				nb := append(b.newBuf(len(b.buf)+len(doc.Text)), b.buf...)
				b.dropBuf()
				b.buf = nb
			}
			start := len(b.buf)
			b.buf = append(b.buf, doc.Text...)
			b.docs = append(b.docs, BatchDoc{Input: int32(c.next - 1), Index: doc.Index, Line: doc.Line, start: start, end: len(b.buf)})
			b.text += len(doc.Text)
		}
	}
	return nil
}

// lineInput reads a JSON Lines or line-split text input in place into
// batches.
type lineInput struct {
	src     *source
	json    bool
	opts    *Options
	input   int32
	maxLine int // longest line, without its end

	pos   int   // first unconsumed byte of the batch buffer
	scan  int   // bytes pos..scan hold no newline
	valid int   // bytes pos..valid are whole lines of valid UTF-8
	mixed int   // bytes before mixed are checked line by line
	off   int64 // input offset of pos
	line  int64 // lines consumed
	index int64 // records consumed (documents and bad records)
	carry []byte
	// Where a JSON line's text field has escapes (jsonFieldInPlace).
	escapes []int

	eof     bool
	readErr error
	// Inside a line longer than maxLine, whose bytes are dropped.
	discarding bool
	discardOff int64
}

func newLineInput(src *source, json bool, opts *Options, input int32, pos int) *lineInput {
	li := &lineInput{src: src, json: json, opts: opts, input: input, maxLine: opts.MaxDocBytes, pos: pos, scan: pos, off: src.off}
	if json {
		// As the record reader: the text plus escapes and other fields.
		li.maxLine = 2*opts.MaxDocBytes + 1<<16
	}
	return li
}

// fill adds the input's documents to b until the batch is full (done is
// false; the unconsumed bytes wait in li.carry) or the input ends (done).
// Bad records are skipped (with SkipBad) or returned.
func (li *lineInput) fill(c *Corpus, b *Batch, size, maxDocs int) (done bool, err error) {
	for {
		// Every complete line read so far (the batch may pass size by one
		// read): what is carried to the next batch is then only the start
		// of a line.
		for len(b.docs) < maxDocs {
			i := bytes.IndexByte(b.buf[li.scan:], '\n')
			if i < 0 {
				li.scan = len(b.buf)
				break
			}
			end := li.scan + i
			if err := li.consume(c, b, end, end+1); err != nil {
				li.carry = append(li.carry[:0], b.buf[li.pos:]...)
				b.buf = b.buf[:li.pos]
				return false, err
			}
		}
		if len(b.docs) >= maxDocs || b.text >= size {
			li.carry = append(li.carry[:0], b.buf[li.pos:]...)
			b.buf = b.buf[:li.pos]
			return false, nil
		}
		if li.eof || li.readErr != nil {
			if li.readErr == nil && li.pos < len(b.buf) {
				// The last line, without a newline.
				if err := li.consume(c, b, len(b.buf), len(b.buf)); err != nil {
					return true, err
				}
			} else if li.readErr == nil && li.discarding {
				if err := li.consume(c, b, li.pos, li.pos); err != nil {
					return true, err
				}
			}
			if li.readErr != nil {
				var fe *tok.FormatError
				if errors.As(li.readErr, &fe) {
					if c.opts.SkipBad {
						c.skip(fe)
						return true, nil
					}
					return true, fe
				}
				return true, fmt.Errorf("corpora: %s: %w", li.src.name, li.readErr)
			}
			return true, nil
		}
		if li.discarding {
			li.off += int64(len(b.buf) - li.pos)
			b.buf = b.buf[:li.pos]
			li.scan = li.pos
		} else if len(b.buf)-li.pos > li.maxLine+2 {
			// Longer than any line may be, and not ended yet: drop it.
			li.discarding = true
			li.discardOff = li.off
			li.off += int64(len(b.buf) - li.pos)
			b.buf = b.buf[:li.pos]
			li.scan = li.pos
		}
		// How far this batch reads: its size, or on to the end of a line
		// longer than a batch (which stays here rather than being copied
		// to the next batch; shorter ones move on, so that the batch
		// does not outgrow its buffer).
		// Performance notes: lines of up to a quarter of a batch moved
		// on before. Each batch that held a longer one then grew, and on
		// en-large.jsonl (documents up to 2 MB) the fresh memory was 3%
		// of tok encode's CPU on the development VM, where copying the
		// line costs far less.
		lim := size + minRead
		if len(b.buf)+minRead > lim {
			partial := len(b.buf) - li.pos
			if len(b.docs) > 0 && partial <= size {
				li.carry = append(li.carry[:0], b.buf[li.pos:]...)
				b.buf = b.buf[:li.pos]
				return false, nil
			}
			if len(b.docs) == 0 && li.pos > 0 {
				// Nothing in the buffer is a document: start it again.
				n := copy(b.buf, b.buf[li.pos:])
				li.scan -= li.pos
				b.buf, li.pos = b.buf[:n], 0
				li.valid, li.mixed = 0, 0
				b.spill = b.spill[:0]
			}
			lim = max(size, len(b.buf)) + minRead
		} else if len(b.docs) > 0 {
			// Read about what the batch still lacks: what is read past
			// its end is copied to the next batch, twice.
			lim = min(lim, len(b.buf)+size-b.text+minRead/16)
		}
		if cap(b.buf) < len(b.buf)+minRead && len(b.docs) > 0 && len(b.buf)-li.pos <= size {
			if cap(b.buf) == len(b.buf) {
				// Full of documents and the start of a short line: the
				// batch ends here rather than leave its buffer (which
				// may be the caller's, see UseBuffer).
				li.carry = append(li.carry[:0], b.buf[li.pos:]...)
				b.buf = b.buf[:li.pos]
				return false, nil
			}
			// Otherwise it reads into the room left.
		} else if cap(b.buf) < len(b.buf)+minRead {
			// A long line: grow by doubling, so that reading a line of n
			// bytes copies about n bytes. (By four it overshot: 2.5 MB
			// took a 9.2 MB buffer, which a pipeline does not keep.)
			nb := b.newBuf(max(2*cap(b.buf), len(b.buf)+minRead))[:len(b.buf)]
			copy(nb, b.buf)
			b.dropBuf()
			b.buf = nb
		}
		// Straight into the batch once br's buffer (filled when the
		// format was detected) is drained: through br every byte would be
		// copied twice (bufio reads directly only into 1 MiB or more).
		var from io.Reader = li.src.br
		if li.src.br.Buffered() == 0 {
			from = li.src.unbuffered
		}
		n, err := from.Read(b.buf[len(b.buf):min(cap(b.buf), lim)])
		b.buf = b.buf[:len(b.buf)+n]
		if err == io.EOF {
			li.eof = true
		} else if err != nil {
			li.readErr = err
		}
	}
}

// consume takes the line b.buf[li.pos:end] (next is where the following
// line starts) as a document, a blank line or a bad record.
func (li *lineInput) consume(c *Corpus, b *Batch, end, next int) error {
	start := li.off
	lineStart := li.pos
	li.off += int64(next - li.pos)
	li.pos, li.scan = next, next
	li.line++
	if li.discarding {
		li.discarding = false
		li.index++
		return li.bad(c, li.line, li.discardOff, li.tooLongMsg())
	}
	line := b.buf[lineStart:end]
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	if len(line) > li.maxLine {
		li.index++
		return li.bad(c, li.line, start, li.tooLongMsg())
	}
	if li.json && isBlank(line) || !li.json && len(line) == 0 {
		return nil
	}
	idx := li.index
	li.index++
	if !li.opts.AllowInvalidUTF8 && end > li.valid && !li.validUTF8(b.buf, lineStart, end) {
		off := start + int64(firstInvalid(line))
		return li.bad(c, li.line, off, fmt.Sprintf("invalid UTF-8 at byte offset %d", off))
	}
	d := BatchDoc{Input: li.input, Index: idx, Line: li.line, start: lineStart, end: lineStart + len(line)}
	if li.json {
		s, e, ok := jsonFieldInPlace(line, li.opts.TextField, &li.escapes)
		if ok {
			d.start, d.end = lineStart+s, lineStart+e
		} else {
			s0 := len(b.spill)
			var err error
			b.spill, err = jsonFieldNaive(b.spill, line, li.opts.TextField)
			if err != nil {
				b.spill = b.spill[:s0]
				return li.bad(c, li.line, start, err.Error())
			}
			if text := b.spill[s0:]; len(text) <= len(line) {
				d.end = lineStart + copy(line, text)
				b.spill = b.spill[:s0]
			} else {
				d.start, d.end, d.spilled = s0, len(b.spill), true
			}
		}
		if d.end-d.start > li.opts.MaxDocBytes {
			if d.spilled {
				b.spill = b.spill[:d.start]
			}
			return li.bad(c, li.line, start, fmt.Sprintf("text longer than the %d-byte document limit", li.opts.MaxDocBytes))
		}
	}
	b.docs = append(b.docs, d)
	b.text += d.end - d.start
	return nil
}

// validUTF8 reports whether buf[start:end], a line, is valid UTF-8. It
// checks on to the last line end in buf at once, which is about three
// times faster than line by line on short lines, and remembers how far the
// lines are valid. (A newline never falls inside a UTF-8 sequence, so the
// lines of valid text are valid.)
func (li *lineInput) validUTF8(buf []byte, start, end int) bool {
	if end > li.mixed {
		if nl := bytes.LastIndexByte(buf[end:], '\n'); nl > 0 {
			if utf8.Valid(buf[start : end+nl]) {
				li.valid = end + nl
				return true
			}
			li.mixed = end + nl // a bad line ahead: line by line up to there
		}
	}
	return utf8.Valid(buf[start:end])
}

func (li *lineInput) tooLongMsg() string {
	if li.json {
		return "JSON line longer than the document limit"
	}
	return fmt.Sprintf("line longer than the %d-byte document limit", li.opts.MaxDocBytes)
}

// bad skips a bad record (SkipBad) or returns it.
func (li *lineInput) bad(c *Corpus, line, off int64, msg string) error {
	err := &tok.FormatError{File: li.src.name, Line: int(line), Offset: off, Msg: msg}
	if c.opts.SkipBad {
		c.skip(err)
		return nil
	}
	return err
}
