package tokenizerjson

import (
	"encoding/json"
	"fmt"
)

// postProcessor adds special tokens around one or two encoded sequences
// (only when the caller asks for special tokens).
type postProcessor interface {
	process(a, b *Encoding, addSpecial bool) *Encoding
}

var builtinProcessors = []string{"BertProcessing", "ByteLevel", "RobertaProcessing", "Sequence", "TemplateProcessing"}

// templatePiece is one item of a TemplateProcessing template.
type templatePiece struct {
	special string // SpecialToken id ("[CLS]"), or "" for a sequence
	seq     string // "A" or "B"
	typeID  uint32
}

type specialTokenJSON struct {
	ID     string   `json:"id"`
	IDs    []uint32 `json:"ids"`
	Tokens []string `json:"tokens"`
}

type templateProcessor struct {
	single, pair []templatePiece
	specials     map[string]specialTokenJSON
}

func parseTemplate(raw json.RawMessage) ([]templatePiece, error) {
	if isNull(raw) {
		return nil, nil
	}
	// A template is a list of {"SpecialToken":{"id","type_id"}} or
	// {"Sequence":{"id","type_id"}}; the string form "$A [SEP]" is accepted
	// too.
	var items []struct {
		SpecialToken *struct {
			ID     string `json:"id"`
			TypeID uint32 `json:"type_id"`
		} `json:"SpecialToken"`
		Sequence *struct {
			ID     string `json:"id"`
			TypeID uint32 `json:"type_id"`
		} `json:"Sequence"`
	}
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, err
	}
	var out []templatePiece
	for i, it := range items {
		switch {
		case it.SpecialToken != nil:
			out = append(out, templatePiece{special: it.SpecialToken.ID, typeID: it.SpecialToken.TypeID})
		case it.Sequence != nil:
			if it.Sequence.ID != "A" && it.Sequence.ID != "B" {
				return nil, fmt.Errorf("%w: [%d]: sequence %q is not A or B", ErrBadValue, i, it.Sequence.ID)
			}
			out = append(out, templatePiece{seq: it.Sequence.ID, typeID: it.Sequence.TypeID})
		default:
			return nil, fmt.Errorf("%w: [%d]: neither SpecialToken nor Sequence", ErrBadValue, i)
		}
	}
	return out, nil
}

func parsePostProcessor(raw json.RawMessage, path string) (postProcessor, error) {
	if isNull(raw) {
		return nil, nil
	}
	typ, err := typeOf(raw)
	if err != nil {
		return nil, err
	}
	switch typ {
	case "ByteLevel":
		return nopProcessor{}, nil
	case "TemplateProcessing":
		var v struct {
			Single        json.RawMessage             `json:"single"`
			Pair          json.RawMessage             `json:"pair"`
			SpecialTokens map[string]specialTokenJSON `json:"special_tokens"`
		}
		if err := json.Unmarshal(raw, &v); err != nil {
			return nil, err
		}
		p := &templateProcessor{specials: v.SpecialTokens}
		if p.single, err = parseTemplate(v.Single); err != nil {
			return nil, fmt.Errorf("single%w", err)
		}
		if p.pair, err = parseTemplate(v.Pair); err != nil {
			return nil, fmt.Errorf("pair%w", err)
		}
		for _, t := range append(append([]templatePiece(nil), p.single...), p.pair...) {
			if t.special == "" {
				continue
			}
			st, ok := p.specials[t.special]
			if !ok {
				return nil, fmt.Errorf("%w: template names special token %q missing from special_tokens", ErrBadValue, t.special)
			}
			if len(st.IDs) != len(st.Tokens) {
				return nil, fmt.Errorf("%w: special token %q has %d ids and %d tokens", ErrBadValue, t.special, len(st.IDs), len(st.Tokens))
			}
		}
		return p, nil
	case "BertProcessing", "RobertaProcessing":
		var v struct {
			Sep [2]json.RawMessage `json:"sep"`
			Cls [2]json.RawMessage `json:"cls"`
		}
		if err := json.Unmarshal(raw, &v); err != nil {
			return nil, err
		}
		var sepTok, clsTok string
		var sepID, clsID uint32
		for _, x := range []struct {
			raw json.RawMessage
			dst any
		}{{v.Sep[0], &sepTok}, {v.Sep[1], &sepID}, {v.Cls[0], &clsTok}, {v.Cls[1], &clsID}} {
			if err := json.Unmarshal(x.raw, x.dst); err != nil {
				return nil, fmt.Errorf("%w: sep and cls must be [token, id]", ErrBadValue)
			}
		}
		return &bertProcessor{cls: clsTok, clsID: clsID, sep: sepTok, sepID: sepID, roberta: typ == "RobertaProcessing"}, nil
	case "Sequence":
		seq, err := parseSequence(raw, path, "processors", parsePostProcessor)
		return sequenceProcessor(seq), err
	}
	return nil, unknownType("post-processor", typ, builtinProcessors)
}

// nopProcessor is the ByteLevel post-processor: it only trims offsets in
// HF, which ids do not see.
type nopProcessor struct{}

func (nopProcessor) process(a, b *Encoding, _ bool) *Encoding { return mergePair(a, b) }

// mergePair concatenates a and b (b may be nil), setting b's type ids to 1.
func mergePair(a, b *Encoding) *Encoding {
	if b == nil {
		return a
	}
	out := *a
	out.IDs = append(append([]uint32(nil), a.IDs...), b.IDs...)
	out.Tokens = append(append([]string(nil), a.Tokens...), b.Tokens...)
	out.Offsets = append(append(out.Offsets[:0:0], a.Offsets...), b.Offsets...)
	out.SpecialTokensMask = append(append([]uint8(nil), a.SpecialTokensMask...), b.SpecialTokensMask...)
	out.TypeIDs = append([]uint32(nil), a.TypeIDs...)
	for range b.IDs {
		out.TypeIDs = append(out.TypeIDs, 1)
	}
	out.Sequence = append(append([]int8(nil), a.Sequence...), b.Sequence...)
	out.AttentionMask = append(append([]uint8(nil), a.AttentionMask...), b.AttentionMask...)
	return &out
}

func (p *templateProcessor) process(a, b *Encoding, addSpecial bool) *Encoding {
	if !addSpecial {
		return mergePair(a, b)
	}
	tmpl := p.single
	if b != nil {
		tmpl = p.pair
	}
	out := &Encoding{}
	for _, t := range tmpl {
		switch {
		case t.special != "":
			st := p.specials[t.special]
			for i, id := range st.IDs {
				out.appendSpecial(id, st.Tokens[i], t.typeID)
			}
		case t.seq == "A":
			out.appendSeq(a, t.typeID)
		case t.seq == "B" && b != nil:
			out.appendSeq(b, t.typeID)
		}
	}
	return out
}

// bertProcessor is BertProcessing ([CLS] A [SEP] B [SEP]) and
// RobertaProcessing (<s> A </s></s> B </s>).
type bertProcessor struct {
	cls, sep     string
	clsID, sepID uint32
	roberta      bool
}

func (p *bertProcessor) process(a, b *Encoding, addSpecial bool) *Encoding {
	if !addSpecial {
		return mergePair(a, b)
	}
	out := &Encoding{}
	out.appendSpecial(p.clsID, p.cls, 0)
	out.appendSeq(a, 0)
	out.appendSpecial(p.sepID, p.sep, 0)
	if b != nil {
		typeB := uint32(1)
		if p.roberta {
			typeB = 0
			out.appendSpecial(p.sepID, p.sep, 0)
		}
		out.appendSeq(b, typeB)
		out.appendSpecial(p.sepID, p.sep, typeB)
	}
	return out
}

type sequenceProcessor []postProcessor

func (s sequenceProcessor) process(a, b *Encoding, addSpecial bool) *Encoding {
	if len(s) == 0 {
		return mergePair(a, b)
	}
	// HF runs the processors on the list of encodings; the ones that add
	// tokens (Template, Bert, Roberta) merge them. The others here only
	// adjust offsets, so the last adding processor decides.
	for i := len(s) - 1; i >= 0; i-- {
		if _, nop := s[i].(nopProcessor); !nop {
			return s[i].process(a, b, addSpecial)
		}
	}
	return mergePair(a, b)
}
