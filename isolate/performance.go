package isolate

import (
	"time"
)

// now is performance.now(): milliseconds since the runtime was created (its
// time origin, as a worker's is its start), in whole microseconds.
func (in *instance) now() float64 {
	return float64((monotonic()-in.origin)/time.Microsecond) / 1000
}

// installPerformance gives js/performance.js (performance, Performance,
// PerformanceEntry, PerformanceMark, PerformanceMeasure) its time origin;
// the clock is internal.now (installEventTarget).
func installPerformance(in *instance) error {
	installJSHelpers(in)
	_ = in.internal.Set("timeOrigin", float64(in.originWall.UnixMicro())/1000)
	return nil
}
