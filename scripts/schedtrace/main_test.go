package main

import (
	"bytes"
	"runtime"
	"runtime/trace"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// spin keeps a goroutine running (never blocking) for d.
func spin(d time.Duration) {
	for end := time.Now().Add(d); time.Now().Before(end); {
	}
}

// TestAnalyze_heldBySyscall traces a program whose two Ps are wanted by
// two spinning goroutines while a third sleeps 40 ms in a system call
// (nanosleep). The runtime leaves its P with it until sysmon, asleep for up
// to 10 ms at a time, takes it back: the analysis must attribute that time
// to nanosleep, in at least one of six rounds a few milliseconds of it (not
// only the instants around the steal), and its accounts must add up.
func TestAnalyze_heldBySyscall(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	longest, ready := 0.0, 0.0
	for round := range 6 {
		a := traceRound(t)
		if a.procs != 2 || a.span < 0.05 {
			t.Fatalf("round %d: procs %d, span %.3f s; want 2 Ps over at least 60 ms", round, a.procs, a.span)
		}
		if sum, total := a.busy+a.held+a.idle, a.span*2; sum < total*0.999 || sum > total*1.001 {
			t.Errorf("round %d: running %.4f + kept %.4f + idle %.4f = %.4f P-s, want the trace's %.4f", round, a.busy, a.held, a.idle, sum, total)
		}
		nanosleep := 0.0
		for k, v := range a.inSyscall {
			if strings.HasPrefix(k, "syscall.Nanosleep") {
				nanosleep += v
			}
		}
		if nanosleep < a.held*0.9 {
			t.Errorf("round %d: kept by system calls %.4f P-s, by nanosleep %.4f; want nearly all of it nanosleep's (%v)",
				round, a.held, nanosleep, a.inSyscall)
		}
		longest = max(longest, nanosleep)
		ready += a.heldReady
	}
	if ready <= 0 {
		t.Errorf("no P was kept while a goroutine was ready, in six rounds; the spinners wanted both")
	}
	if longest < 0.003 {
		t.Errorf("nanosleep kept a P for at most %.4f s in six rounds; sysmon sleeps up to 10 ms, so some round should show 3 ms", longest)
	}
}

// traceRound traces one round of the program above and analyzes it.
func traceRound(t *testing.T) *analysis {
	var buf bytes.Buffer
	if err := trace.Start(&buf); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	started := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		close(started)
		ts := syscall.NsecToTimespec(int64(40 * time.Millisecond))
		syscall.Nanosleep(&ts, nil)
	}()
	<-started
	for range 2 {
		wg.Add(1)
		go func() { defer wg.Done(); spin(60 * time.Millisecond) }()
	}
	wg.Wait()
	trace.Stop()
	a, err := analyze(&buf, 2)
	if err != nil {
		t.Fatal(err)
	}
	return a
}
