// Command schedtrace reads a Go execution trace (runtime/trace; `tok encode
// --out DIR --trace FILE` writes one) and accounts for the time the
// program's Ps (GOMAXPROCS scheduler slots) ran no goroutine: for each
// stretch with fewer goroutines running than there are Ps, it records what
// the other goroutines were doing. The question it answers is why a run
// uses fewer cores than it was given:
//
//   - kept by goroutines in system calls: Go's runtime leaves a P with a
//     goroutine that enters a system call until sysmon takes it back, 20 µs
//     to 10 ms later, so a call that blocks (fsync, a write to a device)
//     keeps a P from the goroutines that are ready (the calls are listed);
//   - idle: no goroutine on the P; when none was ready either, the list
//     says what the program waited for (a system call without a P, a
//     channel, a lock).
//
// Usage: go run . [-procs N] [-top N] trace.out
//
// It is a separate module so that the tok module does not depend on
// golang.org/x/exp.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"golang.org/x/exp/trace"
)

func main() {
	procs := flag.Int("procs", 0, "number of Ps (default: GOMAXPROCS as the trace records it)")
	top := flag.Int("top", 8, "rows of each list")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: schedtrace [-procs N] [-top N] trace.out")
		os.Exit(2)
	}
	f, err := os.Open(flag.Arg(0))
	if err != nil {
		fatal(err)
	}
	defer f.Close()
	a, err := analyze(f, *procs)
	if err != nil {
		fatal(fmt.Errorf("%s: %w", flag.Arg(0), err))
	}
	a.print(os.Stdout, *top)
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "schedtrace:", err)
	os.Exit(1)
}

// analysis holds P-seconds by what the Ps did.
type analysis struct {
	procs int     // GOMAXPROCS (the last the trace gives, or -procs)
	span  float64 // seconds from the first event to the last
	total float64 // P-seconds over the span (GOMAXPROCS may change)
	busy  float64 // running goroutines
	// held: a P kept by a goroutine blocked in a system call (the runtime
	// takes it back only when sysmon next looks, 20 µs to 10 ms later);
	// heldReady, the part of it while another goroutine was ready to run.
	held, heldReady float64
	// idle: a P with no goroutine; idleReady, the part while a goroutine
	// was ready (the scheduler had not yet started it).
	idle, idleReady float64
	inSyscall       map[string]float64 // held, by system call
	waitingFor      map[string]float64 // idle with nothing ready, by what the goroutines waited for
}

type goroutine struct {
	state trace.GoState
	where string       // the frames where it blocked or entered a system call
	proc  trace.ProcID // in a system call: the P it keeps, or NoProc
}

func analyze(r io.Reader, procs int) (*analysis, error) {
	tr, err := trace.NewReader(r)
	if err != nil {
		return nil, err
	}
	var (
		gs                 = map[trace.GoID]*goroutine{}
		ps                 = map[trace.ProcID]trace.ProcState{}
		count              = map[trace.GoState]int{}
		first, last        trace.Time
		calls, free, waits []string // reused from one stretch to the next
	)
	a := &analysis{procs: procs, inSyscall: map[string]float64{}, waitingFor: map[string]float64{}}
	for {
		ev, err := tr.ReadEvent()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		t := ev.Time()
		if first == 0 {
			first = t
		}
		if last != 0 && t > last && a.procs > 0 {
			calls, free, waits = calls[:0], free[:0], waits[:0]
			for _, g := range gs {
				switch {
				case g.state == trace.GoSyscall && g.proc != trace.NoProc && ps[g.proc] == trace.ProcRunning:
					calls = append(calls, g.where)
				case g.state == trace.GoSyscall:
					free = append(free, g.where)
				case g.state == trace.GoWaiting:
					waits = append(waits, g.where)
				}
			}
			a.add(float64(t-last)/1e9, count[trace.GoRunning], count[trace.GoRunnable], calls, free, waits)
		}
		last = t
		switch ev.Kind() {
		case trace.EventMetric:
			if m := ev.Metric(); m.Name == "/sched/gomaxprocs:threads" && procs <= 0 {
				a.procs = int(m.Value.Uint64())
			}
		case trace.EventStateTransition:
			st := ev.StateTransition()
			switch st.Resource.Kind {
			case trace.ResourceProc:
				_, to := st.Proc()
				ps[st.Resource.Proc()] = to
			case trace.ResourceGoroutine:
				id := st.Resource.Goroutine()
				g := gs[id]
				if g == nil {
					g = &goroutine{state: trace.GoUndetermined, proc: trace.NoProc}
					gs[id] = g
				}
				_, to := st.Goroutine()
				count[g.state]--
				count[to]++
				g.state = to
				g.proc = trace.NoProc
				switch to {
				case trace.GoSyscall:
					g.where = describe(st.Reason, ev.Stack())
					g.proc = ev.Proc()
				case trace.GoWaiting:
					g.where = describe(st.Reason, ev.Stack())
				case trace.GoNotExist:
					delete(gs, id)
				}
			}
		}
	}
	if a.procs <= 0 {
		return nil, fmt.Errorf("the trace gives no GOMAXPROCS: pass -procs")
	}
	a.span = float64(last-first) / 1e9
	return a, nil
}

// add accounts for d seconds with running and ready goroutines, the
// system calls under way (calls keeping a P, free the others) and the
// goroutines' waits.
func (a *analysis) add(d float64, running, ready int, calls, free, waits []string) {
	procs := a.procs
	running = min(running, procs)
	held := min(len(calls), procs-running)
	idle := procs - running - held
	a.total += d * float64(procs)
	a.busy += d * float64(running)
	if held > 0 {
		h := d * float64(held)
		a.held += h
		if ready > 0 {
			a.heldReady += h
		}
		share(a.inSyscall, calls, h, "")
	}
	if idle > 0 {
		i := d * float64(idle)
		a.idle += i
		switch {
		case ready > 0:
			a.idleReady += i
			a.waitingFor["(a goroutine was ready: the scheduler had not yet started it)"] += i
		case len(free) > 0: // what the program waits for is a system call
			share(a.waitingFor, prefix("system call: ", free), i, "(only the runtime's own goroutines)")
		default:
			share(a.waitingFor, waits, i, "(only the runtime's own goroutines)")
		}
	}
}

// share divides d equally among the keys that are not empty (those of the
// runtime's own goroutines), or gives it to none when no key is left.
func share(m map[string]float64, keys []string, d float64, none string) {
	n := 0
	for _, k := range keys {
		if k != "" {
			n++
		}
	}
	if n == 0 {
		m[none] += d
		return
	}
	for _, k := range keys {
		if k != "" {
			m[k] += d / float64(n)
		}
	}
}

func prefix(p string, keys []string) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		if k != "" {
			out[i] = p + k
		}
	}
	return out
}

// describe names a block or system call by its reason, its innermost frame
// outside the runtime and the first frame of the program's own code (a
// module path, such as github.com/...): "" for the runtime's own goroutines
// (garbage collection, tracing), whose stacks hold nothing else.
func describe(reason string, stk trace.Stack) string {
	var inner, own string
	for fr := range stk.Frames() {
		name := fr.Func
		if inner == "" && !strings.HasPrefix(name, "runtime.") && !strings.HasPrefix(name, "internal/") {
			inner = name
		}
		if first, _, ok := strings.Cut(name, "/"); ok && strings.Contains(first, ".") {
			own = name
			break
		}
	}
	if inner == "" {
		return ""
	}
	out := inner
	if own != "" && own != inner {
		out += " < ... < " + own
	}
	if reason != "" {
		out = reason + ": " + out
	}
	return out
}

func (a *analysis) print(w io.Writer, top int) {
	pct := func(x float64) float64 { return 100 * x / a.total }
	fmt.Fprintf(w, "%.3f s with %d Ps: %.3f P-s\n", a.span, a.procs, a.total)
	fmt.Fprintf(w, "running goroutines: %.3f P-s (%.1f%%, %.2f Ps on average)\n", a.busy, pct(a.busy), a.busy/a.span)
	fmt.Fprintf(w, "kept by goroutines in system calls: %.3f P-s (%.1f%%), %.3f of it while another goroutine was ready\n",
		a.held, pct(a.held), a.heldReady)
	list(w, a.inSyscall, top, pct)
	fmt.Fprintf(w, "idle: %.3f P-s (%.1f%%), %.3f of it while a goroutine was ready\n", a.idle, pct(a.idle), a.idleReady)
	list(w, a.waitingFor, top, pct)
}

func list(w io.Writer, m map[string]float64, top int, pct func(float64) float64) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return m[keys[i]] > m[keys[j]] || m[keys[i]] == m[keys[j]] && keys[i] < keys[j] })
	for i, k := range keys {
		if i == top {
			break
		}
		fmt.Fprintf(w, "  %7.3f P-s (%4.1f%%)  %s\n", m[k], pct(m[k]), k)
	}
}
