package sentencepiece

import (
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// NormalizationRule names the built-in normalizations of spm_train's
// --normalization_rule_name.
type NormalizationRule int

// Built-in rules.
const (
	NmtNFKC   NormalizationRule = iota // NFKC plus NMT cleanup (the default)
	NFKC                               // NFKC only
	NmtNFKCCF                          // nmt_nfkc then case folding
	NFKCCF                             // nfkc then case folding
	Identity                           // no rules
)

var ruleNames = []string{"nmt_nfkc", "nfkc", "nmt_nfkc_cf", "nfkc_cf", "identity"}

func (r NormalizationRule) String() string {
	if int(r) < len(ruleNames) {
		return ruleNames[r]
	}
	return fmt.Sprintf("NormalizationRule(%d)", int(r))
}

// ParseNormalizationRule is the inverse of NormalizationRule.String.
func ParseNormalizationRule(s string) (NormalizationRule, error) {
	for i, n := range ruleNames {
		if n == s {
			return NormalizationRule(i), nil
		}
	}
	return 0, fmt.Errorf("sentencepiece: unknown normalization rule %q (want %s)", s, strings.Join(ruleNames, ", "))
}

// Rules returns the rule's mapping from single characters to their
// replacements, computed from Unicode data (golang.org/x/text, Unicode
// 15). The NMT cleanup deletes C0/C1 controls other than whitespace and
// maps whitespace-like characters (tab, newline, CR, form feed, zero-width
// spaces, directional marks, line/paragraph separators, BOM, ▁) to a space.
func (r NormalizationRule) Rules() map[string]string {
	if r == Identity {
		return nil
	}
	nmt := r == NmtNFKC || r == NmtNFKCCF
	fold := r == NmtNFKCCF || r == NFKCCF
	var folder cases.Caser
	if fold {
		folder = cases.Fold()
	}
	rules := map[string]string{}
	// NUL cannot be a key of the trie (label 0 marks a leaf), so it is
	// left alone, as in SentencePiece's tables.
	for c := rune(1); c <= utf8.MaxRune; c++ {
		if c >= 0xD800 && c <= 0xDFFF {
			continue
		}
		in := string(c)
		out := in
		if nmt {
			if v, ok := nmtRule(c); ok {
				out = v
				if out != in {
					rules[in] = out
				}
				continue
			}
		}
		out = norm.NFKC.String(out)
		if fold {
			out = norm.NFKC.String(folder.String(out))
		}
		if nmt {
			// NFKC can produce characters the NMT cleanup rewrites.
			var b strings.Builder
			for _, x := range out {
				if v, ok := nmtRule(x); ok {
					b.WriteString(v)
				} else {
					b.WriteRune(x)
				}
			}
			out = b.String()
		}
		if out != in && !strings.ContainsRune(out, 0) {
			rules[in] = out
		}
	}
	return rules
}

// nmtRule is the NMT cleanup of one character.
func nmtRule(c rune) (string, bool) {
	switch {
	case c == 0x09 || c == 0x0A || c == 0x0C || c == 0x0D || c == 0x1680 ||
		(c >= 0x200B && c <= 0x200F) || c == 0x2028 || c == 0x2029 || c == 0x2581 ||
		c == 0xFEFF || c == 0xFFFD:
		return " ", true
	case c == 0xFF5E: // SentencePiece keeps the fullwidth tilde
		return "\uFF5E", true
	case c <= 0x08 || c == 0x0B || (c >= 0x0E && c <= 0x1F) || c == 0x7F || c == 0x8F || c == 0x9F:
		return "", true
	}
	return "", false
}

var builtinMaps [Identity + 1]struct {
	once sync.Once
	m    *CharsMap
	err  error
}

// builtinCharsMap compiles a built-in rule once per process (it walks all
// of Unicode).
func builtinCharsMap(r NormalizationRule) (*CharsMap, error) {
	if r < 0 || int(r) >= len(ruleNames) {
		return nil, fmt.Errorf("sentencepiece: unknown normalization rule %d", int(r))
	}
	b := &builtinMaps[r]
	b.once.Do(func() {
		if rules := r.Rules(); len(rules) > 0 {
			b.m, b.err = BuildCharsMap(rules)
		}
	})
	return b.m, b.err
}

// ParseRuleTSV reads custom normalization rules in spm_train's
// --normalization_rule_tsv format: one rule per line, the source and the
// target as space-separated hexadecimal code points separated by a tab
// (further tab-separated fields are comments; lines starting with # are
// skipped). An empty target deletes the source.
func ParseRuleTSV(text string) (map[string]string, error) {
	rules := map[string]string{}
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimRight(line, "\r")
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) < 2 {
			return nil, fmt.Errorf("sentencepiece: rule line %d: want source<TAB>target", i+1)
		}
		src, err := parseCodePoints(f[0])
		if err != nil || src == "" {
			return nil, fmt.Errorf("sentencepiece: rule line %d: bad source %q", i+1, f[0])
		}
		dst, err := parseCodePoints(f[1])
		if err != nil {
			return nil, fmt.Errorf("sentencepiece: rule line %d: bad target %q", i+1, f[1])
		}
		rules[src] = dst
	}
	return rules, nil
}

func parseCodePoints(s string) (string, error) {
	var b strings.Builder
	for _, f := range strings.Fields(s) {
		var c rune
		if _, err := fmt.Sscanf(f, "%x", &c); err != nil || !utf8.ValidRune(c) || c == 0 {
			return "", fmt.Errorf("bad code point %q", f)
		}
		b.WriteRune(c)
	}
	return b.String(), nil
}
