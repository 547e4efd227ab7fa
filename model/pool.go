package model

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// The kernels of a training step are small (config A's are a few to a few
// hundred microseconds each, some 400 parallel regions a step), so starting
// goroutines for each one and waking an idle P through the OS (a futex
// wake-up can take tens of microseconds on a VM) cost about as much as the
// second core brought. The team below is a set of helper goroutines that
// outlive the regions: after a region they spin for a while on an atomic
// job counter, so the next region reaches them in well under a microsecond,
// and only then park on a channel. The caller takes part in its own region
// and waits for the helpers the same way, spinning before it parks.
//
// One team serves the package; a region that finds it busy (another model
// on another goroutine, or a parallelFor nested in a task) starts its own
// goroutines as before. Which goroutine runs a task never changes what the
// task computes, so results do not depend on any of this.

// spinFor is how long an idle helper, or a caller waiting for its helpers,
// polls before parking. A few times the longest serial gap between two
// regions of a step; long enough that helpers stay awake through a step,
// short enough that an idle trainer stops burning CPU at once.
const spinFor = 100 * time.Microsecond

// yieldEvery is how many polls a spinning goroutine makes between
// runtime.Gosched calls, so that spinning never starves other goroutines
// (the GC's workers, or the caller itself when workers exceed GOMAXPROCS).
const yieldEvery = 256

// team runs parallel regions on the calling goroutine plus helpers.
//
// A region is a job that helpers join by taking tasks from its counter;
// the caller takes tasks too and waits only for tasks in flight, never for
// a helper that has not started (one the OS has descheduled on a busy
// machine simply contributes nothing). Every handshake is a
// read-modify-write of one word (a helper's mailbox, a job's state),
// never a store to one word followed by a load of another: that pattern
// needs sequential consistency, which the race detector's atomics do not
// give.
type team struct {
	mu      sync.Mutex // held by the goroutine running a region
	helpers []*helper
	done    chan struct{} // the last task's wake-up for a parked caller
}

// job is one region. A helper that comes late to it finds no task left
// and leaves it untouched otherwise, so each region has its own.
type job struct {
	fn   func(int)
	n    int64
	next atomic.Int64 // next task index
	// state counts finished tasks, plus callerParked once the caller
	// stopped polling and waits on team.done.
	state atomic.Int64
}

const callerParked = 1 << 62

type helper struct {
	// mail is the last job posted to this helper, or parkedMail while it
	// sleeps on wake.
	mail atomic.Pointer[job]
	wake chan struct{}
}

var parkedMail = new(job)

var defaultTeam = &team{done: make(chan struct{}, 1)}

// run runs fn(0..n-1) on the caller and up to helpers helpers, starting
// helpers it lacks. The caller holds t.mu.
func (t *team) run(n, helpers int, fn func(int)) {
	for len(t.helpers) < helpers {
		h := &helper{wake: make(chan struct{}, 1)}
		first := new(job)
		h.mail.Store(first)
		t.helpers = append(t.helpers, h)
		go t.serve(h, first)
	}
	j := &job{fn: fn, n: int64(n)}
	for _, h := range t.helpers[:helpers] {
		if h.mail.Swap(j) == parkedMail {
			h.wake <- struct{}{}
		}
	}
	t.work(j)
	if spinUntil(func() bool { return j.state.Load() == j.n }) {
		return
	}
	for {
		s := j.state.Load()
		if s == j.n {
			return
		}
		if j.state.CompareAndSwap(s, s|callerParked) {
			<-t.done
			return
		}
	}
}

// work takes tasks of j until none are left.
func (t *team) work(j *job) {
	for {
		i := j.next.Add(1) - 1
		if i >= j.n {
			return
		}
		j.fn(int(i))
		if j.state.Add(1) == j.n|callerParked {
			t.done <- struct{}{}
		}
	}
}

// serve is a helper's loop: wait for a job posted to it, work on it.
// seen is the last job it took part in (or was created with).
func (t *team) serve(h *helper, seen *job) {
	for {
		var j *job
		if !spinUntil(func() bool { j = h.mail.Load(); return j != seen }) {
			// Park unless a job arrived meanwhile; a caller that finds the
			// mailbox parked sends a wake-up.
			if h.mail.CompareAndSwap(seen, parkedMail) {
				<-h.wake
			}
			j = h.mail.Load()
		}
		seen = j
		t.work(j)
	}
}

// spinUntil polls cond for up to spinFor and reports whether it became
// true.
func spinUntil(cond func() bool) bool {
	var start time.Time
	for i := 1; ; i++ {
		if cond() {
			return true
		}
		if i%yieldEvery == 0 {
			if start.IsZero() {
				start = time.Now()
			} else if time.Since(start) > spinFor {
				return false
			}
			runtime.Gosched()
		}
	}
}
