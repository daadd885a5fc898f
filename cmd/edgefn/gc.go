package main

import (
	"bufio"
	"context"
	"log/slog"
	"os"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"time"
)

// tuneGC sets the garbage collector for a JS host unless GOGC or GOMEMLIMIT
// are set: goja allocates a lot of short-lived objects, and the default
// GOGC=100 spends a quarter of a request's CPU in GC. A higher GOGC trades
// memory for CPU; the soft memory limit (70% of the machine's or cgroup's
// memory) makes the collector work harder before memory runs out.
func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		if total := memoryLimit(); total > 0 {
			debug.SetMemoryLimit(total / 10 * 7)
		}
	}
}

// memoryLimit returns the cgroup memory limit, or the machine's memory.
func memoryLimit() int64 {
	if b, err := os.ReadFile("/sys/fs/cgroup/memory.max"); err == nil {
		if v, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64); err == nil && v > 0 {
			return v
		}
	}
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 2 && fields[0] == "MemTotal:" {
			if kb, err := strconv.ParseInt(fields[1], 10, 64); err == nil {
				return kb * 1024
			}
		}
	}
	return 0
}

// idleSlack is how much more than live the heap must hold for an idle node
// to collect and return it.
const idleSlack = 32 << 20

// returnIdleMemory gives memory back to the OS when the node goes quiet.
// Under load, GOGC=400 lets the heap grow to five times what is live, and
// the runtime keeps that much around for the next burst; a small node that
// has stopped allocating has no use for it. Every interval, if less than
// quietBytes were allocated since the last look while the heap holds at
// least slack bytes more than the last collection left live, it collects
// and returns the free memory (debug.FreeOSMemory). A busy node never
// pays for this: it is always allocating.
func returnIdleMemory(ctx context.Context, interval time.Duration, slack uint64, log *slog.Logger) {
	const quietBytes = 1 << 20
	samples := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}, {Name: "/memory/classes/heap/objects:bytes"}, {Name: "/gc/heap/live:bytes"}}
	t := time.NewTicker(interval)
	defer t.Stop()
	var last uint64
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		metrics.Read(samples)
		allocs, heap, live := samples[0].Value.Uint64(), samples[1].Value.Uint64(), samples[2].Value.Uint64()
		quiet := last != 0 && allocs-last < quietBytes
		last = allocs
		if quiet && heap > live+slack {
			debug.FreeOSMemory()
			log.Debug("returned idle memory to the OS", "heap_before", heap, "live", live)
		}
	}
}
