//go:build !unix

package isolate

import "time"

// processCPU is unavailable here: turns are charged their wall time.
func processCPU() (time.Duration, bool) { return 0, false }
