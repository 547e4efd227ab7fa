package wordpiece

import (
	"errors"
	"fmt"
	"strings"

	"github.com/toklabs/tok"
	"github.com/toklabs/tok/internal/truncation"
)

// Encoding is the output of [BERT.Encode]: one entry per token in every
// slice.
type Encoding struct {
	IDs               []uint32
	TypeIDs           []uint32
	Offsets           []tok.Span // byte ranges in the text the token came from; {0,0} for added tokens
	SpecialTokensMask []uint8    // 1 for tokens the post-processor added and for padding
	AttentionMask     []uint8    // 0 for padding
}

// Len is the number of tokens.
func (e *Encoding) Len() int { return len(e.IDs) }

// Post is the BERT post-processor (HF BertProcessing, which is the
// TemplateProcessing "[CLS] $A [SEP]" / "[CLS] $A [SEP] $B:1 [SEP]:1"),
// with HF's truncation and padding options.
type Post struct {
	CLS, SEP tok.SpecialToken
	// AddSpecialTokens adds [CLS] and [SEP]. Default true.
	AddSpecialTokens bool
	Truncation       *Truncation // nil: no truncation
	Padding          *Padding    // nil: no padding
}

// BertPost returns the post-processor of BERT with the ids of [CLS] and
// [SEP] in vocab (0 when missing).
func BertPost(vocab *Vocab) Post {
	cls, _ := vocab.TokenToID("[CLS]")
	sep, _ := vocab.TokenToID("[SEP]")
	return Post{CLS: tok.SpecialToken{Content: "[CLS]", ID: cls}, SEP: tok.SpecialToken{Content: "[SEP]", ID: sep}, AddSpecialTokens: true}
}

// TruncationStrategy says which sequence of a pair loses tokens.
type TruncationStrategy uint8

// Truncation strategies, as HF names them.
const (
	LongestFirst TruncationStrategy = iota // drop from the longer sequence, one token at a time
	OnlyFirst                              // drop from the first sequence only
	OnlySecond                             // drop from the second sequence only
)

var truncationNames = []string{"longest_first", "only_first", "only_second"}

func (s TruncationStrategy) String() string {
	if int(s) < len(truncationNames) {
		return truncationNames[s]
	}
	return fmt.Sprintf("TruncationStrategy(%d)", s)
}

// ParseTruncationStrategy parses the HF name of a strategy.
func ParseTruncationStrategy(s string) (TruncationStrategy, error) {
	for i, n := range truncationNames {
		if strings.EqualFold(s, n) {
			return TruncationStrategy(i), nil
		}
	}
	return 0, fmt.Errorf("wordpiece: unknown truncation strategy %q (want %s)", s, strings.Join(truncationNames, ", "))
}

// Truncation limits the length of an encoding, special tokens included.
type Truncation struct {
	MaxLength int
	Strategy  TruncationStrategy
	// Left drops tokens from the start instead of the end.
	Left bool
}

// Padding pads an encoding to Length tokens (no padding when it is longer).
type Padding struct {
	Length  int
	ID      uint32 // id of [PAD]
	TypeID  uint32
	Left    bool
	Content string
}

// ErrTruncation is returned when OnlyFirst or OnlySecond cannot reach the
// maximum length by shortening their sequence alone (HF: "Sequence to
// truncate too short to respect the provided max_length").
var ErrTruncation = errors.New("wordpiece: sequence to truncate too short to respect the maximum length")

// Encode runs the full pipeline on text, and on pair when it is not nil:
// tokens, truncation, [CLS] A [SEP] (B [SEP]), type ids 0 for A and 1 for
// B, then padding.
func (b *BERT) Encode(text, pair []byte) (Encoding, error) {
	var a, bb Encoding
	a.IDs, a.Offsets = b.AppendEncodeOffsets(nil, nil, text)
	if pair != nil {
		bb.IDs, bb.Offsets = b.AppendEncodeOffsets(nil, nil, pair)
	}
	return b.post.Process(a, bb, pair != nil)
}

// Process applies truncation, special tokens and padding to the encodings
// of one or two sequences.
func (p Post) Process(a, b Encoding, isPair bool) (Encoding, error) {
	if t := p.Truncation; t != nil {
		added := 0
		if p.AddSpecialTokens {
			added = 2
			if isPair {
				added = 3
			}
		}
		budget := t.MaxLength - added
		if budget < 0 {
			budget = 0
		}
		la, lb := len(a.IDs), len(b.IDs)
		if la+lb > budget {
			switch {
			case !isPair:
				la = budget
			case t.Strategy == OnlyFirst:
				if lb >= budget {
					return Encoding{}, ErrTruncation
				}
				la = budget - lb
			case t.Strategy == OnlySecond:
				if la >= budget {
					return Encoding{}, ErrTruncation
				}
				lb = budget - la
			default:
				la, lb = truncation.LongestFirst(la, lb, budget)
			}
			a = truncate(a, la, t.Left)
			b = truncate(b, lb, t.Left)
		}
	}
	var out Encoding
	add := func(id uint32, typ uint32, sp tok.Span, special uint8) {
		out.IDs = append(out.IDs, id)
		out.TypeIDs = append(out.TypeIDs, typ)
		out.Offsets = append(out.Offsets, sp)
		out.SpecialTokensMask = append(out.SpecialTokensMask, special)
		out.AttentionMask = append(out.AttentionMask, 1)
	}
	if p.AddSpecialTokens {
		add(p.CLS.ID, 0, tok.Span{}, 1)
	}
	for i, id := range a.IDs {
		add(id, 0, a.Offsets[i], 0)
	}
	if p.AddSpecialTokens {
		add(p.SEP.ID, 0, tok.Span{}, 1)
	}
	if isPair {
		for i, id := range b.IDs {
			add(id, 1, b.Offsets[i], 0)
		}
		if p.AddSpecialTokens {
			add(p.SEP.ID, 1, tok.Span{}, 1)
		}
	}
	if pd := p.Padding; pd != nil && len(out.IDs) < pd.Length {
		n := pd.Length - len(out.IDs)
		pad := Encoding{}
		for range n {
			pad.IDs = append(pad.IDs, pd.ID)
			pad.TypeIDs = append(pad.TypeIDs, pd.TypeID)
			pad.Offsets = append(pad.Offsets, tok.Span{})
			pad.SpecialTokensMask = append(pad.SpecialTokensMask, 1)
			pad.AttentionMask = append(pad.AttentionMask, 0)
		}
		if pd.Left {
			out = concat(pad, out)
		} else {
			out = concat(out, pad)
		}
	}
	return out, nil
}

func truncate(e Encoding, n int, left bool) Encoding {
	if n >= len(e.IDs) {
		return e
	}
	if left {
		k := len(e.IDs) - n
		return Encoding{IDs: e.IDs[k:], Offsets: e.Offsets[k:]}
	}
	return Encoding{IDs: e.IDs[:n], Offsets: e.Offsets[:n]}
}

func concat(a, b Encoding) Encoding {
	return Encoding{
		IDs:               append(a.IDs, b.IDs...),
		TypeIDs:           append(a.TypeIDs, b.TypeIDs...),
		Offsets:           append(a.Offsets, b.Offsets...),
		SpecialTokensMask: append(a.SpecialTokensMask, b.SpecialTokensMask...),
		AttentionMask:     append(a.AttentionMask, b.AttentionMask...),
	}
}
