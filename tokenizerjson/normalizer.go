package tokenizerjson

import (
	"encoding/json"
	"fmt"
	"sort"
	"sync"

	"github.com/toklabs/tok/normalize"
	"github.com/toklabs/tok/pretokenize"
)

// NormalizerParser builds a normalizer from its JSON object. path is the
// object's JSON path, for error messages.
type NormalizerParser func(raw json.RawMessage, path string) (normalize.Normalizer, error)

var (
	normalizersMu sync.RWMutex
	extraNorms    = map[string]NormalizerParser{}
)

// RegisterNormalizer makes a normalizer type known to the loader; it is
// the hook for normalizers that live with a family, such as SentencePiece's
// "Precompiled" charsmap. Built-in types cannot be replaced.
func RegisterNormalizer(typ string, parse NormalizerParser) {
	normalizersMu.Lock()
	defer normalizersMu.Unlock()
	if _, dup := extraNorms[typ]; dup || builtinNormalizer(typ) {
		panic(fmt.Sprintf("tokenizerjson: normalizer type %q registered twice", typ))
	}
	extraNorms[typ] = parse
}

var builtinNormalizers = []string{"BertNormalizer", "Strip", "StripAccents", "NFC", "NFD", "NFKC", "NFKD",
	"Lowercase", "Nmt", "Replace", "Prepend", "Append", "ByteLevel", "Sequence"}

func builtinNormalizer(typ string) bool {
	for _, b := range builtinNormalizers {
		if b == typ {
			return true
		}
	}
	return false
}

func knownNormalizers() []string {
	normalizersMu.RLock()
	defer normalizersMu.RUnlock()
	names := append([]string(nil), builtinNormalizers...)
	for k := range extraNorms {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// patternJSON is HF's Pattern: {"String": s} or {"Regex": r}.
type patternJSON struct {
	String *string `json:"String"`
	Regex  *string `json:"Regex"`
}

// matcher compiles the pattern; literal reports a String pattern.
func (p patternJSON) matcher() (m normalize.Matcher, literal string, isLiteral bool, err error) {
	switch {
	case p.String != nil:
		return normalize.Literal(*p.String), *p.String, true, nil
	case p.Regex != nil:
		if m, ok := nativePatterns[*p.Regex]; ok {
			return m, "", false, nil
		}
		rm, err := pretokenize.Compile(*p.Regex)
		if err != nil {
			return nil, "", false, err
		}
		return rm, "", false, nil
	}
	return nil, "", false, fmt.Errorf("%w: pattern needs \"String\" or \"Regex\"", ErrBadValue)
}

// normalizerInfo is what the pipeline needs to know about a normalizer
// besides running it.
type normalizerInfo struct {
	byteLevel bool // a ByteLevel normalizer is in it
}

// parseNormalizer builds the normalizer at path; nil for JSON null.
func parseNormalizer(raw json.RawMessage, path string, info *normalizerInfo) (normalize.Normalizer, error) {
	if isNull(raw) {
		return nil, nil
	}
	typ, err := typeOf(raw)
	if err != nil {
		return nil, err
	}
	switch typ {
	case "BertNormalizer":
		var v struct {
			CleanText          *bool `json:"clean_text"`
			HandleChineseChars *bool `json:"handle_chinese_chars"`
			StripAccents       *bool `json:"strip_accents"`
			Lowercase          *bool `json:"lowercase"`
		}
		if err := json.Unmarshal(raw, &v); err != nil {
			return nil, err
		}
		return normalize.NewBert(boolOr(v.CleanText, true), boolOr(v.HandleChineseChars, true), v.StripAccents, boolOr(v.Lowercase, true)), nil
	case "Strip":
		var v struct {
			Left  *bool `json:"strip_left"`
			Right *bool `json:"strip_right"`
		}
		if err := json.Unmarshal(raw, &v); err != nil {
			return nil, err
		}
		return normalize.Strip{Left: boolOr(v.Left, true), Right: boolOr(v.Right, true)}, nil
	case "StripAccents":
		return normalize.StripAccents{}, nil
	case "NFC":
		return normalize.NFC, nil
	case "NFD":
		return normalize.NFD, nil
	case "NFKC":
		return normalize.NFKC, nil
	case "NFKD":
		return normalize.NFKD, nil
	case "Lowercase":
		return normalize.Lowercase{}, nil
	case "Nmt":
		return normalize.Nmt{}, nil
	case "ByteLevel":
		info.byteLevel = true
		return normalize.ByteLevel{}, nil
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
			return nil, fmt.Errorf("%s.pattern: %w", path, err)
		}
		return normalize.Replace{Pattern: m, Content: v.Content}, nil
	case "Prepend":
		var v struct {
			Prepend string `json:"prepend"`
		}
		if err := json.Unmarshal(raw, &v); err != nil {
			return nil, err
		}
		return normalize.Prepend{Prefix: v.Prepend}, nil
	case "Append":
		var v struct {
			Append string `json:"append"`
		}
		if err := json.Unmarshal(raw, &v); err != nil {
			return nil, err
		}
		return normalize.Append{Suffix: v.Append}, nil
	case "Sequence":
		seq, err := parseSequence(raw, path, "normalizers", func(r json.RawMessage, p string) (normalize.Normalizer, error) {
			return parseNormalizer(r, p, info)
		})
		if err != nil {
			return nil, err
		}
		if len(seq) == 1 {
			return seq[0], nil
		}
		return normalize.Sequence(seq), nil
	}
	normalizersMu.RLock()
	parse, ok := extraNorms[typ]
	normalizersMu.RUnlock()
	if ok {
		return parse(raw, path)
	}
	return nil, unknownType("normalizer", typ, knownNormalizers())
}

func boolOr(p *bool, def bool) bool {
	if p == nil {
		return def
	}
	return *p
}

// pathErr marks an error as already carrying its JSON path.
type pathErr struct {
	path string
	err  error
}

func (e *pathErr) Error() string { return e.path + ": " + e.err.Error() }
func (e *pathErr) Unwrap() error { return e.err }

// wrapPath prefixes err with path unless an inner path is already there.
func wrapPath(path string, err error) error {
	if _, ok := err.(*pathErr); ok {
		return err
	}
	return &pathErr{path: path, err: err}
}
