package pipeline

import "testing"

func TestJobBytes(t *testing.T) {
	const mib = 1 << 20
	defer func(v int) { jobTextBytes = v }(jobTextBytes)
	jobTextBytes = mib // the cases are for 1 MiB jobs
	cases := []struct {
		name              string
		n, workers        int
		text, read, total int64
		want              int
	}{
		{"first job is small", 0, 2, 0, 0, 1 << 30, 64 << 10},
		{"then doubles", 2, 2, 1 << 20, 1 << 20, 1 << 30, 256 << 10},
		{"up to jobTextBytes", 10, 2, 100 << 20, 100 << 20, 1 << 30, mib},
		{"unknown total (stdin)", 100, 2, 100 << 20, 100 << 20, 0, mib},
		{"4 MiB of text left, 2 workers", 100, 2, 100 << 20, 100 << 20, 104 << 20, mib},
		{"2 MiB left, 2 workers", 100, 2, 100 << 20, 100 << 20, 102 << 20, 512 << 10},
		{"compressed: 0.5 MiB on disk is 2 MiB of text", 100, 2, 400 << 20, 100 << 20, 100<<20 + 512<<10, 512 << 10},
		{"never below 64 KiB", 100, 2, 100 << 20, 100 << 20, 100<<20 + 1000, 64 << 10},
		{"everything read (buffered text left)", 100, 8, 100 << 20, 100 << 20, 100 << 20, 64 << 10},
		{"8 workers end sooner", 100, 8, 100 << 20, 100 << 20, 116 << 20, mib},
		{"8 workers, 8 MiB left", 100, 8, 100 << 20, 100 << 20, 108 << 20, 512 << 10},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := jobBytes(c.n, c.workers, c.text, c.read, c.total); got != c.want {
				t.Errorf("jobBytes(%d, %d, %d, %d, %d) = %d, want %d", c.n, c.workers, c.text, c.read, c.total, got, c.want)
			}
		})
	}
}
