package tokenizerjson

import (
	"bytes"
	"encoding/json"
	"unicode/utf8"
)

// The vocabulary and merges of a large tokenizer.json (hf-qwen3: 150k
// tokens, 150k merges) take most of the loading time when decoded through
// encoding/json's reflection. fastBPE reads them with a small scanner
// instead; the input has already been validated by the top-level
// json.Unmarshal. Whatever the scanner does not expect (an escape it does
// not handle, a number that is not a small integer, an unknown shape)
// makes it give up, and the caller decodes with encoding/json, which also
// produces the precise error.
//
// Performance notes: on hf-gpt4o (9.7 MB) encoding/json decoding of the
// model object cost about twice the whole fast path; the rest of loading is
// building the bpe.Model.

// rawRef is a json.RawMessage that keeps a reference to the decoder's
// input instead of copying it. It is only valid while the input is.
type rawRef []byte

// UnmarshalJSON implements json.Unmarshaler.
func (r *rawRef) UnmarshalJSON(b []byte) error {
	*r = b
	return nil
}

type scanner struct {
	b   []byte
	pos int
}

func (s *scanner) ws() {
	for s.pos < len(s.b) {
		switch s.b[s.pos] {
		case ' ', '\t', '\r', '\n':
			s.pos++
		default:
			return
		}
	}
}

// next skips white space and consumes c.
func (s *scanner) next(c byte) bool {
	s.ws()
	if s.pos < len(s.b) && s.b[s.pos] == c {
		s.pos++
		return true
	}
	return false
}

func (s *scanner) peek() byte {
	s.ws()
	if s.pos < len(s.b) {
		return s.b[s.pos]
	}
	return 0
}

// str reads a JSON string. Strings with escapes are decoded by
// encoding/json (exact, and rare in tokenizer files).
func (s *scanner) str() (string, bool) {
	if !s.next('"') {
		return "", false
	}
	start := s.pos
	escaped := false
	for s.pos < len(s.b) {
		c := s.b[s.pos]
		switch {
		case c == '"':
			raw := s.b[start:s.pos]
			s.pos++
			if !escaped {
				if !utf8.Valid(raw) {
					return "", false
				}
				return string(raw), true
			}
			var out string
			if json.Unmarshal(s.b[start-1:s.pos], &out) != nil {
				return "", false
			}
			return out, true
		case c == '\\':
			escaped = true
			s.pos += 2
		case c < 0x20:
			return "", false
		default:
			s.pos++
		}
	}
	return "", false
}

// uint32 reads a non-negative integer below 2^32.
func (s *scanner) uint32() (uint32, bool) {
	s.ws()
	start := s.pos
	var v uint64
	for s.pos < len(s.b) && s.b[s.pos] >= '0' && s.b[s.pos] <= '9' {
		v = v*10 + uint64(s.b[s.pos]-'0')
		if v > 1<<32-1 {
			return 0, false
		}
		s.pos++
	}
	if s.pos == start || s.pos-start > 1 && s.b[start] == '0' {
		return 0, false
	}
	if s.pos < len(s.b) {
		switch s.b[s.pos] {
		case '.', 'e', 'E':
			return 0, false
		}
	}
	return uint32(v), true
}

// value skips one JSON value and returns its bytes.
func (s *scanner) value() ([]byte, bool) {
	s.ws()
	start := s.pos
	depth := 0
	for s.pos < len(s.b) {
		c := s.b[s.pos]
		switch c {
		case '"':
			if _, ok := s.str(); !ok {
				return nil, false
			}
			if depth == 0 {
				return s.b[start:s.pos], true
			}
			continue
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth < 0 {
				return nil, false
			}
			if depth == 0 {
				s.pos++
				return s.b[start:s.pos], true
			}
		case ',', ':', ' ', '\t', '\r', '\n':
			if depth == 0 {
				return s.b[start:s.pos], s.pos > start
			}
		}
		s.pos++
	}
	return s.b[start:s.pos], depth == 0 && s.pos > start
}

func (s *scanner) vocab() (map[string]uint32, bool) {
	if !s.next('{') {
		return nil, false
	}
	// Size the map from a cheap estimate: one entry per ':'.
	m := make(map[string]uint32, bytes.Count(s.b[s.pos:min(len(s.b), s.pos+64<<20)], []byte(`":`))/2+1)
	if s.next('}') {
		return m, true
	}
	for {
		k, ok := s.str()
		if !ok || !s.next(':') {
			return nil, false
		}
		v, ok := s.uint32()
		if !ok {
			return nil, false
		}
		m[k] = v
		if s.next(',') {
			continue
		}
		return m, s.next('}')
	}
}

func (s *scanner) merges() (mergeList, bool) {
	var ml mergeList
	if !s.next('[') {
		return ml, false
	}
	if s.next(']') {
		return ml, true
	}
	ml.legacy = s.peek() == '"'
	for i := 0; ; i++ {
		var a, b string
		if ml.legacy {
			l, ok := s.str()
			if !ok {
				return ml, false
			}
			x, y, found := cutSpace(l)
			if !found && ml.bad == 0 {
				ml.bad = i + 1
			}
			a, b = x, y
		} else {
			var ok1, ok2 bool
			if !s.next('[') {
				return ml, false
			}
			a, ok1 = s.str()
			if !ok1 || !s.next(',') {
				return ml, false
			}
			b, ok2 = s.str()
			if !ok2 || !s.next(']') {
				return ml, false
			}
		}
		ml.pairs = append(ml.pairs, [2]string{a, b})
		if s.next(',') {
			continue
		}
		return ml, s.next(']')
	}
}

// cutSpace splits a legacy merge "a b" at its only space.
func cutSpace(l string) (string, string, bool) {
	i := -1
	for j := 0; j < len(l); j++ {
		if l[j] == ' ' {
			if i >= 0 {
				return "", "", false
			}
			i = j
		}
	}
	if i < 0 {
		return "", "", false
	}
	return l[:i], l[i+1:], true
}

// fastBPE decodes a BPE model object; ok is false when it gives up.
func fastBPE(raw []byte) (v bpeJSON, ok bool) {
	s := &scanner{b: raw}
	if !s.next('{') {
		return v, false
	}
	if s.next('}') {
		return v, true
	}
	for {
		k, ok := s.str()
		if !ok || !s.next(':') {
			return v, false
		}
		switch k {
		case "vocab":
			if s.peek() == 'n' {
				if _, ok := s.value(); !ok {
					return v, false
				}
				break
			}
			if v.Vocab, ok = s.vocab(); !ok {
				return v, false
			}
		case "merges":
			if s.peek() == 'n' {
				if _, ok := s.value(); !ok {
					return v, false
				}
				break
			}
			if v.Merges, ok = s.merges(); !ok {
				return v, false
			}
		default:
			val, ok := s.value()
			if !ok {
				return v, false
			}
			// One small field: let encoding/json put it in place.
			obj := make([]byte, 0, len(k)+len(val)+8)
			obj = append(obj, '{')
			obj = jsonString(obj, k)
			obj = append(obj, ':')
			obj = append(obj, val...)
			obj = append(obj, '}')
			if json.Unmarshal(obj, &v) != nil {
				return v, false
			}
		}
		if s.next(',') {
			continue
		}
		return v, s.next('}')
	}
}

// fastType returns the "type" field of a component object without
// decoding the rest (the model object is megabytes long).
func fastType(raw []byte) (string, bool) {
	s := &scanner{b: raw}
	if !s.next('{') {
		return "", false
	}
	if s.next('}') {
		return "", true
	}
	for {
		k, ok := s.str()
		if !ok || !s.next(':') {
			return "", false
		}
		if k == "type" {
			if s.peek() != '"' {
				return "", false
			}
			return s.str()
		}
		if _, ok := s.value(); !ok {
			return "", false
		}
		if !s.next(',') {
			return "", s.next('}')
		}
	}
}
