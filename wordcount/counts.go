package wordcount

import (
	"bytes"
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Entry is one distinct word and how often it occurred.
type Entry struct {
	Word  string // the pre-token's bytes (any bytes, not necessarily UTF-8)
	Count uint64
}

// Counts is a table of distinct words. Words is sorted by bytes
// (ascending, no duplicates) unless a method says otherwise.
//
// Docs, Bytes and Tokens describe the text counted (summed by [Merge]);
// Meta records how (the pre-tokenizer) so that counts made differently are
// not merged by mistake.
type Counts struct {
	Meta   Meta
	Words  []Entry
	Docs   int64
	Bytes  int64
	Tokens uint64
}

// Meta says how counts were made. Counts merge only when their Meta agree
// (Rank and WorldSize aside).
type Meta struct {
	PreTokenizer string `json:"pre_tokenizer"` // name or regex, as given to the CLI
	Lines        bool   `json:"lines"`         // Config.Lines
	MaxWords     int    `json:"max_words"`     // Config.MaxWords (0: exact)
	Rank         int    `json:"rank"`
	WorldSize    int    `json:"world_size"`
}

// FromMap builds sorted Counts from a map.
func FromMap(m map[string]uint64) *Counts {
	c := &Counts{Words: make([]Entry, 0, len(m))}
	for w, n := range m {
		c.Words = append(c.Words, Entry{w, n})
	}
	c.SortByBytes()
	return c
}

// SortByBytes sorts Words by bytes ascending (the canonical order).
func (c *Counts) SortByBytes() {
	slices.SortFunc(c.Words, func(a, b Entry) int { return strings.Compare(a.Word, b.Word) })
}

// SortByCount sorts Words by count descending, then bytes ascending.
func (c *Counts) SortByCount() {
	slices.SortFunc(c.Words, func(a, b Entry) int {
		if r := cmp.Compare(b.Count, a.Count); r != 0 {
			return r
		}
		return strings.Compare(a.Word, b.Word)
	})
}

// Total is the sum of the counts (it saturates at 2^64-1).
func (c *Counts) Total() uint64 {
	var t uint64
	for _, e := range c.Words {
		if t+e.Count < t {
			return ^uint64(0)
		}
		t += e.Count
	}
	return t
}

// Map returns the counts as a map.
func (c *Counts) Map() map[string]uint64 {
	m := make(map[string]uint64, len(c.Words))
	for _, e := range c.Words {
		m[e.Word] += e.Count
	}
	return m
}

// Merge sums counts sorted by bytes (as [Count] and [ReadFile] return
// them; unsorted input gives a wrong result) into one table. The Meta of all inputs must agree except for Rank
// and WorldSize; the result has Rank 0 and WorldSize 1 when the inputs are
// the complete set of ranks of one world, else the first input's.
func Merge(cs ...*Counts) (*Counts, error) {
	if len(cs) == 0 {
		return &Counts{Meta: Meta{WorldSize: 1}}, nil
	}
	acc := &Counts{Meta: cs[0].Meta}
	metas := make([]Meta, 0, len(cs))
	for _, c := range cs {
		var err error
		if acc, err = mergeInto(acc, c); err != nil {
			return nil, err
		}
		metas = append(metas, c.Meta)
	}
	setWholeWorld(acc, metas)
	return acc, nil
}

// mergeInto returns acc plus c (acc's Meta is kept). acc's words may be
// reused.
func mergeInto(acc, c *Counts) (*Counts, error) {
	m, m0 := c.Meta, acc.Meta
	m.Rank, m.WorldSize, m0.Rank, m0.WorldSize = 0, 0, 0, 0
	if m != m0 {
		return nil, fmt.Errorf("wordcount: counts made with %+v cannot be merged with counts made with %+v", c.Meta, acc.Meta)
	}
	words, err := merge2(acc.Words, c.Words)
	if err != nil {
		return nil, err
	}
	return &Counts{Meta: acc.Meta, Words: words, Docs: acc.Docs + c.Docs, Bytes: acc.Bytes + c.Bytes, Tokens: acc.Tokens + c.Tokens}, nil
}

// setWholeWorld marks merged counts as rank 0 of 1 when metas are exactly
// the ranks 0..W-1 of one world of size W.
func setWholeWorld(c *Counts, metas []Meta) {
	w := metas[0].WorldSize
	seen := map[int]bool{}
	for _, m := range metas {
		if m.WorldSize != w || seen[m.Rank] {
			return
		}
		seen[m.Rank] = true
	}
	if len(seen) == w {
		c.Meta.Rank, c.Meta.WorldSize = 0, 1
	}
}

// merge2 merges two tables sorted by bytes, summing equal words.
func merge2(a, b []Entry) ([]Entry, error) {
	if len(a) == 0 {
		return slices.Clone(b), nil
	}
	out := make([]Entry, 0, max(len(a), len(b)))
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch c := strings.Compare(a[i].Word, b[j].Word); {
		case c < 0:
			out = append(out, a[i])
			i++
		case c > 0:
			out = append(out, b[j])
			j++
		default:
			n := a[i].Count + b[j].Count
			if n < a[i].Count {
				return nil, fmt.Errorf("%w: word %q", ErrOverflow, a[i].Word)
			}
			out = append(out, Entry{a[i].Word, n})
			i++
			j++
		}
	}
	out = append(out, a[i:]...)
	return append(out, b[j:]...), nil
}

// Format prints the table as "count<TAB>word" lines with the word quoted
// as a Go string, in the current order; for humans and tests.
func (c *Counts) Format(max int) string {
	var b bytes.Buffer
	for i, e := range c.Words {
		if max > 0 && i == max {
			break
		}
		fmt.Fprintf(&b, "%d\t%q\n", e.Count, e.Word)
	}
	return b.String()
}
