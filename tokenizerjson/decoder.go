package tokenizerjson

import (
	"bytes"
	"encoding/json"
	"fmt"
	"unicode/utf8"

	"github.com/toklabs/tok/normalize"
)

// decToken is a token on its way through the decoders: its text and
// whether it is an added token (whose content is kept verbatim by
// ByteLevel, so that decode(encode(x)) == x).
type decToken struct {
	text  []byte
	added bool
}

// decoder is one stage of HF's decode_chain: tokens in, tokens out. The
// final text is the concatenation of the last stage's tokens.
type decoder interface {
	decodeChain(toks []decToken) []decToken
}

var builtinDecoders = []string{"BPEDecoder", "ByteFallback", "ByteLevel", "CTC", "Fuse", "Metaspace",
	"Replace", "Sequence", "Strip", "WordPiece"}

func parseDecoder(raw json.RawMessage, path string) (decoder, error) {
	if isNull(raw) {
		return nil, nil
	}
	typ, err := typeOf(raw)
	if err != nil {
		return nil, err
	}
	switch typ {
	case "ByteLevel":
		return byteLevelDecoder{}, nil
	case "ByteFallback":
		return byteFallbackDecoder{}, nil
	case "Fuse":
		return fuseDecoder{}, nil
	case "Metaspace":
		var v struct {
			Replacement    *string `json:"replacement"`
			PrependScheme  *string `json:"prepend_scheme"`
			AddPrefixSpace *bool   `json:"add_prefix_space"`
		}
		if err := json.Unmarshal(raw, &v); err != nil {
			return nil, err
		}
		s, err := metaspaceStep(v.Replacement, v.PrependScheme, v.AddPrefixSpace)
		if err != nil {
			return nil, err
		}
		return metaspaceDecoder{replacement: s.replacement, stripFirst: s.prependScheme != "never"}, nil
	case "Strip":
		var v struct {
			Content string `json:"content"`
			Start   int    `json:"start"`
			Stop    int    `json:"stop"`
		}
		if err := json.Unmarshal(raw, &v); err != nil {
			return nil, err
		}
		r, n := utf8.DecodeRuneInString(v.Content)
		if n == 0 || n != len(v.Content) || v.Start < 0 || v.Stop < 0 {
			return nil, fmt.Errorf("%w: Strip needs one content character and non-negative start and stop", ErrBadValue)
		}
		return stripDecoder{content: r, start: v.Start, stop: v.Stop}, nil
	case "Replace":
		var v struct {
			Pattern patternJSON `json:"pattern"`
			Content string      `json:"content"`
		}
		if err := json.Unmarshal(raw, &v); err != nil {
			return nil, err
		}
		m, _, _, err := v.Pattern.matcher()
		if err != nil {
			return nil, fmt.Errorf("pattern: %w", err)
		}
		return replaceDecoder{r: normalize.Replace{Pattern: m, Content: v.Content}}, nil
	case "WordPiece":
		var v struct {
			Prefix  *string `json:"prefix"`
			Cleanup *bool   `json:"cleanup"`
		}
		if err := json.Unmarshal(raw, &v); err != nil {
			return nil, err
		}
		d := wordPieceDecoder{prefix: "##", cleanup: boolOr(v.Cleanup, true)}
		if v.Prefix != nil {
			d.prefix = *v.Prefix
		}
		return d, nil
	case "BPEDecoder":
		var v struct {
			Suffix *string `json:"suffix"`
		}
		if err := json.Unmarshal(raw, &v); err != nil {
			return nil, err
		}
		d := bpeDecoder{suffix: "</w>"}
		if v.Suffix != nil {
			d.suffix = *v.Suffix
		}
		return d, nil
	case "CTC":
		var v struct {
			PadToken           *string `json:"pad_token"`
			WordDelimiterToken *string `json:"word_delimiter_token"`
			Cleanup            *bool   `json:"cleanup"`
		}
		if err := json.Unmarshal(raw, &v); err != nil {
			return nil, err
		}
		d := ctcDecoder{pad: "<pad>", delim: "|", cleanup: boolOr(v.Cleanup, true)}
		if v.PadToken != nil {
			d.pad = *v.PadToken
		}
		if v.WordDelimiterToken != nil {
			d.delim = *v.WordDelimiterToken
		}
		return d, nil
	case "Sequence":
		seq, err := parseSequence(raw, path, "decoders", parseDecoder)
		return sequenceDecoder(seq), err
	}
	return nil, unknownType("decoder", typ, builtinDecoders)
}

// byteLevelDecoder maps every character of GPT-2's byte alphabet back to
// its byte. Unlike HF, which then decodes the bytes as UTF-8 with U+FFFD
// for invalid sequences, the bytes are kept as they are, so invalid UTF-8
// round-trips; a token holding a character outside the alphabet, and an
// added token, is kept as it is (HF does the former too).
type byteLevelDecoder struct{}

func (byteLevelDecoder) decodeChain(toks []decToken) []decToken {
	var out []byte
	for _, t := range toks {
		if t.added {
			out = append(out, t.text...)
			continue
		}
		n := len(out)
		var ok bool
		out, ok = normalize.DecodeByteLevel(out, string(t.text))
		if !ok {
			out = append(out[:n], t.text...)
		}
	}
	return []decToken{{text: out}}
}

// byteFallbackDecoder turns runs of <0xNN> tokens into their bytes. HF
// replaces an invalid UTF-8 run with one U+FFFD per byte; the raw bytes
// are kept here, so invalid input round-trips.
type byteFallbackDecoder struct{}

func byteFallbackValue(t []byte) (byte, bool) {
	if len(t) != 6 || t[0] != '<' || t[1] != '0' || t[2] != 'x' || t[5] != '>' {
		return 0, false
	}
	v := 0
	for _, c := range t[3:5] {
		switch {
		case '0' <= c && c <= '9':
			v = v*16 + int(c-'0')
		case 'A' <= c && c <= 'F':
			v = v*16 + int(c-'A'+10)
		case 'a' <= c && c <= 'f':
			v = v*16 + int(c-'a'+10)
		default:
			return 0, false
		}
	}
	return byte(v), true
}

func (byteFallbackDecoder) decodeChain(toks []decToken) []decToken {
	out := make([]decToken, 0, len(toks))
	var pending []byte
	flush := func() {
		if len(pending) > 0 {
			out = append(out, decToken{text: pending})
			pending = nil
		}
	}
	for _, t := range toks {
		if b, ok := byteFallbackValue(t.text); ok && !t.added {
			pending = append(pending, b)
			continue
		}
		flush()
		out = append(out, t)
	}
	flush()
	return out
}

// fuseDecoder joins every token into one.
type fuseDecoder struct{}

func (fuseDecoder) decodeChain(toks []decToken) []decToken {
	var out []byte
	for _, t := range toks {
		out = append(out, t.text...)
	}
	return []decToken{{text: out}}
}

// metaspaceDecoder turns the replacement back into spaces; in the first
// token every replacement is dropped instead (unless prepend_scheme is
// "never"), as HF does.
type metaspaceDecoder struct {
	replacement rune
	stripFirst  bool
}

func (d metaspaceDecoder) decodeChain(toks []decToken) []decToken {
	rep := []byte(string(d.replacement))
	for i := range toks {
		with := []byte{' '}
		if i == 0 && d.stripFirst {
			with = nil
		}
		toks[i].text = bytes.ReplaceAll(toks[i].text, rep, with)
	}
	return toks
}

// stripDecoder removes up to start leading and stop trailing content
// characters from every token.
type stripDecoder struct {
	content     rune
	start, stop int
}

func (d stripDecoder) decodeChain(toks []decToken) []decToken {
	for i := range toks {
		t := toks[i].text
		for k := 0; k < d.start; k++ {
			r, n := utf8.DecodeRune(t)
			if n == 0 || r != d.content {
				break
			}
			t = t[n:]
		}
		for k := 0; k < d.stop; k++ {
			r, n := utf8.DecodeLastRune(t)
			if n == 0 || r != d.content {
				break
			}
			t = t[:len(t)-n]
		}
		toks[i].text = t
	}
	return toks
}

// replaceDecoder replaces a pattern in every token.
type replaceDecoder struct{ r normalize.Replace }

func (d replaceDecoder) decodeChain(toks []decToken) []decToken {
	for i := range toks {
		toks[i].text = d.r.Normalize(nil, toks[i].text)
	}
	return toks
}

// wordPieceDecoder removes the continuing-subword prefix, puts a space
// before every other token, and optionally cleans up spaces before
// punctuation.
type wordPieceDecoder struct {
	prefix  string
	cleanup bool
}

func (d wordPieceDecoder) decodeChain(toks []decToken) []decToken {
	for i := range toks {
		t := toks[i].text
		if i != 0 {
			if d.prefix != "" && bytes.HasPrefix(t, []byte(d.prefix)) {
				t = t[len(d.prefix):]
			} else {
				t = append([]byte{' '}, t...)
			}
		}
		if d.cleanup {
			t = cleanupSpaces(t)
		}
		toks[i].text = t
	}
	return toks
}

// cleanupReplacements is HF's wordpiece::cleanup, in order.
var cleanupReplacements = [][2]string{
	{" .", "."}, {" ?", "?"}, {" !", "!"}, {" ,", ","}, {" ' ", "'"}, {" n't", "n't"},
	{" 'm", "'m"}, {" do not", " don't"}, {" 's", "'s"}, {" 've", "'ve"}, {" 're", "'re"},
}

func cleanupSpaces(t []byte) []byte {
	for _, r := range cleanupReplacements {
		if bytes.Contains(t, []byte(r[0])) {
			t = bytes.ReplaceAll(t, []byte(r[0]), []byte(r[1]))
		}
	}
	return t
}

// bpeDecoder replaces the end-of-word suffix by a space (nothing after the
// last token).
type bpeDecoder struct{ suffix string }

func (d bpeDecoder) decodeChain(toks []decToken) []decToken {
	for i := range toks {
		rep := []byte{' '}
		if i == len(toks)-1 {
			rep = nil
		}
		if d.suffix != "" {
			toks[i].text = bytes.ReplaceAll(toks[i].text, []byte(d.suffix), rep)
		}
	}
	return toks
}

// ctcDecoder collapses repeated tokens, drops the pad token and turns the
// word delimiter into a space.
type ctcDecoder struct {
	pad, delim string
	cleanup    bool
}

func (d ctcDecoder) decodeChain(toks []decToken) []decToken {
	out := toks[:0:0]
	for i, t := range toks {
		if i > 0 && bytes.Equal(t.text, toks[i-1].text) {
			continue
		}
		s := t.text
		if d.pad != "" {
			s = bytes.ReplaceAll(s, []byte(d.pad), nil)
		}
		if d.cleanup {
			s = cleanupSpaces(s)
			if d.delim != "" {
				s = bytes.ReplaceAll(s, []byte(d.delim), []byte{' '})
			}
		}
		if len(s) > 0 {
			out = append(out, decToken{text: s, added: t.added})
		}
	}
	return out
}

// sequenceDecoder runs decoders one after another.
type sequenceDecoder []decoder

func (s sequenceDecoder) decodeChain(toks []decToken) []decToken {
	for _, d := range s {
		toks = d.decodeChain(toks)
	}
	return toks
}
