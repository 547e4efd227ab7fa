package main

import (
	"io"
	"os"
	"runtime/pprof"
	"runtime/trace"
)

// startCPUProfile writes a Go CPU profile to path (none when path is
// empty) until stop is called.
func startCPUProfile(path string) (stop func(), err error) {
	return startRecording(path, pprof.StartCPUProfile, pprof.StopCPUProfile)
}

// startTrace writes a Go execution trace to path (none when path is empty)
// until stop is called; scripts/schedtrace reads it.
func startTrace(path string) (stop func(), err error) {
	return startRecording(path, trace.Start, trace.Stop)
}

// startRecording creates path and runs start on it; the returned stop
// runs end and closes the file.
func startRecording(path string, start func(io.Writer) error, end func()) (stop func(), err error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := start(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { end(); f.Close() }, nil
}
