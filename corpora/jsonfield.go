package corpora

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math/bits"
	"unicode/utf16"
	"unicode/utf8"
)

// jsonFieldInPlace finds the string field name of the JSON object line and
// unescapes it in place: the text is line[start:end] afterwards. Unescaping
// never lengthens a string, so it writes behind where it reads. The line is
// only changed once it is known to be valid, so that when ok is false (the
// same lines as appendJSONField declines) the caller can still give it to
// jsonFieldNaive. FuzzJSONFieldInPlace checks it against appendJSONField.
func jsonFieldInPlace(line []byte, name string) (start, end int, ok bool) {
	start, end, escaped, ok := jsonFieldSpan(line, name)
	if !ok || !escaped {
		return start, end, ok
	}
	p := jsonScanner{b: line, i: start - 1}
	out, good := p.appendString(line[start:start])
	if !good { // cannot happen: jsonFieldSpan checked the string
		return 0, 0, false
	}
	return start, start + len(out), true
}

// jsonFieldSpan checks line as appendJSONField does and returns where the
// (last) value of the field name lies between its quotes, and whether it
// holds escapes.
func jsonFieldSpan(line []byte, name string) (start, end int, escaped, ok bool) {
	p := jsonScanner{b: line}
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
			if esc, ok = p.skipString(); !ok {
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
		p.i = stringSpecial(p.b, p.i)
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
		if p.i+1 >= len(p.b) {
			return escaped, false
		}
		switch p.b[p.i+1] {
		case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			p.i += 2
		case 'u':
			p.i += 2
			if _, ok := p.hex4(); !ok {
				return escaped, false
			}
		default:
			return escaped, false
		}
	}
}

const (
	ones8 = 0x0101010101010101
	high8 = 0x8080808080808080
)

// stringSpecial returns the index of the first byte at or after i that ends
// a run of plain string bytes: a quote, a backslash or a control byte
// (len(b) if none). It tests eight bytes at a time: a byte of v is zero
// exactly where (v-ones)&^v has its high bit set, counting from the lowest
// byte (borrows only mark bytes above a real zero), and a byte is below
// 0x20 where (v-0x20 in every byte)&^v does.
func stringSpecial(b []byte, i int) int {
	for ; i+8 <= len(b); i += 8 {
		v := binary.LittleEndian.Uint64(b[i:])
		q := v ^ ('"' * ones8)
		s := v ^ ('\\' * ones8)
		m := ((q - ones8) &^ q) | ((s - ones8) &^ s) | ((v - 0x20*ones8) &^ v)
		if m &= high8; m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
	}
	for ; i < len(b); i++ {
		if c := b[i]; c == '"' || c == '\\' || c < 0x20 {
			return i
		}
	}
	return len(b)
}

// stringSpecialNaive is the reference for stringSpecial.
func stringSpecialNaive(b []byte, i int) int {
	for ; i < len(b); i++ {
		if c := b[i]; c == '"' || c == '\\' || c < 0x20 {
			return i
		}
	}
	return len(b)
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
	for {
		// Copy the run up to the next quote, backslash or control byte.
		start := p.i
		p.i = stringSpecial(p.b, p.i)
		dst = append(dst, p.b[start:p.i]...)
		if p.i >= len(p.b) || p.b[p.i] < 0x20 {
			return dst, false
		}
		if p.b[p.i] == '"' {
			p.i++
			return dst, true
		}
		// An escape.
		p.i++
		if p.i >= len(p.b) {
			return dst, false
		}
		c := p.b[p.i]
		p.i++
		switch c {
		case '"', '\\', '/':
			dst = append(dst, c)
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'u':
			r, ok := p.hex4()
			if !ok {
				return dst, false
			}
			if utf16.IsSurrogate(r) {
				// A pair makes one rune; a lone half is U+FFFD, as in
				// encoding/json.
				save := p.i
				if p.i+1 < len(p.b) && p.b[p.i] == '\\' && p.b[p.i+1] == 'u' {
					p.i += 2
					r2, ok := p.hex4()
					if ok {
						if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
							dst = utf8.AppendRune(dst, dec)
							continue
						}
					}
				}
				p.i = save
				r = utf8.RuneError
			}
			dst = utf8.AppendRune(dst, r)
		default:
			return dst, false
		}
	}
}

func (p *jsonScanner) hex4() (rune, bool) {
	if p.i+4 > len(p.b) {
		return 0, false
	}
	var r rune
	for _, c := range p.b[p.i : p.i+4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	p.i += 4
	return r, true
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
