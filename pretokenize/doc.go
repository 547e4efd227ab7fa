// Package pretokenize splits text into pre-tokens, the pieces a tokenizer
// model (BPE, WordPiece, Unigram) then encodes one by one.
//
// # Pattern matchers
//
// A [Matcher] appends the byte spans of the successive leftmost,
// non-overlapping matches of a pattern, as a backtracking regexp engine
// (tiktoken's fancy-regex, HF's Oniguruma, regexp2) finds them:
//
//	m, _ := pretokenize.Compile(pretokenize.PatternCL100K) // or CompileNamed("cl100k")
//	spans := m.AppendMatches(nil, []byte("Hello world"))   // [0,5) [5,11)
//
// [Compile] recognises the built-in patterns ([PatternGPT2], [PatternCL100K]
// (= Llama 3), [PatternQwen2], [PatternO200K]; see [Named]) by their exact
// text and returns a hand-written matcher: it works on UTF-8 bytes with an
// ASCII fast path and a 64 KB table for the Basic Multilingual Plane, runs in
// time linear in the input, allocates nothing but dst, and gives exactly the
// spans of the regexp engine (tested on tables, the golden texts and by
// fuzzing). Any other pattern runs on github.com/dlclark/regexp2
// ([CompileRegexp]), with possessive quantifiers rewritten to atomic groups.
//
// # Invalid UTF-8
//
// Matchers accept any bytes. Each byte of an invalid UTF-8 sequence is read
// as one U+FFFD character (as utf8.DecodeRune reports it): a symbol, so it is
// matched by [^\s\p{L}\p{N}]. Spans always start and end on the boundaries
// of those characters, so an invalid byte is never split from itself and,
// with a pattern that matches every character (all the built-in ones do), the
// spans tile the input: every byte is in exactly one span, and BPE over the
// pieces round-trips byte for byte. The reference tools take only valid
// strings (tiktoken's core takes &str); on valid UTF-8 there is no
// difference.
//
// # Splitting rules
//
// The HuggingFace pre-tokenizers are [SplitFunc]s over spans of the
// (normalized) text: [Split] (a pattern with a [Behavior] and invert),
// [SplitString], [SplitRune], [Whitespace], [WhitespaceSplit],
// [Punctuation], [Digits], [CharDelimiterSplit], [Bert], [UnicodeScripts],
// [MetaspaceSplit], [ByteLevelSplit], chained with [Sequence]. They only split: steps that
// rewrite the text (ByteLevel's byte-to-unicode mapping, add_prefix_space,
// Metaspace's replacement and prepend_scheme; see [AppendMetaspaceText]) are
// the caller's.
//
// # Known differences from the reference engines
//
//   - (?i:'s) follows regexp2: only ASCII letters fold, so "'ſ" (U+017F) is
//     not a contraction, where Rust's regex also folds ſ to s.
//   - Unicode classes come from Go's unicode package (Unicode 15.0.0); the
//     reference tools may use a slightly different version (HF's
//     UnicodeScripts table, for one, does not know U+1F9D1).
//   - An empty match is reported and the search resumes one character later
//     (regexp2/.NET); Rust's regex skips an empty match that touches the
//     previous one. None of the built-in patterns can match empty.
//   - \w in CompileRegexp is Oniguruma's documented word class (\p{L}\p{M}
//     \p{N}\p{Pc}); Oniguruma itself strays from it on some numbers,
//     enclosed forms and ZWJ sequences, more so for \W and inside brackets.
//     \b keeps regexp2's own \w. $ is regexp2's (end, or before a final
//     \n), not Oniguruma's end of line.
//   - The regexp engine has no match timeout; a pattern with nested
//     quantifiers can backtrack for exponential time. It also holds 12 bytes
//     per input byte while it runs (runes and their offsets).
//
// # Performance notes
//
// BenchmarkMatcher_AppendMatches reports MB/s of wall time and cpuMB/s (per
// CPU second, steadier on a busy machine). One run on a 2-core VM shared
// with other jobs (load about 20), 64 KiB inputs, cpuMB/s, fast vs regexp2:
//
//	         english       code          cjk           spaces        one letter
//	gpt2     591 vs 3.2    185 vs 1.4    407 vs 9.9    1050 vs 28    1396 vs 15
//	cl100k   234 vs 1.9    230 vs 1.3    253 vs 8.3     643 vs 11     842 vs 25
//	qwen2    429 vs 2.6    327 vs 2.4    378 vs 15     1333 vs 12    1435 vs 26
//	o200k    372 vs 2.8    241 vs 1.6    362 vs 12     1430 vs 16    1429 vs 25
//
// so the fast path is 24–183 times faster: least on CJK and long runs of
// one class (regexp2 makes few, long matches there), most on English and
// code. Time is linear: at 1 MiB and 10 MiB the rates stay within a factor
// of two of the 64 KiB ones, either way (cache and noise), and 10 MiB is as
// fast as 1 MiB (one letter, cpuMB/s at 64 KiB, 1 MiB, 10 MiB: gpt2 1396,
// 807, 746; cl100k 842, 1346, 1386; o200k 1429, 889, 890). The fast matchers allocate
// nothing but dst; the only shared state is the 64 KB BMP class table, built
// once on first use (a few ms).
//
// Tried and kept: a 256-entry byte class table (no bounds check, so classAt
// inlines) instead of an ASCII table plus a branch. Not tried: a DFA; the
// per-pattern code is short and each step is a run scan over a table.
package pretokenize
