package tok

import "fmt"

// FormatError reports malformed input at a place in a file. Line and
// Offset are 1-based and 0-based respectively; zero Line means unknown.
type FormatError struct {
	File   string
	Line   int   // 1-based line, 0 if not line-oriented
	Offset int64 // byte offset, -1 if unknown
	Msg    string
	Err    error // underlying cause, may be nil
}

func (e *FormatError) Error() string {
	loc := e.File
	if e.Line > 0 {
		loc = fmt.Sprintf("%s:%d", loc, e.Line)
	} else if e.Offset >= 0 {
		loc = fmt.Sprintf("%s: offset %d", loc, e.Offset)
	}
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", loc, e.Msg, e.Err)
	}
	return fmt.Sprintf("%s: %s", loc, e.Msg)
}

func (e *FormatError) Unwrap() error { return e.Err }
