package pretokenize

import "sort"

// The built-in pre-tokenization patterns. Each is spelled exactly as the
// reference tool that uses it spells it, so that Compile can recognise it
// and pick the hand-written matcher.
const (
	// PatternGPT2 is GPT-2's pattern: OpenAI's encoder.py, tiktoken's
	// gpt2/r50k_base/p50k_base/p50k_edit (npm tiktoken 1.0.22), and
	// HuggingFace's ByteLevel pre-tokenizer with use_regex.
	PatternGPT2 = `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`

	// PatternCL100K is cl100k_base's pattern as npm tiktoken 1.0.22 (the
	// reference tool of the golden files) and the HF tokenizer.json of
	// gpt-3.5-turbo spell it. Llama 3 uses the same pattern.
	//
	// Python tiktoken ≥ 0.7 spells cl100k with possessive quantifiers and
	// an extra `\s++$` alternative; that variant differs only on a run of
	// whitespace that ends the text and holds a \r or \n followed by
	// more whitespace ("a\n " → "a", "\n " there; "a", "\n", " " here). It
	// is not built in; Compile accepts it through the regexp engine.
	PatternCL100K = `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`

	// PatternQwen2 is Qwen2/Qwen2.5/Qwen3's pattern: cl100k's with single
	// digits (\p{N} instead of \p{N}{1,3}).
	PatternQwen2 = `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`

	// PatternO200K is o200k_base's pattern (GPT-4o), as tiktoken and the HF
	// tokenizer.json of gpt-4o spell it.
	PatternO200K = `[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+`

	// PatternWhitespace is HuggingFace's Whitespace pre-tokenizer pattern.
	// It is run by the regexp engine (Whitespace uses a hand-written
	// splitter with HF's own \w).
	PatternWhitespace = `\w+|[^\w\s]+`
)

var namedPatterns = map[string]string{
	"gpt2":        PatternGPT2,
	"r50k":        PatternGPT2,
	"r50k_base":   PatternGPT2,
	"p50k":        PatternGPT2,
	"p50k_base":   PatternGPT2,
	"p50k_edit":   PatternGPT2,
	"bytelevel":   PatternGPT2,
	"cl100k":      PatternCL100K,
	"cl100k_base": PatternCL100K,
	"llama3":      PatternCL100K,
	"qwen2":       PatternQwen2,
	"qwen3":       PatternQwen2,
	"o200k":       PatternO200K,
	"o200k_base":  PatternO200K,
	// o200k_harmony (gpt-oss) adds special tokens to o200k_base only.
	"o200k_harmony": PatternO200K,
}

// Named returns the built-in pattern called name: "gpt2" (also "r50k",
// "r50k_base", "p50k", "p50k_base", "p50k_edit", "bytelevel"), "cl100k"
// (also "cl100k_base", "llama3"), "qwen2" (also "qwen3"), "o200k" (also
// "o200k_base", "o200k_harmony").
func Named(name string) (pattern string, ok bool) {
	p, ok := namedPatterns[name]
	return p, ok
}

// Names lists the names Named accepts, sorted.
func Names() []string {
	names := make([]string, 0, len(namedPatterns))
	for n := range namedPatterns {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
