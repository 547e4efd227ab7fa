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
// them) into one table. The Meta of all inputs must agree except for Rank
// and WorldSize; the result has Rank 0 and WorldSize 1 when the inputs are
// the complete set of ranks of one world, else the first input's.
func Merge(cs ...*Counts) (*Counts, error) {
	if len(cs) == 0 {
		return &Counts{Meta: Meta{WorldSize: 1}}, nil
	}
	out := &Counts{Meta: cs[0].Meta}
	ranks := map[int]bool{}
	for i, c := range cs {
		m, m0 := c.Meta, cs[0].Meta
		m.Rank, m.WorldSize, m0.Rank, m0.WorldSize = 0, 0, 0, 0
		if m != m0 {
			return nil, fmt.Errorf("wordcount: input %d was counted with %+v, input 0 with %+v", i, c.Meta, cs[0].Meta)
		}
		if c.Meta.WorldSize == cs[0].Meta.WorldSize {
			ranks[c.Meta.Rank] = true
		}
		out.Docs += c.Docs
		out.Bytes += c.Bytes
		out.Tokens += c.Tokens
	}
	if len(ranks) == cs[0].Meta.WorldSize && len(cs) == len(ranks) {
		out.Meta.Rank, out.Meta.WorldSize = 0, 1
	}
	n := 0
	for _, c := range cs {
		n += len(c.Words)
	}
	words := make([]Entry, 0, n)
	for _, c := range cs {
		words = append(words, c.Words...)
	}
	slices.SortStableFunc(words, func(a, b Entry) int { return strings.Compare(a.Word, b.Word) })
	j := -1
	for _, e := range words {
		if j >= 0 && words[j].Word == e.Word {
			if words[j].Count+e.Count < words[j].Count {
				return nil, fmt.Errorf("%w: word %q", ErrOverflow, e.Word)
			}
			words[j].Count += e.Count
			continue
		}
		j++
		words[j] = e
	}
	out.Words = words[:j+1]
	return out, nil
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
