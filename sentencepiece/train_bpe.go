package sentencepiece

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// trainBPE learns merges SentencePiece-style: words (▁-prefixed, with
// counts) start as characters; the most frequent adjacent pair whose
// concatenation is a valid piece is merged everywhere, until the
// vocabulary is full. Ties go to the smaller merged text, then to the
// smaller symbol ids. Piece i gets score -i, so the merge order is in the
// scores; the required characters follow the merged pieces.
//
// Memory: the words' symbols live in one flat array; each pair that some
// word holds has one entry (count, queue position, the words it occurs
// in), sits in the queue at most once and moves there in place as merges
// change its count; the entry of a pair no word holds any more is reused.
// On 4.6 MB of Japanese (vocabulary 8000) this took peak RSS from 129 to
// 58 MB (spm_train: 158 MB).
func trainBPE(words []string, freqs []int64, required []rune, cfg *TrainConfig) ([]scoredPiece, error) {
	meta := metaCount(cfg)
	target := cfg.VocabSize - meta - len(required)
	if target < 0 {
		return nil, fmt.Errorf("sentencepiece: vocabulary size %d is too small: %d required characters plus %d meta pieces", cfg.VocabSize, len(required), meta)
	}
	t := newBPETrainer(words, required, cfg)
	t.countPairs(freqs)
	var pieces []scoredPiece
	for len(pieces) < target && len(t.queue) > 0 {
		top := t.queue[0]
		if t.pair(top).count <= 0 {
			break
		}
		t.remove(top)
		a, b := t.pair(top).a, t.pair(top).b
		newText := t.symText[a] + t.symText[b]
		nid := t.intern(newText)
		pieces = append(pieces, scoredPiece{newText, -float64(len(pieces))})
		if len(pieces)%1000 == 0 {
			cfg.logf("bpe: %d of %d merges, last %q (count %d)", len(pieces), target, newText, t.pair(top).count)
		}
		// add changes the count of pair (x, y) by delta for an occurrence
		// in word wi and moves it in the queue at once (fixing several
		// changed entries later would compare them with each other's stale
		// counts). The merged pair itself is out of the queue for good.
		add := func(x, y, wi int32, delta int64) {
			if x < 0 || y < 0 {
				return
			}
			pi := t.pairIndex(x, y)
			if pi < 0 {
				return
			}
			p := t.pair(pi)
			p.count += delta
			if delta > 0 {
				if ws := p.where; len(ws) == 0 || ws[len(ws)-1] != wi {
					p.where = append(p.where, wi)
				}
			}
			switch {
			case pi == top:
			case p.count > 0 && p.heap >= 0:
				t.fix(pi)
			case p.count > 0:
				t.push(pi)
			default: // (gone from every word: the entry is free)
				if p.heap >= 0 {
					t.remove(pi)
				}
				t.release(pi)
			}
		}
		ws := t.pair(top).where
		t.pair(top).where = nil
		for _, wi := range ws {
			seq := t.word(wi)
			f := freqs[wi]
			out := seq[:0]
			lastMerged := false // out's last symbol is a merge made in this pass
			for k := 0; k < len(seq); k++ {
				if k+1 < len(seq) && seq[k] == a && seq[k+1] == b {
					if len(out) > 0 {
						if !lastMerged {
							// (the pair left of a merge made in this pass
							// was already taken away as its right pair)
							add(out[len(out)-1], seq[k], wi, -f)
						}
						add(out[len(out)-1], nid, wi, f)
					}
					if k+2 < len(seq) {
						add(seq[k+1], seq[k+2], wi, -f)
						// The right neighbour pairs with the new symbol,
						// unless it starts another occurrence of the pair.
						if !(k+3 < len(seq) && seq[k+2] == a && seq[k+3] == b) {
							add(nid, seq[k+2], wi, f)
						}
					}
					out = append(out, nid)
					lastMerged = true
					k++
					continue
				}
				out = append(out, seq[k])
				lastMerged = false
			}
			t.size[wi] = int32(len(out))
		}
		t.release(top)
	}
	for _, c := range required {
		pieces = append(pieces, scoredPiece{string(c), -float64(len(pieces))})
	}
	cfg.logf("bpe: %d merged pieces, %d characters", len(pieces)-len(required), len(required))
	return pieces, nil
}

// bpeTrainer holds the state of a BPE training run.
type bpeTrainer struct {
	cfg     *TrainConfig
	symText []string // symbol id → text; the required characters first
	symID   map[string]int32
	// Word i's symbols are sym[start[i]:start[i]+size[i]]; merges shrink
	// them in place. Characters outside the vocabulary are -1 and never
	// merge.
	sym   []int32
	start []int
	size  []int32
	// index maps a pair of symbols to its entry in pairs, or to -1 when
	// their concatenation is not a valid piece. Pairs that no word holds
	// any more leave it, and their entries are reused (free).
	index map[[2]int32]int32
	pairs [][]bpePairStat // in chunks of pairChunk entries, which never move
	npair int32           // entries made
	free  []int32
	// queue is a max-heap of pair entries with a positive count (see less).
	queue []int32
}

// bpePairStat is a pair of adjacent symbols whose concatenation is a valid
// piece.
type bpePairStat struct {
	a, b  int32
	count int64 // occurrences in the words, weighted by word frequency
	heap  int32 // position in the queue, -1 when not queued
	// where lists the words that held the pair when it was counted; it
	// may be stale (words merged since) but misses none.
	where []int32
}

func newBPETrainer(words []string, required []rune, cfg *TrainConfig) *bpeTrainer {
	t := &bpeTrainer{cfg: cfg, symID: map[string]int32{}, index: map[[2]int32]int32{}}
	charID := make(map[rune]int32, len(required))
	for _, c := range required {
		id := t.intern(string(c))
		if c != unkChar {
			charID[c] = id
		}
	}
	total := 0
	for _, w := range words {
		total += utf8.RuneCountInString(w)
	}
	t.sym = make([]int32, 0, total)
	t.start = make([]int, len(words))
	t.size = make([]int32, len(words))
	for i, w := range words {
		t.start[i] = len(t.sym)
		for _, c := range w {
			id, ok := charID[c]
			if !ok {
				id = -1
			}
			t.sym = append(t.sym, id)
		}
		t.size[i] = int32(len(t.sym) - t.start[i])
	}
	return t
}

func (t *bpeTrainer) intern(s string) int32 {
	if id, ok := t.symID[s]; ok {
		return id
	}
	id := int32(len(t.symText))
	t.symText = append(t.symText, s)
	t.symID[s] = id
	return id
}

// word returns word i's symbols.
func (t *bpeTrainer) word(i int32) []int32 {
	s := t.start[i]
	return t.sym[s : s+int(t.size[i])]
}

// pairIndex returns the entry of pair (a, b), made on first sight, or -1
// when the pair's concatenation is not a valid piece.
func (t *bpeTrainer) pairIndex(a, b int32) int32 {
	key := [2]int32{a, b}
	if pi, ok := t.index[key]; ok {
		return pi
	}
	pi := int32(-1)
	s := t.symText[a] + t.symText[b]
	if utf8.RuneCountInString(s) <= t.cfg.MaxPieceLength && t.cfg.validPiece([]rune(s)) {
		if n := len(t.free); n > 0 {
			pi, t.free = t.free[n-1], t.free[:n-1]
		} else {
			if t.npair%pairChunk == 0 {
				t.pairs = append(t.pairs, make([]bpePairStat, pairChunk))
			}
			pi = t.npair
			t.npair++
		}
		*t.pair(pi) = bpePairStat{a: a, b: b, heap: -1}
	}
	t.index[key] = pi
	return pi
}

const pairChunk = 1 << 12

// pair returns pair entry pi.
func (t *bpeTrainer) pair(pi int32) *bpePairStat {
	return &t.pairs[pi/pairChunk][pi%pairChunk]
}

// release frees the entry of a pair that no word holds.
func (t *bpeTrainer) release(pi int32) {
	p := t.pair(pi)
	delete(t.index, [2]int32{p.a, p.b})
	*p = bpePairStat{heap: -1}
	t.free = append(t.free, pi)
}

// countPairs counts the pairs of the words and queues them. It goes over
// the words twice so that each pair's word list is allocated once, at
// its final size.
func (t *bpeTrainer) countPairs(freqs []int64) {
	var last []int32 // per pair entry, the last word counted
	for wi := range t.start {
		seq := t.word(int32(wi))
		for k := 0; k+1 < len(seq); k++ {
			if seq[k] < 0 || seq[k+1] < 0 {
				continue
			}
			pi := t.pairIndex(seq[k], seq[k+1])
			if pi < 0 {
				continue
			}
			for len(last) < int(t.npair) {
				last = append(last, -1)
			}
			p := t.pair(pi)
			p.count += freqs[wi]
			if last[pi] != int32(wi) { // (heap counts the words here)
				last[pi] = int32(wi)
				p.heap++
			}
		}
	}
	last = nil
	for i := range t.npair {
		p := t.pair(i)
		p.where = make([]int32, 0, p.heap+1)
		p.heap = -1
	}
	for wi := range t.start {
		seq := t.word(int32(wi))
		for k := 0; k+1 < len(seq); k++ {
			if seq[k] < 0 || seq[k+1] < 0 {
				continue
			}
			pi := t.index[[2]int32{seq[k], seq[k+1]}]
			if pi < 0 {
				continue
			}
			p := t.pair(pi)
			if ws := p.where; len(ws) == 0 || ws[len(ws)-1] != int32(wi) {
				p.where = append(p.where, int32(wi))
			}
		}
	}
	t.queue = make([]int32, 0, t.npair)
	for i := range t.npair {
		t.pair(i).heap = int32(len(t.queue))
		t.queue = append(t.queue, i)
	}
	for i := len(t.queue)/2 - 1; i >= 0; i-- {
		t.down(i)
	}
}

// less orders pair entries for the queue: the higher count first, then
// the smaller merged text, then the smaller symbol ids (two pairs can
// make the same text), so training is deterministic.
func (t *bpeTrainer) less(i, j int32) bool {
	p, q := t.pair(i), t.pair(j)
	if p.count != q.count {
		return p.count > q.count
	}
	if c := compareConcat(t.symText[p.a], t.symText[p.b], t.symText[q.a], t.symText[q.b]); c != 0 {
		return c < 0
	}
	if p.a != q.a {
		return p.a < q.a
	}
	return p.b < q.b
}

// compareConcat compares x1+x2 with y1+y2 without building them.
func compareConcat(x1, x2, y1, y2 string) int {
	for len(x1)+len(x2) > 0 && len(y1)+len(y2) > 0 {
		if len(x1) == 0 {
			x1, x2 = x2, ""
		}
		if len(y1) == 0 {
			y1, y2 = y2, ""
		}
		n := min(len(x1), len(y1))
		if c := strings.Compare(x1[:n], y1[:n]); c != 0 {
			return c
		}
		x1, y1 = x1[n:], y1[n:]
	}
	switch x, y := len(x1)+len(x2), len(y1)+len(y2); {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

func (t *bpeTrainer) set(pos int, pi int32) {
	t.queue[pos] = pi
	t.pair(pi).heap = int32(pos)
}

func (t *bpeTrainer) up(pos int) {
	pi := t.queue[pos]
	for pos > 0 {
		parent := (pos - 1) / 2
		if !t.less(pi, t.queue[parent]) {
			break
		}
		t.set(pos, t.queue[parent])
		pos = parent
	}
	t.set(pos, pi)
}

func (t *bpeTrainer) down(pos int) {
	pi := t.queue[pos]
	n := len(t.queue)
	for {
		c := 2*pos + 1
		if c >= n {
			break
		}
		if r := c + 1; r < n && t.less(t.queue[r], t.queue[c]) {
			c = r
		}
		if !t.less(t.queue[c], pi) {
			break
		}
		t.set(pos, t.queue[c])
		pos = c
	}
	t.set(pos, pi)
}

func (t *bpeTrainer) push(pi int32) {
	t.queue = append(t.queue, pi)
	t.up(len(t.queue) - 1)
}

// fix restores the queue order after pair entry pi's count changed.
func (t *bpeTrainer) fix(pi int32) {
	pos := int(t.pair(pi).heap)
	t.up(pos)
	if t.queue[pos] == pi {
		t.down(pos)
	}
}

// remove takes pair entry pi out of the queue.
func (t *bpeTrainer) remove(pi int32) {
	pos := int(t.pair(pi).heap)
	last := len(t.queue) - 1
	t.pair(pi).heap = -1
	if pos != last {
		moved := t.queue[last]
		t.queue = t.queue[:last]
		t.set(pos, moved)
		t.fix(moved)
	} else {
		t.queue = t.queue[:last]
	}
}
