package tokenizerjson

import (
	"bytes"
	"encoding/json"
	"fmt"
	"unicode"
	"unicode/utf8"

	"github.com/toklabs/tok"
	"github.com/toklabs/tok/normalize"
	"github.com/toklabs/tok/pretokenize"
)

// stepKind says whether a pre-tokenizer step only splits or also rewrites
// the text of its pieces.
type stepKind uint8

const (
	stepSplit     stepKind = iota // split only
	stepByteLevel                 // ByteLevel: maybe a prefix space, maybe the GPT-2 split
	stepMetaspace                 // Metaspace: spaces → replacement, prepend, maybe split
	stepAlphabet                  // spell bytes in GPT-2's alphabet (ByteLevel followed by more steps)
)

// preStep is one pre-tokenizer of a (flattened) Sequence.
type preStep struct {
	kind  stepKind
	split pretokenize.SplitFunc // stepSplit; the split of ByteLevel/Metaspace if any

	prefixSpace bool // ByteLevel add_prefix_space

	replacement   rune   // Metaspace
	prependScheme string // Metaspace: "always", "first", "never"

	matcher  pretokenize.Matcher // Split with a Regex pattern
	behavior pretokenize.Behavior
	invert   bool

	whitespaceSplit bool // WhitespaceSplit (appendWhitespaceSplit does it faster)
}

// preTokenizer is the parsed pre_tokenizer.
type preTokenizer struct {
	steps []preStep

	// pure is set when no step rewrites text: the whole pre-tokenizer is
	// one SplitFunc and pieces are subslices of the normalized text.
	pure pretokenize.SplitFunc

	// matcher is set when pure is a single Split that keeps every match
	// and the gaps (Isolated, or Removed+invert with a pattern that tiles
	// the text): pieces are then the matcher's spans, plus gaps.
	matcher  pretokenize.Matcher
	keepGaps bool // Isolated: gaps between matches are pieces too

	// byteLevel is true when a ByteLevel step ends the pre-tokenizer: the
	// model receives raw bytes (or their GPT-2 spelling).
	byteLevel bool

	// meta is set when the pre-tokenizer ends with a Metaspace step after
	// split-only steps (the SentencePiece-style files): encodeMetaspace
	// runs it without alignment (see there).
	meta *metaspaceFast
}

// metaspaceFast is what encodeMetaspace needs of a pre-tokenizer that is
// a Metaspace step after steps that only split (none, or WhitespaceSplit
// as in HF's T5 and ALBERT files).
type metaspaceFast struct {
	pre           pretokenize.SplitFunc // the steps before Metaspace, or nil
	rep           []byte                // the replacement, UTF-8
	split         bool                  // each replacement starts a piece (HF's MergedWithNext)
	always, first bool                  // prepend_scheme "always" / "first"
}

// newMetaspaceFast returns the fast form of steps, or nil when they are
// not split steps and a final Metaspace.
func newMetaspaceFast(steps []preStep) *metaspaceFast {
	n := len(steps)
	// (U+FFFD as the replacement would also match invalid UTF-8 in the
	// general path's rune-wise split: left to it.)
	if n == 0 || steps[n-1].kind != stepMetaspace || steps[n-1].replacement == utf8.RuneError {
		return nil
	}
	var pre []pretokenize.SplitFunc
	for _, s := range steps[:n-1] {
		switch {
		case s.kind != stepSplit:
			return nil
		case s.whitespaceSplit:
			pre = append(pre, appendWhitespaceSplit)
		default:
			pre = append(pre, s.split)
		}
	}
	s := steps[n-1]
	m := &metaspaceFast{rep: utf8.AppendRune(nil, s.replacement), split: s.split != nil,
		always: s.prependScheme == "always", first: s.prependScheme == "first"}
	switch len(pre) {
	case 0:
	case 1:
		m.pre = pre[0]
	default:
		m.pre = pretokenize.Sequence(pre...)
	}
	return m
}

var builtinPreTokenizers = []string{"BertPreTokenizer", "ByteLevel", "CharDelimiterSplit", "Digits",
	"Metaspace", "Punctuation", "Sequence", "Split", "UnicodeScripts", "Whitespace", "WhitespaceSplit"}

// parsePreTokenizer builds the pre-tokenizer; nil for JSON null.
func parsePreTokenizer(raw json.RawMessage, path string) (*preTokenizer, error) {
	if isNull(raw) {
		return nil, nil
	}
	var steps []preStep
	if err := appendPreSteps(&steps, raw, path); err != nil {
		return nil, err
	}
	p := &preTokenizer{}
	// A ByteLevel that is followed by other steps spells its bytes in
	// GPT-2's alphabet for them, as HF does; a final ByteLevel leaves the
	// bytes raw and the model takes them (see ByteLevelModel).
	for i := 0; i < len(steps); i++ {
		if steps[i].kind == stepByteLevel && i != len(steps)-1 {
			steps = append(steps[:i+1], append([]preStep{{kind: stepAlphabet}}, steps[i+1:]...)...)
			i++
		}
	}
	p.byteLevel = len(steps) > 0 && steps[len(steps)-1].kind == stepByteLevel
	p.steps = steps
	p.meta = newMetaspaceFast(steps)
	var funcs []pretokenize.SplitFunc
	pure := true
	for _, s := range steps {
		switch {
		case s.kind == stepSplit:
			funcs = append(funcs, s.split)
		case s.kind == stepByteLevel && !s.prefixSpace:
			if s.split != nil {
				funcs = append(funcs, s.split)
			}
		default:
			pure = false
		}
	}
	if pure && len(steps) >= 1 && steps[0].matcher != nil && (len(steps) == 1 || (len(steps) == 2 && steps[1].kind == stepByteLevel && steps[1].split == nil)) {
		s := steps[0]
		switch {
		case s.behavior == pretokenize.Isolated && !s.invert:
			p.matcher, p.keepGaps = s.matcher, true
		case s.behavior == pretokenize.Removed && s.invert:
			p.matcher, p.keepGaps = s.matcher, false
		}
	}
	if pure {
		switch len(funcs) {
		case 0:
			p.pure = func(dst []tok.Span, text []byte, piece tok.Span) []tok.Span { return append(dst, piece) }
		case 1:
			p.pure = funcs[0]
		default:
			p.pure = pretokenize.Sequence(funcs...)
		}
	}
	return p, nil
}

// appendPreSteps appends the steps of the pre-tokenizer raw (flattening
// Sequences).
func appendPreSteps(steps *[]preStep, raw json.RawMessage, path string) error {
	typ, err := typeOf(raw)
	if err != nil {
		return err
	}
	switch typ {
	case "Sequence":
		var v struct {
			PreTokenizers []json.RawMessage `json:"pretokenizers"`
		}
		if err := json.Unmarshal(raw, &v); err != nil {
			return err
		}
		for i, r := range v.PreTokenizers {
			p := fmt.Sprintf("%s.pretokenizers[%d]", path, i)
			if isNull(r) {
				continue
			}
			if err := appendPreSteps(steps, r, p); err != nil {
				return wrapPath(p, err)
			}
		}
		return nil
	case "ByteLevel":
		var v struct {
			AddPrefixSpace *bool `json:"add_prefix_space"`
			UseRegex       *bool `json:"use_regex"`
		}
		if err := json.Unmarshal(raw, &v); err != nil {
			return err
		}
		s := preStep{kind: stepByteLevel, prefixSpace: boolOr(v.AddPrefixSpace, true)}
		if boolOr(v.UseRegex, true) {
			s.split = pretokenize.ByteLevelSplit()
		}
		*steps = append(*steps, s)
		return nil
	case "Split":
		var v struct {
			Pattern  patternJSON `json:"pattern"`
			Behavior string      `json:"behavior"`
			Invert   bool        `json:"invert"`
		}
		if err := json.Unmarshal(raw, &v); err != nil {
			return err
		}
		b, err := pretokenize.ParseBehavior(v.Behavior)
		if err != nil {
			return fmt.Errorf("behavior: %w", err)
		}
		var split pretokenize.SplitFunc
		switch {
		case v.Pattern.String != nil:
			split = pretokenize.SplitString(*v.Pattern.String, b, v.Invert)
		case v.Pattern.Regex != nil:
			m, err := pretokenize.Compile(*v.Pattern.Regex)
			if err != nil {
				return fmt.Errorf("pattern: %w", err)
			}
			split = pretokenize.Split(m, b, v.Invert)
			*steps = append(*steps, preStep{kind: stepSplit, split: split})
			(*steps)[len(*steps)-1].regexSplit(m, b, v.Invert)
			return nil
		default:
			return fmt.Errorf("%w: pattern needs \"String\" or \"Regex\"", ErrBadValue)
		}
		*steps = append(*steps, preStep{kind: stepSplit, split: split})
		return nil
	case "Whitespace":
		*steps = append(*steps, preStep{kind: stepSplit, split: pretokenize.Whitespace()})
		return nil
	case "WhitespaceSplit":
		*steps = append(*steps, preStep{kind: stepSplit, split: pretokenize.WhitespaceSplit(), whitespaceSplit: true})
		return nil
	case "UnicodeScripts":
		*steps = append(*steps, preStep{kind: stepSplit, split: pretokenize.UnicodeScripts()})
		return nil
	case "BertPreTokenizer":
		*steps = append(*steps, preStep{kind: stepSplit, split: pretokenize.Bert()})
		return nil
	case "Punctuation":
		var v struct {
			Behavior *string `json:"behavior"`
		}
		if err := json.Unmarshal(raw, &v); err != nil {
			return err
		}
		b := pretokenize.Isolated
		if v.Behavior != nil {
			if b, err = pretokenize.ParseBehavior(*v.Behavior); err != nil {
				return fmt.Errorf("behavior: %w", err)
			}
		}
		*steps = append(*steps, preStep{kind: stepSplit, split: pretokenize.Punctuation(b)})
		return nil
	case "Digits":
		var v struct {
			Individual bool `json:"individual_digits"`
		}
		if err := json.Unmarshal(raw, &v); err != nil {
			return err
		}
		*steps = append(*steps, preStep{kind: stepSplit, split: pretokenize.Digits(v.Individual)})
		return nil
	case "CharDelimiterSplit":
		var v struct {
			Delimiter string `json:"delimiter"`
		}
		if err := json.Unmarshal(raw, &v); err != nil {
			return err
		}
		r, n := utf8.DecodeRuneInString(v.Delimiter)
		if n == 0 || n != len(v.Delimiter) {
			return fmt.Errorf("%w: delimiter %q is not one character", ErrBadValue, v.Delimiter)
		}
		*steps = append(*steps, preStep{kind: stepSplit, split: pretokenize.CharDelimiterSplit(r)})
		return nil
	case "Metaspace":
		var v struct {
			Replacement    *string `json:"replacement"`
			PrependScheme  *string `json:"prepend_scheme"`
			AddPrefixSpace *bool   `json:"add_prefix_space"`
			Split          *bool   `json:"split"`
		}
		if err := json.Unmarshal(raw, &v); err != nil {
			return err
		}
		s, err := metaspaceStep(v.Replacement, v.PrependScheme, v.AddPrefixSpace)
		if err != nil {
			return err
		}
		if boolOr(v.Split, true) {
			s.split = pretokenize.MetaspaceSplit(s.replacement)
		}
		*steps = append(*steps, s)
		return nil
	}
	return unknownType("pre-tokenizer", typ, builtinPreTokenizers)
}

// metaspaceStep reads the fields Metaspace pre-tokenizers and decoders
// share.
func metaspaceStep(replacement, scheme *string, addPrefixSpace *bool) (preStep, error) {
	s := preStep{kind: stepMetaspace, replacement: pretokenize.MetaspaceReplacement, prependScheme: "always"}
	if replacement != nil {
		r, n := utf8.DecodeRuneInString(*replacement)
		if n == 0 || n != len(*replacement) {
			return s, fmt.Errorf("%w: replacement %q is not one character", ErrBadValue, *replacement)
		}
		s.replacement = r
	}
	switch {
	case scheme != nil:
		switch *scheme {
		case "always", "first", "never":
			s.prependScheme = *scheme
		default:
			return s, fmt.Errorf("%w: prepend_scheme %q (want always, first or never)", ErrBadValue, *scheme)
		}
	case addPrefixSpace != nil && !*addPrefixSpace:
		s.prependScheme = "never"
	}
	return s, nil
}

// regexSplit records the matcher of a Split step so that a pre-tokenizer
// made of it alone can run the matcher directly.
func (s *preStep) regexSplit(m pretokenize.Matcher, b pretokenize.Behavior, invert bool) {
	s.matcher = m
	s.behavior = b
	s.invert = invert
}

// piece is a pre-token on the general (rewriting) path: its text and,
// for every byte, the range of the normalized segment it comes from.
type piece struct {
	text  []byte
	align []tok.Span
}

// applySlow runs every step on seg (the general path). first is true when
// seg starts the input (Metaspace prepend_scheme "first").
func (p *preTokenizer) applySlow(seg []byte, first bool) []piece {
	align := make([]tok.Span, len(seg))
	for i := range align {
		align[i] = tok.Span{Start: i, End: i + 1}
	}
	cur := []piece{{text: seg, align: align}}
	var next []piece
	var spans []tok.Span
	for _, s := range p.steps {
		next = next[:0]
		for _, pc := range cur {
			switch s.kind {
			case stepByteLevel:
				if s.prefixSpace && (len(pc.text) == 0 || pc.text[0] != ' ') && len(pc.text) > 0 {
					pc = prependPiece(pc, []byte{' '})
				}
			case stepMetaspace:
				pc = metaspacePiece(pc, s, first)
			case stepAlphabet:
				pc = alphabetPiece(pc)
			}
			if s.split == nil {
				next = append(next, pc)
				continue
			}
			spans = s.split(spans[:0], pc.text, tok.Span{Start: 0, End: len(pc.text)})
			for _, sp := range spans {
				if sp.End <= sp.Start {
					continue
				}
				next = append(next, piece{text: pc.text[sp.Start:sp.End], align: pc.align[sp.Start:sp.End]})
			}
		}
		cur, next = next, cur
	}
	return cur
}

func prependPiece(pc piece, prefix []byte) piece {
	text := make([]byte, 0, len(prefix)+len(pc.text))
	text = append(append(text, prefix...), pc.text...)
	align := make([]tok.Span, 0, len(text))
	first := pc.align[0]
	for range prefix {
		align = append(align, first)
	}
	return piece{text: text, align: append(align, pc.align...)}
}

// metaspacePiece replaces spaces by the replacement and prepends one as
// the scheme says (HF Metaspace).
func metaspacePiece(pc piece, s preStep, first bool) piece {
	var rep [utf8.UTFMax]byte
	n := utf8.EncodeRune(rep[:], s.replacement)
	text := make([]byte, 0, len(pc.text)+n)
	align := make([]tok.Span, 0, len(pc.text)+n)
	for i, c := range pc.text {
		if c == ' ' {
			text = append(text, rep[:n]...)
			for range n {
				align = append(align, pc.align[i])
			}
			continue
		}
		text = append(text, c)
		align = append(align, pc.align[i])
	}
	prepend := s.prependScheme == "always" || (s.prependScheme == "first" && first && len(pc.align) > 0 && pc.align[0].Start == 0)
	if prepend && len(text) > 0 {
		r, _ := utf8.DecodeRune(text)
		if r != s.replacement {
			return prependPiece(piece{text: text, align: align}, rep[:n])
		}
	}
	return piece{text: text, align: align}
}

// alphabetPiece spells the bytes of pc in GPT-2's byte alphabet.
func alphabetPiece(pc piece) piece {
	text := make([]byte, 0, 2*len(pc.text))
	align := make([]tok.Span, 0, 2*len(pc.text))
	for i, b := range pc.text {
		n := len(text)
		text = utf8.AppendRune(text, normalize.ByteLevelRune(b))
		for range len(text) - n {
			align = append(align, pc.align[i])
		}
	}
	return piece{text: text, align: align}
}

// appendWhitespaceSplit is pretokenize.WhitespaceSplit (the runs of
// characters that are not unicode.IsSpace) without building the list of
// delimiters first; FuzzWhitespaceSplit compares the two.
func appendWhitespaceSplit(dst []tok.Span, text []byte, piece tok.Span) []tok.Span {
	start := -1
	for i := piece.Start; i < piece.End; {
		c, size := text[i], 1
		var space bool
		if c < utf8.RuneSelf {
			space = c == ' ' || ('\t' <= c && c <= '\r')
		} else {
			var r rune
			r, size = utf8.DecodeRune(text[i:piece.End])
			space = unicode.IsSpace(r)
		}
		switch {
		case space && start >= 0:
			dst = append(dst, tok.Span{Start: start, End: i})
			start = -1
		case !space && start < 0:
			start = i
		}
		i += size
	}
	if start >= 0 {
		dst = append(dst, tok.Span{Start: start, End: piece.End})
	}
	return dst
}

// metaspacePieces is applySlow for a pre-tokenizer with a metaspaceFast
// form: the same pieces and alignments (FuzzMetaspacePieces compares
// them), built in two buffers instead of a pair per piece and step.
func (p *preTokenizer) metaspacePieces(seg []byte, first bool) []piece {
	m := p.meta
	whole := []tok.Span{{Start: 0, End: len(seg)}}
	spans := whole
	if m.pre != nil {
		spans = m.pre(nil, seg, whole[0])
	}
	n := len(seg) + len(spans)*len(m.rep)
	for _, c := range seg {
		if c == ' ' {
			n += len(m.rep) - 1
		}
	}
	text := make([]byte, 0, n)
	align := make([]tok.Span, 0, n)
	var bounds []tok.Span // the pieces, as ranges of text
	for _, sp := range spans {
		if sp.End <= sp.Start {
			continue
		}
		word := seg[sp.Start:sp.End]
		start := len(text)
		prepend := m.always || (m.first && first && sp.Start == 0)
		if prepend && word[0] != ' ' && !bytes.HasPrefix(word, m.rep) {
			text = append(text, m.rep...)
			for range m.rep {
				align = append(align, tok.Span{Start: sp.Start, End: sp.Start + 1})
			}
		}
		for i, c := range word {
			at := tok.Span{Start: sp.Start + i, End: sp.Start + i + 1}
			if c != ' ' {
				text = append(text, c)
				align = append(align, at)
				continue
			}
			text = append(text, m.rep...)
			for range m.rep {
				align = append(align, at)
			}
		}
		if !m.split {
			bounds = append(bounds, tok.Span{Start: start, End: len(text)})
			continue
		}
		from := start
		for off := start; off < len(text); {
			i := bytes.Index(text[off:], m.rep)
			if i < 0 {
				break
			}
			if i += off; i > from {
				bounds = append(bounds, tok.Span{Start: from, End: i})
				from = i
			}
			off = i + len(m.rep)
		}
		if from < len(text) {
			bounds = append(bounds, tok.Span{Start: from, End: len(text)})
		}
	}
	out := make([]piece, len(bounds))
	for i, b := range bounds {
		out[i] = piece{text: text[b.Start:b.End], align: align[b.Start:b.End]}
	}
	return out
}
