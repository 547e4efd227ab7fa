package cputime

import (
	"runtime"
	"testing"
	"time"
)

func TestProcessCountsWork(t *testing.T) {
	d0, ok := Process()
	if !ok {
		if runtime.GOOS == "linux" || runtime.GOOS == "darwin" {
			t.Fatalf("no CPU time on %s", runtime.GOOS)
		}
		return // the system does not say: nothing to check
	}
	// Spin until the process has used 20 ms more CPU (a busy machine
	// slows this down, hence the generous limit), and check that it did
	// not count more than the cores could give in that time.
	start := time.Now()
	d := d0
	for d-d0 < 20*time.Millisecond {
		if time.Since(start) > 10*time.Second {
			t.Fatalf("CPU time grew by %v in 10 s of spinning", d-d0)
		}
		for i := 0; i < 1e5; i++ {
			runtime.KeepAlive(i)
		}
		d, _ = Process()
	}
	if wall := time.Since(start); d-d0 > time.Duration(runtime.NumCPU())*wall+5*time.Millisecond {
		t.Errorf("CPU time grew by %v in %v of wall time on %d cores", d-d0, wall, runtime.NumCPU())
	}
}
