// Package truncation computes how many tokens each sequence of an encoding
// keeps when the encoding must fit a maximum length, as HF tokenizers'
// truncation does. wordpiece and tokenizerjson both use it so that the
// arithmetic lives in one place; each applies the lengths to its own
// encoding type.
package truncation

// LongestFirst splits budget tokens between two sequences of n1 and n2
// tokens as HF's LongestFirst strategy does: the shorter sequence keeps
// its length when it fits and the longer one gets the rest (never less
// than the shorter one); when both are long each gets half, the shorter
// rounding down. Callers apply it only when n1+n2 > budget.
func LongestFirst(n1, n2, budget int) (int, int) {
	swap := n1 > n2
	if swap {
		n1, n2 = n2, n1
	}
	if n1 > budget {
		n2 = n1
	} else {
		n2 = max(n1, budget-n1)
	}
	if n1+n2 > budget {
		n1 = budget / 2
		n2 = n1 + budget%2
	}
	if swap {
		n1, n2 = n2, n1
	}
	return n1, n2
}

// Window is the token range [Start, End) of one piece of a truncated
// sequence.
type Window struct{ Start, End int }

// Windows cuts a sequence of total tokens into windows of n tokens that
// overlap by stride, as HF's Encoding::truncate does with overflow: the
// first window is the kept part (the start of the sequence, or its end
// when left is true) and the others are the overflowing ones, in order.
// With n >= total there is one window, the whole sequence; with n == 0 or
// stride >= n there is one window of n tokens and no overflow.
func Windows(total, n, stride int, left bool) []Window {
	if n >= total {
		return []Window{{0, total}}
	}
	if n == 0 || stride >= n {
		if left {
			return []Window{{total - n, total}}
		}
		return []Window{{0, n}}
	}
	step := n - stride
	var w []Window
	if !left {
		for start := 0; ; start += step {
			stop := min(start+n, total)
			w = append(w, Window{start, stop})
			if stop == total {
				return w
			}
		}
	}
	for stop := total; ; stop -= step {
		start := max(stop-n, 0)
		w = append(w, Window{start, stop})
		if start == 0 {
			return w
		}
	}
}
