package pretokenize

// fastMatcher returns the hand-written matcher for a built-in pattern, or
// nil.
func fastMatcher(pattern string) Matcher {
	return nil
}
