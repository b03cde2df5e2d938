//go:build unix

package synth

import (
	"syscall"
	"testing"
	"time"
)

// cpuTime is the process's user+system CPU time: per-frame CPU cost is
// steadier than wall time on a machine shared with other work.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU adds CPU milliseconds per frame to a benchmark's output.
func reportCPU(b *testing.B, start time.Duration, frames int) {
	b.ReportMetric(float64(cpuTime()-start)/1e6/float64(frames), "cpu-ms/frame")
}
