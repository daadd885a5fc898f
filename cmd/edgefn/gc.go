package main

import (
	"bufio"
	"context"
	"log/slog"
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"time"
)

// defaultMemoryLimit is a node's Go soft memory limit unless memory_limit
// or GOMEMLIMIT say otherwise (and 70% of the machine's or cgroup's memory
// if that is less). It bounds how far garbage may pile up between
// collections, not what the node may hold: see memoryTuner. 96 MiB keeps a
// small node's RSS (the Go heap plus Badger's mapped files, ~140 MB of them
// after 100k 1 KiB writes) near 215 MB through such a burst, where 128 MiB
// gave 235-243 MB against a 250 MB target (docs/BENCHMARKS.md, Node
// memory); GOGC=400 keeps its full effect while less than ~17 MiB is live,
// as in the request benchmarks (heap at each collection ~65 MB either way).
const defaultMemoryLimit = 96 << 20

// tuneGC sets the garbage collector for a JS host. goja allocates a lot of
// short-lived objects, and the default GOGC=100 spends a quarter of a
// request's CPU in GC: unless GOGC is set, GOGC=400 trades memory for CPU.
// Unless GOMEMLIMIT is set, a soft memory limit (limit bytes; 0: the
// default; negative: none) caps what that trade may cost: the heap grows to
// five times what is live, but not past the limit. The limit never makes
// the collector run with less room than GOGC=100 would give (twice the live
// heap: memoryTuner raises it as the live heap grows), and is capped at 70%
// of the machine's or cgroup's memory, so that the collector works harder
// before memory runs out.
func tuneGC(limit int64) {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	if os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	var ceiling int64
	if total := memoryLimit(); total > 0 {
		ceiling = total / 10 * 7
	}
	switch {
	case limit == 0:
		limit = defaultMemoryLimit
		if ceiling > 0 {
			limit = min(limit, ceiling)
		}
	case limit < 0:
		limit = ceiling // the old safety net only
	}
	tuner.set(limit, ceiling)
}

// tuner is the process's memoryTuner (one: the limit is the process's).
var tuner memoryTuner

// memoryTuner keeps the Go soft memory limit at base, raised while the live
// heap needs more: after every collection it sets the limit to the larger
// of base and twice the live heap plus the runtime's other memory (stacks,
// metadata), capped at ceiling. A soft limit alone would make a node whose
// live heap outgrew it collect continuously (up to the runtime's 50% CPU
// cap); with the tuner the limit only stops garbage from piling up.
type memoryTuner struct {
	mu            sync.Mutex
	base, ceiling int64 // 0: none
	cur           int64
	armed         bool
}

func (t *memoryTuner) set(base, ceiling int64) {
	t.mu.Lock()
	t.base, t.ceiling = base, ceiling
	arm := !t.armed && base > 0
	t.armed = t.armed || arm
	t.mu.Unlock()
	t.adjust()
	if arm {
		t.arm()
	}
}

// gcSentinel carries a finalizer that runs once per collection (it holds a
// pointer, so it is never a tiny allocation, whose finalizers may not run).
type gcSentinel struct{ t *memoryTuner }

// arm schedules adjust after the next collection; it re-arms itself.
func (t *memoryTuner) arm() {
	runtime.SetFinalizer(&gcSentinel{t}, func(s *gcSentinel) {
		s.t.adjust()
		s.t.arm()
	})
}

var tunerSamples = []string{
	"/gc/heap/live:bytes",
	"/memory/classes/total:bytes",
	"/memory/classes/heap/objects:bytes",
	"/memory/classes/heap/unused:bytes",
	"/memory/classes/heap/free:bytes",
	"/memory/classes/heap/released:bytes",
}

func (t *memoryTuner) adjust() {
	samples := make([]metrics.Sample, len(tunerSamples))
	for i, n := range tunerSamples {
		samples[i].Name = n
	}
	metrics.Read(samples)
	v := func(i int) uint64 { return samples[i].Value.Uint64() }
	heap := v(2) + v(3) + v(4) + v(5)
	live, other := v(0), v(1)-min(v(1), heap)
	t.mu.Lock()
	defer t.mu.Unlock()
	limit := limitFor(t.base, t.ceiling, live, other)
	if limit != t.cur {
		t.cur = limit
		if limit > 0 {
			debug.SetMemoryLimit(limit)
		} else {
			debug.SetMemoryLimit(math.MaxInt64)
		}
	}
}

// limitFor is the soft limit for a live heap of live bytes and other bytes
// of the runtime's own: base, or twice live plus other when that is more,
// at most ceiling (when set) unless base is above it. 0: no limit.
func limitFor(base, ceiling int64, live, other uint64) int64 {
	if base <= 0 {
		return 0
	}
	want := max(base, int64(min(2*live+other, math.MaxInt64/2)))
	if ceiling > 0 && want > ceiling {
		want = max(ceiling, base)
	}
	return want
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

// idleSlack is how much memory an idle node must hold beyond its live heap
// (garbage, and free pages not yet returned) for it to collect and return it.
const idleSlack = 16 << 20

// returnIdleMemory gives memory back to the OS when the node goes quiet.
// Under load, GOGC=400 lets the heap grow to five times what is live (up to
// the soft memory limit), and the runtime keeps that much around for the
// next burst; a small node that has stopped allocating has no use for it.
// Every interval, if less than quietBytes were allocated since the last
// look while the heap holds at least slack bytes that are not live (garbage
// not yet collected, and free pages not yet returned), it collects and
// returns the free memory (debug.FreeOSMemory). A busy node never pays for
// this: it is always allocating.
func returnIdleMemory(ctx context.Context, interval time.Duration, slack uint64, log *slog.Logger) {
	const quietBytes = 1 << 20
	samples := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}, {Name: "/memory/classes/heap/objects:bytes"},
		{Name: "/gc/heap/live:bytes"}, {Name: "/memory/classes/heap/free:bytes"}}
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
		allocs, objects, live, free := samples[0].Value.Uint64(), samples[1].Value.Uint64(), samples[2].Value.Uint64(), samples[3].Value.Uint64()
		quiet := last != 0 && allocs-last < quietBytes
		last = allocs
		if spare := objects - min(objects, live) + free; quiet && spare > slack {
			debug.FreeOSMemory()
			log.Debug("returned idle memory to the OS", "heap_objects", objects, "live", live, "free", free)
		}
	}
}
