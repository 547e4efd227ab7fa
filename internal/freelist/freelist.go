// Package freelist keeps buffers for reuse and hands out the smallest one
// that is large enough (best fit). The pipeline's pools of job buffers and
// the Parquet reader's page buffers are built on it; each adds its own
// locking, bounds and rules for when a buffer may come back.
package freelist

// List is a set of buffers kept for reuse. The zero List is empty. It is
// not safe for concurrent use.
type List[T any] struct {
	bufs [][]T
}

// Len returns the number of buffers in the list.
func (l *List[T]) Len() int { return len(l.bufs) }

// Take removes from the list, and returns emptied, the smallest buffer
// with room for n elements; nil if there is none.
func (l *List[T]) Take(n int) []T {
	best := -1
	for i, b := range l.bufs {
		if cap(b) >= n && (best < 0 || cap(b) < cap(l.bufs[best])) {
			best = i
		}
	}
	if best < 0 {
		return nil
	}
	b := l.bufs[best]
	last := len(l.bufs) - 1
	l.bufs[best], l.bufs[last] = l.bufs[last], nil
	l.bufs = l.bufs[:last]
	return b[:0]
}

// Add puts b in the list.
func (l *List[T]) Add(b []T) { l.bufs = append(l.bufs, b[:0]) }

// ReplaceSmallest puts b in the list in place of its smallest buffer, if
// that one is smaller than b, and returns the buffer left out: that
// smallest one, or b itself. A list that has reached its bound of buffers
// keeps the largest ones this way.
func (l *List[T]) ReplaceSmallest(b []T) (out []T) {
	if len(l.bufs) == 0 {
		return b
	}
	small := 0
	for i := range l.bufs {
		if cap(l.bufs[i]) < cap(l.bufs[small]) {
			small = i
		}
	}
	if cap(l.bufs[small]) >= cap(b) {
		return b
	}
	out, l.bufs[small] = l.bufs[small], b[:0]
	return out
}

// Clear empties the list.
func (l *List[T]) Clear() { l.bufs = nil }
