// Package metrics measures tokenizers: the model-based scores that are
// comparable across vocabularies (bits per byte, bits per character, word
// perplexity) and the intrinsic measures computed from the token stream
// alone (bytes per token, fertility, continued words, Rényi efficiency,
// vocabulary utilisation, lossy bytes, tokens unseen in training).
//
// Formulas follow ../shared/reference/pipeline-model.md §5: BPB =
// NLL/(ln 2 · B) with B the UTF-8 bytes of the original text; Rényi
// efficiency Eff_α = H_α/log₂|V| with H_α = log₂(Σ p^α)/(1−α) and the true
// vocabulary size |V| (Zouhar et al. 2023, α = 2.5).
package metrics

import (
	"math"
)

// RenyiAlpha is the order of the Rényi entropy used by [Intrinsic]; 2.5 is
// the value Zouhar et al. (2023) found to correlate best with BLEU.
const RenyiAlpha = 2.5

// BitsPerByte converts a summed negative log-likelihood in nats over a text
// into bits per UTF-8 byte of that text.
func BitsPerByte(nllNats float64, bytes int64) float64 {
	if bytes == 0 {
		return math.NaN()
	}
	return nllNats / (math.Ln2 * float64(bytes))
}

// BitsPerChar is BitsPerByte per Unicode code point instead of per byte.
func BitsPerChar(nllNats float64, chars int64) float64 { return BitsPerByte(nllNats, chars) }

// Perplexity is exp(nll/n): per word with n words (comparable across
// tokenizers), per token with n tokens (not comparable across vocabularies).
func Perplexity(nllNats float64, n int64) float64 {
	if n == 0 {
		return math.NaN()
	}
	return math.Exp(nllNats / float64(n))
}

// RenyiEntropy returns H_α in bits of the distribution given by counts.
// α = 1 gives the Shannon entropy.
func RenyiEntropy(counts []int64, alpha float64) float64 {
	var total float64
	for _, c := range counts {
		total += float64(c)
	}
	if total == 0 {
		return 0
	}
	if alpha == 1 {
		var h float64
		for _, c := range counts {
			if c > 0 {
				p := float64(c) / total
				h -= p * math.Log2(p)
			}
		}
		return h
	}
	var s float64
	for _, c := range counts {
		if c > 0 {
			s += math.Pow(float64(c)/total, alpha)
		}
	}
	return math.Log2(s) / (1 - alpha)
}

// RenyiEfficiency is RenyiEntropy divided by log₂ of the vocabulary size.
func RenyiEfficiency(counts []int64, alpha float64, vocabSize int) float64 {
	if vocabSize < 2 {
		return math.NaN()
	}
	return RenyiEntropy(counts, alpha) / math.Log2(float64(vocabSize))
}
