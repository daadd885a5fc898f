//go:build unix

package isolate

import (
	"time"

	"golang.org/x/sys/unix"
)

// processCPU is the CPU time of every thread of the process so far.
func processCPU() (time.Duration, bool) {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_PROCESS_CPUTIME_ID, &ts); err != nil {
		return 0, false
	}
	return time.Duration(ts.Nano()), true
}
