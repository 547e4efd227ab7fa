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
// An ASCII character followed by another ASCII character (or ending the
// text) is a grapheme cluster of its own, except CR before LF: such
// characters go through a table of what the map does to each, and runs
// the map leaves alone are copied whole. The rest takes the cluster by
// cluster path (normalizeReference is the reference the fast path is
// fuzzed against).
func (p *Precompiled) Normalize(dst, src []byte) []byte {
	tab := p.asciiRules()
	state := -1
	for i := 0; i < len(src); {
		// ASCII run src[i:j]; its last character may start a cluster with
		// what follows (a combining mark), so it is left to the slow path
		// unless the run ends the text.
		j := i
		for j < len(src) && src[j] < utf8.RuneSelf {
			j++
		}
		end := j
		if j < len(src) && j > i {
			end = j - 1
		}
		for k := i; k < end; {
			c := src[k]
			if c == '\r' && k+1 < len(src) && src[k+1] == '\n' {
				end = k // CR LF is one cluster
				break
			}
			if !tab[c].same {
				dst = append(dst, tab[c].repl...)
				k++
				continue
			}
			n := k + 1
			for n < end && src[n] < utf8.RuneSelf && tab[src[n]].same && src[n] != '\r' {
				n++
			}
			dst = append(dst, src[k:n]...)
			k = n
		}
		if end > i {
			i = end
			state = -1
			continue
		}
		// One cluster the slow way.
		cluster, _, _, st := uniseg.FirstGraphemeCluster(src[i:], state)
		state = st
		dst = p.appendCluster(dst, cluster)
		i += len(cluster)
	}
	return dst
}

// appendCluster appends the normalization of one grapheme cluster.
func (p *Precompiled) appendCluster(dst, cluster []byte) []byte {
	if len(cluster) < 6 && utf8.Valid(cluster) {
		if r, ok := p.Map.FirstMatch(cluster); ok {
			return append(dst, r...)
		}
	}
	for k := 0; k < len(cluster); {
		_, n := utf8.DecodeRune(cluster[k:])
		ch := cluster[k : k+n]
		if r, ok := p.Map.FirstMatch(ch); ok && utf8.Valid(ch) {
			dst = append(dst, r...)
		} else {
			dst = append(dst, ch...)
		}
		k += n
	}
	return dst
}

// normalizeReference is Normalize the slow way, cluster by cluster (the
// reference of FuzzPrecompiled_Normalize).
func (p *Precompiled) normalizeReference(dst, src []byte) []byte {
	dst, _ = p.normalize(dst, nil, src, false)
	return dst
}

// NormalizeAligned implements normalize.Normalizer.
func (p *Precompiled) NormalizeAligned(dst []byte, align []tok.Span, src []byte) ([]byte, []tok.Span) {
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
