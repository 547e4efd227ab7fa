package tokenizerjson

import (
	"encoding/json"
	"fmt"

	"github.com/toklabs/tok"
	"github.com/toklabs/tok/internal/truncation"
)

// Truncation is HF's truncation setting ("truncation" in tokenizer.json).
// A MaxLength of 0 means no truncation.
type Truncation struct {
	MaxLength int    `json:"max_length"`
	Stride    int    `json:"stride"`    // overlap of the overflowing windows (single sequences)
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

// truncate keeps n tokens of e, from the end (left) or the start. With
// overflow, the rest is cut into windows of n tokens that overlap by
// stride, kept in e.Overflowing (HF's Encoding::truncate).
func (e *Encoding) truncate(n, stride int, left, overflow bool) {
	total := e.Len()
	if n >= total {
		return
	}
	if !overflow {
		stride = n // one window, nothing overflows
	}
	parts := truncation.Windows(total, n, stride, left)
	first := e.slice(parts[0].Start, parts[0].End)
	for _, p := range parts[1:] {
		first.Overflowing = append(first.Overflowing, e.slice(p.Start, p.End))
	}
	*e = *first
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
			a.truncate(maxLen, tr.Stride, left, true)
		}
		return
	}
	total := a.Len() + b.Len()
	if total <= maxLen {
		return
	}
	switch tr.Strategy {
	case "OnlyFirst":
		a.truncate(max(a.Len()-(total-maxLen), 0), 0, left, false)
	case "OnlySecond":
		b.truncate(max(b.Len()-(total-maxLen), 0), 0, left, false)
	default: // LongestFirst
		n1, n2 := truncation.LongestFirst(a.Len(), b.Len(), maxLen)
		a.truncate(n1, 0, left, false)
		b.truncate(n2, 0, left, false)
	}
}

// applyPadding pads e as p says, or to length target when it is not 0,
// and returns the length it padded to.
func applyPadding(p *Padding, e *Encoding, target int) int {
	if p == nil {
		return 0
	}
	if target == 0 {
		target = e.Len()
		if p.Fixed > 0 {
			target = max(target, p.Fixed)
		}
		if m := p.PadToMultipleOf; m > 0 && target%m != 0 {
			target += m - target%m
		}
	}
	n := target - e.Len()
	if n <= 0 {
		return target
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
		return target
	}
	typeIDs := e.TypeIDs
	attn := e.AttentionMask
	e.appendSeq(pad, p.PadTypeID)
	copy(e.TypeIDs, typeIDs)
	copy(e.AttentionMask, attn)
	for i := len(attn); i < e.Len(); i++ {
		e.AttentionMask[i] = 0
	}
	return target
}
