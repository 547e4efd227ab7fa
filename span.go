package tok

// Span is a half-open byte range [Start, End) in a text.
type Span struct {
	Start, End int
}

// Len is End - Start.
func (s Span) Len() int { return s.End - s.Start }
