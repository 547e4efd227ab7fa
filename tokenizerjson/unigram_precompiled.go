package tokenizerjson

// The "Precompiled" normalizer of tokenizer.json: a SentencePiece
// precompiled_charsmap (package sentencepiece's CharsMap) applied as HF
// tokenizers applies it.

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"sync"
	"unicode/utf8"

	"github.com/rivo/uniseg"

	"github.com/toklabs/tok"
	"github.com/toklabs/tok/normalize"
	"github.com/toklabs/tok/sentencepiece"
)

func init() { RegisterNormalizer("Precompiled", parsePrecompiled) }

type precompiledJSON struct {
	Type                string  `json:"type"`
	PrecompiledCharsmap *string `json:"precompiled_charsmap"`
}

func parsePrecompiled(raw json.RawMessage, path string) (normalize.Normalizer, error) {
	var j precompiledJSON
	if err := json.Unmarshal(raw, &j); err != nil {
		return nil, fmt.Errorf("%s: Precompiled: %w", path, err)
	}
	if j.PrecompiledCharsmap == nil || *j.PrecompiledCharsmap == "" {
		return &Precompiled{}, nil // HF treats a missing map as no rules
	}
	blob, err := base64.StdEncoding.DecodeString(*j.PrecompiledCharsmap)
	if err != nil {
		return nil, fmt.Errorf("%s.precompiled_charsmap: %w", path, err)
	}
	m, err := sentencepiece.ParseCharsMap(blob)
	if err != nil {
		return nil, fmt.Errorf("%s.precompiled_charsmap: %w", path, err)
	}
	return &Precompiled{Map: m}, nil
}

// Precompiled is HF's Precompiled normalizer: the text is split into
// extended grapheme clusters; a cluster shorter than 6 bytes that starts
// with a rule is replaced whole by the replacement of the shortest rule
// matching its start; otherwise each character is, likewise, replaced
// whole when a rule matches its start, or kept. (This is not
// SentencePiece's longest-match normalization; sentencepiece.Normalizer
// does that.) Bytes that are not valid UTF-8 are copied unchanged.
type Precompiled struct {
	Map *sentencepiece.CharsMap

	asciiOnce sync.Once
	ascii     *[utf8.RuneSelf]asciiRule // what the map does to each ASCII character alone
}

// asciiRule is the replacement of one ASCII character; same is set when
// the character is kept.
type asciiRule struct {
	repl []byte
	same bool
}

func (p *Precompiled) asciiRules() *[utf8.RuneSelf]asciiRule {
	p.asciiOnce.Do(func() {
		t := new([utf8.RuneSelf]asciiRule)
		for c := range t {
			if r, ok := p.Map.FirstMatch([]byte{byte(c)}); ok {
				t[c].repl = r
				t[c].same = len(r) == 1 && r[0] == byte(c)
			} else {
				t[c].same = true
			}
		}
		p.ascii = t
	})
	return p.ascii
}

// MarshalJSON writes the normalizer object.
func (p *Precompiled) MarshalJSON() ([]byte, error) {
	return json.Marshal(map[string]string{"type": "Precompiled",
		"precompiled_charsmap": base64.StdEncoding.EncodeToString(p.Map.Bytes())})
}

// Normalize implements normalize.Normalizer.
//
// A character that cannot join its neighbours in a grapheme cluster
// (see simpleAt) is a cluster of its own: ASCII ones go through a
// table of what the map does to each, and runs the map leaves alone are
// copied whole; others are looked up alone. The rest takes the cluster by
// cluster path (normalizeReference is the reference the fast path is
// fuzzed against).
func (p *Precompiled) Normalize(dst, src []byte) []byte {
	dst, _ = p.normalizeFast(dst, nil, src, false)
	return dst
}

// NormalizeAligned implements normalize.Normalizer, with Normalize's
// shortcuts; every output byte is aligned with its cluster.
func (p *Precompiled) NormalizeAligned(dst []byte, align []tok.Span, src []byte) ([]byte, []tok.Span) {
	return p.normalizeFast(dst, align, src, true)
}

// normalizeFast is Normalize, and NormalizeAligned when aligned is set.
func (p *Precompiled) normalizeFast(dst []byte, align []tok.Span, src []byte, aligned bool) ([]byte, []tok.Span) {
	tab, simple := p.asciiRules(), simpleRunes()
	// emit appends out, the normalization of src[from:to].
	emit := func(out []byte, from, to int) {
		dst = append(dst, out...)
		if aligned {
			for range out {
				align = append(align, tok.Span{Start: from, End: to})
			}
		}
	}
	state := -1
	for i := 0; i < len(src); {
		c := src[i]
		if c < utf8.RuneSelf && c != '\r' {
			// ASCII run src[i:j] of characters that are clusters alone.
			j := i + 1
			for j < len(src) && src[j] < utf8.RuneSelf && src[j] != '\r' {
				j++
			}
			if j < len(src) && src[j] >= utf8.RuneSelf && simpleAt(simple, src[j:]) == 0 {
				j-- // the last one may join what follows
			}
			for k := i; k < j; {
				if c := src[k]; !tab[c].same {
					emit(tab[c].repl, k, k+1)
					k++
					continue
				}
				n := k + 1
				for n < j && tab[src[n]].same {
					n++
				}
				dst = append(dst, src[k:n]...)
				if aligned {
					for b := k; b < n; b++ {
						align = append(align, tok.Span{Start: b, End: b + 1})
					}
				}
				k = n
			}
			if j > i {
				i = j
				state = -1
				continue
			}
		} else if n := simpleAt(simple, src[i:]); n > 0 {
			// Non-ASCII characters that are clusters alone, each looked up
			// alone; the last one of the run may join what follows.
			start := i
			for {
				next, m := i+n, 0
				if next < len(src) && src[next] >= utf8.RuneSelf {
					if m = simpleAt(simple, src[next:]); m == 0 {
						break
					}
				}
				if r, ok := p.Map.FirstMatch(src[i:next]); ok {
					emit(r, i, next)
				} else {
					emit(src[i:next], i, next)
				}
				i, n = next, m
				if m == 0 {
					break
				}
			}
			if i > start {
				state = -1
				continue
			}
		}
		// One cluster the slow way.
		cluster, _, _, st := uniseg.FirstGraphemeCluster(src[i:], state)
		state = st
		if len(cluster) < 6 && utf8.Valid(cluster) {
			if r, ok := p.Map.FirstMatch(cluster); ok {
				emit(r, i, i+len(cluster))
				i += len(cluster)
				continue
			}
		}
		for k := 0; k < len(cluster); {
			_, n := utf8.DecodeRune(cluster[k:])
			ch := cluster[k : k+n]
			if r, ok := p.Map.FirstMatch(ch); ok && utf8.Valid(ch) {
				emit(r, i+k, i+k+n)
			} else {
				emit(ch, i+k, i+k+n)
			}
			k += n
		}
		i += len(cluster)
	}
	return dst, align
}

// simpleAt returns the length of the character s starts with when it is a
// non-ASCII character (in simple, the table of simpleRunes) of the Basic Multilingual Plane that cannot join a
// neighbour in a grapheme cluster unless that neighbour asks for it
// (see simpleRunes), and 0 otherwise.
func simpleAt(simple *[0x10000 / 8]byte, s []byte) int {
	r, n := utf8.DecodeRune(s)
	if n < 2 || r > 0xFFFF || simple[r>>3]&(1<<(r&7)) == 0 {
		return 0
	}
	return n
}

// simpleRunes is a bitset of the BMP characters x for which a grapheme
// cluster boundary lies both before and after x whenever the neighbour is
// also such a character or ASCII (other than CR before LF): x neither
// joins what follows ('x' 'a' breaks: not Prepend) nor what precedes
// ('a' 'x' breaks: not Extend, SpacingMark or ZWJ), and is not a Hangul
// jamo (L, V, T join one another). The rules that join two such
// characters all need one of the left-out kinds, or two regional
// indicators (outside the BMP). It is built once from uniseg itself.
var simpleRunes = sync.OnceValue(func() *[0x10000 / 8]byte {
	t := new([0x10000 / 8]byte)
	alone := func(s string, first int) bool {
		c, _, _, _ := uniseg.FirstGraphemeClusterInString(s, -1)
		return len(c) == first
	}
	for r := rune(utf8.RuneSelf); r <= 0xFFFF; r++ {
		switch {
		case r >= 0xD800 && r <= 0xDFFF, // surrogates
			r >= 0x1100 && r <= 0x11FF, r >= 0xA960 && r <= 0xA97F, r >= 0xD7B0 && r <= 0xD7FF: // jamo
			continue
		}
		x := string(r)
		if alone(x+"a", len(x)) && alone("a"+x, 1) && alone(x+x, len(x)) {
			t[r>>3] |= 1 << (r & 7)
		}
	}
	return t
})

// normalizeReference is NormalizeAligned the slow way, cluster by cluster
// (the reference of FuzzPrecompiled_Normalize).
func (p *Precompiled) normalizeReference(dst []byte, align []tok.Span, src []byte) ([]byte, []tok.Span) {
	return p.normalize(dst, align, src, true)
}

func (p *Precompiled) normalize(dst []byte, align []tok.Span, src []byte, aligned bool) ([]byte, []tok.Span) {
	emit := func(b []byte, sp tok.Span) {
		dst = append(dst, b...)
		if aligned {
			for range b {
				align = append(align, sp)
			}
		}
	}
	state := -1
	for i := 0; i < len(src); {
		cluster, _, _, st := uniseg.FirstGraphemeCluster(src[i:], state)
		state = st
		if len(cluster) == 0 {
			break
		}
		base := i
		i += len(cluster)
		if len(cluster) < 6 && utf8.Valid(cluster) {
			if r, ok := p.Map.FirstMatch(cluster); ok {
				emit(r, tok.Span{Start: base, End: i})
				continue
			}
		}
		for k := 0; k < len(cluster); {
			_, n := utf8.DecodeRune(cluster[k:])
			ch := cluster[k : k+n]
			sp := tok.Span{Start: base + k, End: base + k + n}
			if r, ok := p.Map.FirstMatch(ch); ok && utf8.Valid(ch) {
				emit(r, sp)
			} else {
				emit(ch, sp)
			}
			k += n
		}
	}
	return dst, align
}
