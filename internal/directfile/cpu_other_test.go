//go:build !unix

package directfile

// cpuSeconds reports no figure: getrusage is a Unix call.
func cpuSeconds() (float64, bool) { return 0, false }
