package bpe

import (
	"unicode/utf8"

	"github.com/toklabs/tok/internal/jsonstr"
)

// parseVocabJSONFast reads a vocab.json object {token: id} the way
// ReadVocabJSON's decoder does, for the plain files real vocabularies are
// (GPT-2's: 50257 entries, 1 MB), without encoding/json's per-token
// allocations. It gives up (ok false) on anything it does not handle
// exactly like the decoder — any syntax error, invalid UTF-8, a number that is not a plain non-negative integer below
// 2^31-1, a duplicate token or id, an empty object, data after the object
// other than whitespace — and the caller then runs the decoder, which
// also makes the error.
//
// Every key is a substring of one string, so the map costs one allocation
// for its keys instead of one per token.
func parseVocabJSONFast(data []byte) (vocab map[string]uint32, ok bool) {
	type entry struct{ off, n, id uint32 }
	if uint64(len(data)) >= 1<<32-1 {
		return nil, false
	}
	var entries []entry
	keys := make([]byte, 0, len(data)/2)
	var seen []uint64 // ids already given, as a bit set
	p := skipJSONSpace(data, 0)
	if p >= len(data) || data[p] != '{' {
		return nil, false
	}
	p = skipJSONSpace(data, p+1)
	if p < len(data) && data[p] == '}' {
		return nil, false // empty: the decoder path reports it
	}
	for {
		if p >= len(data) || data[p] != '"' {
			return nil, false
		}
		start := len(keys)
		keys, p, ok = jsonstr.Append(keys, data, p+1)
		if !ok || !utf8.Valid(keys[start:]) {
			// encoding/json replaces bytes that are not UTF-8: leave
			// those files to it.
			return nil, false
		}
		p = skipJSONSpace(data, p)
		if p >= len(data) || data[p] != ':' {
			return nil, false
		}
		p = skipJSONSpace(data, p+1)
		// A plain integer: 0 or [1-9][0-9]*, then no fraction or exponent.
		if p >= len(data) || data[p] < '0' || data[p] > '9' {
			return nil, false
		}
		id := uint64(0)
		digits := 0
		for ; p < len(data) && data[p] >= '0' && data[p] <= '9'; p++ {
			id = id*10 + uint64(data[p]-'0')
			digits++
			if id >= 1<<31-1 {
				return nil, false
			}
		}
		if digits > 1 && data[p-digits] == '0' {
			return nil, false
		}
		if id >= 1<<24 { // keep the bit set small; the decoder handles the rest
			return nil, false
		}
		for int(id/64) >= len(seen) {
			seen = append(seen, 0)
		}
		if seen[id/64]&(1<<(id%64)) != 0 {
			return nil, false
		}
		seen[id/64] |= 1 << (id % 64)
		entries = append(entries, entry{uint32(start), uint32(len(keys) - start), uint32(id)})
		p = skipJSONSpace(data, p)
		if p >= len(data) {
			return nil, false
		}
		if data[p] == '}' {
			p++
			break
		}
		if data[p] != ',' {
			return nil, false
		}
		p = skipJSONSpace(data, p+1)
	}
	if skipJSONSpace(data, p) != len(data) {
		return nil, false
	}
	all := string(keys)
	vocab = make(map[string]uint32, len(entries))
	for _, e := range entries {
		vocab[all[e.off:e.off+e.n]] = e.id
	}
	if len(vocab) != len(entries) {
		return nil, false // a duplicate token
	}
	return vocab, true
}

func skipJSONSpace(data []byte, p int) int {
	for p < len(data) {
		switch data[p] {
		case ' ', '\t', '\n', '\r':
			p++
		default:
			return p
		}
	}
	return p
}
