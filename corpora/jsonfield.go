package corpora

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/toklabs/tok/internal/jsonstr"
)

// jsonFieldInPlace finds the string field name of the JSON object line and
// unescapes it in place: the text is line[start:end] afterwards. Unescaping
// never lengthens a string, so it writes behind where it reads. The line is
// only changed once it is known to be valid, so that when ok is false (the
// same lines as appendJSONField declines) the caller can still give it to
// jsonFieldNaive. FuzzJSONFieldInPlace checks it against appendJSONField.
//
// escapes is scratch space, kept by the caller from line to line: the
// checking pass records where the field's escapes are, so that unescaping
// copies the runs between them without scanning them again.
// Performance notes: scanning twice was about 2% of tok encode's CPU on
// en-large.jsonl (an escape every 54 bytes, mostly \n).
func jsonFieldInPlace(line []byte, name string, escapes *[]int) (start, end int, ok bool) {
	p := jsonScanner{b: line, escapes: escapes}
	start, end, escaped, ok := p.fieldSpan(name)
	if !ok || !escaped {
		return start, end, ok
	}
	w, r := start, start // write and read positions
	for _, e := range *escapes {
		if e < r {
			continue // the second half of a surrogate pair, decoded with the first
		}
		w += copy(line[w:], line[r:e])
		out, next, good := jsonstr.DecodeEscape(line[w:w], line, e)
		if !good { // cannot happen: fieldSpan checked the string
			return 0, 0, false
		}
		w, r = w+len(out), next
	}
	w += copy(line[w:], line[r:end])
	return start, w, true
}

// jsonFieldSpan checks line as appendJSONField does and returns where the
// (last) value of the field name lies between its quotes, and whether it
// holds escapes.
func jsonFieldSpan(line []byte, name string) (start, end int, escaped, ok bool) {
	p := jsonScanner{b: line}
	return p.fieldSpan(name)
}

// fieldSpan is jsonFieldSpan on p.b; with p.escapes set, it leaves there
// the positions of the backslashes of the field's (last) value.
func (p *jsonScanner) fieldSpan(name string) (start, end int, escaped, ok bool) {
	p.space()
	if !p.eat('{') {
		return 0, 0, false, false
	}
	found := false
	p.space()
	if p.eat('}') {
		return 0, 0, false, false
	}
	for {
		p.space()
		key, simple := p.rawString()
		if !simple {
			return 0, 0, false, false
		}
		p.space()
		if !p.eat(':') {
			return 0, 0, false, false
		}
		p.space()
		if string(key) == name {
			if p.i >= len(p.b) || p.b[p.i] != '"' {
				return 0, 0, false, false
			}
			// A later duplicate key wins, as in encoding/json.
			s := p.i + 1
			var esc bool
			if p.escapes != nil {
				*p.escapes = (*p.escapes)[:0]
				p.record = true
			}
			esc, ok = p.skipString()
			p.record = false
			if !ok {
				return 0, 0, false, false
			}
			start, end, escaped, found = s, p.i-1, esc, true
		} else if !p.skipValue(0) {
			return 0, 0, false, false
		}
		p.space()
		if p.eat(',') {
			continue
		}
		if !p.eat('}') {
			return 0, 0, false, false
		}
		break
	}
	p.space()
	return start, end, escaped, found && p.i == len(p.b)
}

// skipString passes over the string at p.i, checking it as appendString
// does; escaped reports a backslash in it.
func (p *jsonScanner) skipString() (escaped, ok bool) {
	if !p.eat('"') {
		return false, false
	}
	for {
		p.i = jsonstr.Special(p.b, p.i)
		if p.i >= len(p.b) {
			return escaped, false
		}
		switch c := p.b[p.i]; {
		case c == '"':
			p.i++
			return escaped, true
		case c < 0x20:
			return escaped, false
		}
		escaped = true
		if p.record {
			*p.escapes = append(*p.escapes, p.i)
		}
		if p.i+1 >= len(p.b) {
			return escaped, false
		}
		switch p.b[p.i+1] {
		case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			p.i += 2
		case 'u':
			if _, ok := jsonstr.Hex4(p.b, p.i+2); !ok {
				return escaped, false
			}
			p.i += 6
		default:
			return escaped, false
		}
	}
}

// appendJSONField appends the value of the string field name of the JSON
// object line to dst. It is the fast path of the JSON Lines reader: one
// pass over the line, validating its structure, without building a map.
// ok is false when the line is anything it does not handle exactly like
// encoding/json (bad JSON, escaped keys, a missing or non-string field); the
// caller then runs jsonFieldNaive, the reference, which also words the
// error. FuzzJSONField checks the two against each other.
func appendJSONField(dst, line []byte, name string) (out []byte, ok bool) {
	p := jsonScanner{b: line}
	p.space()
	if !p.eat('{') {
		return dst, false
	}
	found := false
	start := len(dst)
	p.space()
	if p.eat('}') {
		return dst, false
	}
	for {
		p.space()
		key, simple := p.rawString()
		if !simple {
			return dst, false
		}
		p.space()
		if !p.eat(':') {
			return dst, false
		}
		p.space()
		if string(key) == name {
			if p.i >= len(p.b) || p.b[p.i] != '"' {
				return dst, false
			}
			// A later duplicate key wins, as in encoding/json.
			var good bool
			dst, good = p.appendString(dst[:start])
			if !good {
				return dst, false
			}
			found = true
		} else if !p.skipValue(0) {
			return dst, false
		}
		p.space()
		if p.eat(',') {
			continue
		}
		if !p.eat('}') {
			return dst, false
		}
		break
	}
	p.space()
	return dst, found && p.i == len(p.b)
}

type jsonScanner struct {
	b []byte
	i int
	// With record set, skipString appends where its escapes are.
	escapes *[]int
	record  bool
}

func (p *jsonScanner) space() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *jsonScanner) eat(c byte) bool {
	if p.i < len(p.b) && p.b[p.i] == c {
		p.i++
		return true
	}
	return false
}

// rawString reads a string without escapes and returns its bytes; simple
// is false for anything else.
func (p *jsonScanner) rawString() (s []byte, simple bool) {
	if !p.eat('"') {
		return nil, false
	}
	start := p.i
	for p.i < len(p.b) {
		c := p.b[p.i]
		switch {
		case c == '"':
			s = p.b[start:p.i]
			p.i++
			return s, true
		case c == '\\' || c < 0x20:
			return nil, false
		}
		p.i++
	}
	return nil, false
}

// appendString decodes the string at p.i into dst.
func (p *jsonScanner) appendString(dst []byte) ([]byte, bool) {
	if !p.eat('"') {
		return dst, false
	}
	dst, next, ok := jsonstr.Append(dst, p.b, p.i)
	p.i = next
	return dst, ok
}

const maxJSONDepth = 1000

// skipValue passes over one JSON value, checking its grammar.
func (p *jsonScanner) skipValue(depth int) bool {
	if p.i >= len(p.b) || depth > maxJSONDepth {
		return false
	}
	switch c := p.b[p.i]; {
	case c == '"':
		_, ok := p.skipString()
		return ok
	case c == '{':
		p.i++
		p.space()
		if p.eat('}') {
			return true
		}
		for {
			p.space()
			if p.i >= len(p.b) || p.b[p.i] != '"' || !p.skipValue(depth+1) {
				return false
			}
			p.space()
			if !p.eat(':') {
				return false
			}
			p.space()
			if !p.skipValue(depth + 1) {
				return false
			}
			p.space()
			if p.eat(',') {
				continue
			}
			return p.eat('}')
		}
	case c == '[':
		p.i++
		p.space()
		if p.eat(']') {
			return true
		}
		for {
			p.space()
			if !p.skipValue(depth + 1) {
				return false
			}
			p.space()
			if p.eat(',') {
				continue
			}
			return p.eat(']')
		}
	case c == 't':
		return p.literal("true")
	case c == 'f':
		return p.literal("false")
	case c == 'n':
		return p.literal("null")
	default:
		return p.number()
	}
}

func (p *jsonScanner) literal(s string) bool {
	if len(p.b)-p.i >= len(s) && string(p.b[p.i:p.i+len(s)]) == s {
		p.i += len(s)
		return true
	}
	return false
}

// number checks -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (p *jsonScanner) number() bool {
	p.eat('-')
	digits := func() int {
		n := 0
		for p.i < len(p.b) && '0' <= p.b[p.i] && p.b[p.i] <= '9' {
			p.i++
			n++
		}
		return n
	}
	if p.eat('0') {
		// no more integer digits
	} else if digits() == 0 {
		return false
	}
	if p.eat('.') && digits() == 0 {
		return false
	}
	if p.i < len(p.b) && (p.b[p.i] == 'e' || p.b[p.i] == 'E') {
		p.i++
		if !p.eat('+') {
			p.eat('-')
		}
		if digits() == 0 {
			return false
		}
	}
	return true
}

var errNotString = errors.New("not a string")

// jsonFieldNaive is the reference: encoding/json into a map, then the field
// into a string.
func jsonFieldNaive(dst, line []byte, name string) ([]byte, error) {
	var rec map[string]json.RawMessage
	if err := json.Unmarshal(line, &rec); err != nil {
		return dst, fmt.Errorf("bad JSON line: %v", err)
	}
	raw, ok := rec[name]
	if !ok {
		return dst, fmt.Errorf("no field %q", name)
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return dst, fmt.Errorf("field %q is %w", name, errNotString)
	}
	return append(dst, s...), nil
}
