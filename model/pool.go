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
// Every handshake is a read-modify-write of one word (a helper's mailbox,
// the pending count), never a store to one word followed by a load of
// another: that pattern needs sequential consistency, which the race
// detector's atomics do not give.
type team struct {
	mu      sync.Mutex // held by the goroutine running a region
	helpers []*helper
	seq     uint64 // regions started; only the caller touches it

	// The current region, written before it is posted to the helpers'
	// mailboxes and read by the participants only, each done with them
	// before it counts itself out of pending.
	fn   func(int)
	n    int64
	next atomic.Int64 // next task index

	// pending counts the helpers still working on this region, plus
	// callerParked once the caller stopped polling and waits on done. A
	// helper's decrement is its last touch of the region, so a caller that
	// sees 0 may start the next one at once.
	pending atomic.Int32
	done    chan struct{}
}

const callerParked = 1 << 30

type helper struct {
	// mail is the sequence number of the last region posted to this
	// helper, or parked while it sleeps on wake.
	mail atomic.Uint64
	wake chan struct{}
}

const parked = ^uint64(0)

var defaultTeam = &team{done: make(chan struct{}, 1)}

// run runs fn(0..n-1) on the caller and helpers-many helpers, starting
// helpers it lacks. The caller holds t.mu.
func (t *team) run(n, helpers int, fn func(int)) {
	for len(t.helpers) < helpers {
		h := &helper{wake: make(chan struct{}, 1)}
		h.mail.Store(t.seq)
		t.helpers = append(t.helpers, h)
		go t.serve(h, t.seq)
	}
	t.fn, t.n = fn, int64(n)
	t.next.Store(0)
	t.pending.Store(int32(helpers))
	t.seq++
	for _, h := range t.helpers[:helpers] {
		if h.mail.Swap(t.seq) == parked {
			h.wake <- struct{}{}
		}
	}
	t.work()
	if !spinUntil(func() bool { return t.pending.Load() == 0 }) {
		for {
			p := t.pending.Load()
			if p == 0 {
				break
			}
			if t.pending.CompareAndSwap(p, p|callerParked) {
				<-t.done
				break
			}
		}
	}
	t.fn = nil
}

// work takes tasks until none are left.
func (t *team) work() {
	fn, n := t.fn, t.n
	for {
		i := t.next.Add(1) - 1
		if i >= n {
			return
		}
		fn(int(i))
	}
}

// serve is a helper's loop: wait for a region posted to it, work, count
// itself out. seen is the last region it took part in (or was created
// after).
func (t *team) serve(h *helper, seen uint64) {
	for {
		var j uint64
		if !spinUntil(func() bool { j = h.mail.Load(); return j != seen }) {
			// Park unless a region arrived meanwhile; a caller that finds
			// the mailbox parked sends a wake-up.
			if h.mail.CompareAndSwap(seen, parked) {
				<-h.wake
			}
			j = h.mail.Load()
		}
		seen = j
		t.work()
		if t.pending.Add(-1) == callerParked {
			t.pending.Store(0)
			t.done <- struct{}{}
		}
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
