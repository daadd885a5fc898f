package isolate

import (
	"sync/atomic"
	"time"
)

// The CPU limit is charged in wall time of JS turns (see runTurn), which
// over-counts whenever the turn's thread is not on a CPU: a machine busy with
// other processes would otherwise fail requests for a CPU limit they never
// used. Before a turn is charged more than a millisecond, or stopped for its
// CPU limit, the charge is capped by the process's CPU time since a sample
// taken before the turn began: the turn cannot have used more CPU than the
// whole process did. That bound needs no system call per turn (the heap
// guard's watcher takes the samples while JS runs) and is exact enough
// exactly when it matters, when the process has CPU to spare and the wall
// clock runs ahead of it.

// cpuSample is the process's CPU time at a monotonic instant.
type cpuSample struct {
	at  time.Duration // monotonic()
	cpu time.Duration // process CPU time (user + system, every thread)
}

// lastCPUSample is the newest sample; a turn reads it as its base.
var lastCPUSample atomic.Pointer[cpuSample]

// sampleCPU publishes a new sample (the heap guard's watcher calls it).
func sampleCPU() {
	if cpu, ok := processCPU(); ok {
		lastCPUSample.Store(&cpuSample{at: monotonic(), cpu: cpu})
	}
}

// chargeCap returns how much CPU a turn that began at start with base as
// its sample can have used by now, at most wall; wall is returned when the
// process clock is unavailable or base is missing.
func chargeCap(base *cpuSample, start, wall time.Duration) time.Duration {
	if base == nil || base.at > start {
		return wall
	}
	cpu, ok := processCPU()
	if !ok {
		return wall
	}
	return max(0, min(wall, cpu-base.cpu))
}
