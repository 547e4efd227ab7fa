package tokenizerjson

import (
	"encoding/json"
	"fmt"

	"github.com/toklabs/tok"
)

// Truncation is HF's truncation setting ("truncation" in tokenizer.json).
// A MaxLength of 0 means no truncation.
type Truncation struct {
	MaxLength int    `json:"max_length"`
	Stride    int    `json:"stride"`    // kept for writing back; overflowing windows are not produced
	Strategy  string `json:"strategy"`  // "LongestFirst" (default), "OnlyFirst", "OnlySecond"
	Direction string `json:"direction"` // "Right" (default) or "Left"
}

// Padding is HF's padding setting ("padding" in tokenizer.json). Fixed > 0
// pads every encoding to that length ("strategy": {"Fixed": n}); otherwise
// the strategy is BatchLongest, which for one encoding pads only to
// PadToMultipleOf.
type Padding struct {
	Fixed           int
	Direction       string // "Right" (default) or "Left"
	PadToMultipleOf int
	PadID           uint32
	PadTypeID       uint32
	PadToken        string
}

func parseTruncation(raw json.RawMessage) (*Truncation, error) {
	if isNull(raw) {
		return nil, nil
	}
	tr := &Truncation{Strategy: "LongestFirst", Direction: "Right"}
	if err := json.Unmarshal(raw, tr); err != nil {
		return nil, err
	}
	switch tr.Strategy {
	case "LongestFirst", "OnlyFirst", "OnlySecond":
	default:
		return nil, fmt.Errorf("%w: strategy %q", ErrBadValue, tr.Strategy)
	}
	if tr.Direction != "Left" && tr.Direction != "Right" {
		return nil, fmt.Errorf("%w: direction %q", ErrBadValue, tr.Direction)
	}
	if tr.MaxLength < 0 || tr.Stride < 0 {
		return nil, fmt.Errorf("%w: negative max_length or stride", ErrBadValue)
	}
	return tr, nil
}

func parsePadding(raw json.RawMessage) (*Padding, error) {
	if isNull(raw) {
		return nil, nil
	}
	var v struct {
		Strategy        json.RawMessage `json:"strategy"`
		Direction       *string         `json:"direction"`
		PadToMultipleOf *int            `json:"pad_to_multiple_of"`
		PadID           uint32          `json:"pad_id"`
		PadTypeID       uint32          `json:"pad_type_id"`
		PadToken        string          `json:"pad_token"`
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, err
	}
	p := &Padding{Direction: "Right", PadID: v.PadID, PadTypeID: v.PadTypeID, PadToken: v.PadToken}
	if v.Direction != nil {
		if *v.Direction != "Left" && *v.Direction != "Right" {
			return nil, fmt.Errorf("%w: direction %q", ErrBadValue, *v.Direction)
		}
		p.Direction = *v.Direction
	}
	if v.PadToMultipleOf != nil {
		if *v.PadToMultipleOf < 0 {
			return nil, fmt.Errorf("%w: negative pad_to_multiple_of", ErrBadValue)
		}
		p.PadToMultipleOf = *v.PadToMultipleOf
	}
	var name string
	var fixed struct {
		Fixed *int `json:"Fixed"`
	}
	switch {
	case isNull(v.Strategy):
	case json.Unmarshal(v.Strategy, &name) == nil:
		if name != "BatchLongest" {
			return nil, fmt.Errorf("%w: strategy %q", ErrBadValue, name)
		}
	case json.Unmarshal(v.Strategy, &fixed) == nil && fixed.Fixed != nil && *fixed.Fixed >= 0:
		p.Fixed = *fixed.Fixed
	default:
		return nil, fmt.Errorf("%w: strategy %s", ErrBadValue, v.Strategy)
	}
	return p, nil
}

// truncate keeps n tokens of e, from the end or the start.
func (e *Encoding) truncate(n int, left bool) {
	if n >= e.Len() {
		return
	}
	lo, hi := 0, n
	if left {
		lo, hi = e.Len()-n, e.Len()
	}
	e.IDs = e.IDs[lo:hi]
	e.Tokens = e.Tokens[lo:hi]
	e.Offsets = e.Offsets[lo:hi]
	e.TypeIDs = e.TypeIDs[lo:hi]
	e.SpecialTokensMask = e.SpecialTokensMask[lo:hi]
	e.AttentionMask = e.AttentionMask[lo:hi]
	e.Sequence = e.Sequence[lo:hi]
}

// applyTruncation truncates a (and b) so that, with the n special tokens
// the post-processor will add, the total fits tr.MaxLength (HF's
// truncate_encodings).
func applyTruncation(tr *Truncation, a, b *Encoding, added int) {
	if tr == nil || tr.MaxLength == 0 {
		return
	}
	maxLen := tr.MaxLength - added
	if maxLen < 0 {
		maxLen = 0
	}
	left := tr.Direction == "Left"
	if b == nil {
		if tr.Strategy != "OnlySecond" {
			a.truncate(maxLen, left)
		}
		return
	}
	total := a.Len() + b.Len()
	if total <= maxLen {
		return
	}
	switch tr.Strategy {
	case "OnlyFirst":
		a.truncate(max(a.Len()-(total-maxLen), 0), left)
	case "OnlySecond":
		b.truncate(max(b.Len()-(total-maxLen), 0), left)
	default: // LongestFirst
		n1, n2 := a.Len(), b.Len()
		swap := n1 > n2
		if swap {
			n1, n2 = n2, n1
		}
		if n1 > maxLen {
			n2 = n1
		} else {
			n2 = max(n1, maxLen-n1)
		}
		if n1+n2 > maxLen {
			n1 = maxLen / 2
			n2 = n1 + maxLen%2
		}
		if swap {
			n1, n2 = n2, n1
		}
		a.truncate(n1, left)
		b.truncate(n2, left)
	}
}

// applyPadding pads e as p says.
func applyPadding(p *Padding, e *Encoding) {
	if p == nil {
		return
	}
	target := e.Len()
	if p.Fixed > 0 {
		target = max(target, p.Fixed)
	}
	if m := p.PadToMultipleOf; m > 0 && target%m != 0 {
		target += m - target%m
	}
	n := target - e.Len()
	if n <= 0 {
		return
	}
	pad := &Encoding{}
	for range n {
		pad.appendToken(p.PadID, p.PadToken, tok.Span{}, p.PadTypeID, 1, -1)
		pad.AttentionMask[len(pad.AttentionMask)-1] = 0
	}
	if p.Direction == "Left" {
		pad.appendSeq(e, 0)
		copy(pad.TypeIDs[n:], e.TypeIDs)
		copy(pad.AttentionMask[n:], e.AttentionMask)
		*e = *pad
		return
	}
	typeIDs := e.TypeIDs
	attn := e.AttentionMask
	e.appendSeq(pad, p.PadTypeID)
	copy(e.TypeIDs, typeIDs)
	copy(e.AttentionMask, attn)
	for i := len(attn); i < e.Len(); i++ {
		e.AttentionMask[i] = 0
	}
}
