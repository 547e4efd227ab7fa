// Package cputime reads the CPU time the process has used. Benchmarks
// report throughput per CPU-second beside throughput per wall second: on a
// shared machine the first is steadier.
package cputime

import "time"

// Process returns the user and system CPU time the process has used so
// far; ok is false (and d 0) where the system does not say.
func Process() (d time.Duration, ok bool) { return process() }
