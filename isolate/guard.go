package isolate

import (
	"context"
	"log/slog"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dop251/goja"
)

// installGuard installs the memory guard's builtin wrappers (js/guard.js)
// and the natives they use.
func installGuard(in *instance) error {
	_ = in.internal.Set("memoryLimit", in.limits.MemoryLimit)
	return in.internal.Set("killPending", func(goja.FunctionCall) goja.Value {
		return in.vm.ToValue(in.killPending())
	})
}

// heapGuard watches the process heap while JS runs. goja has no per-runtime
// heap limit, so a script that keeps what it allocates (a string doubled in a
// loop, an array grown without end) is found by the growth of the live heap
// during its turn: each turn running when the live heap has grown by more
// than its MemoryLimit since the turn began (or the in-use heap by four
// times that) is interrupted with ErrMemoryLimit, and its runtime discarded.
// Turns shorter than one tick are never looked at.
type heapGuard struct {
	mu        sync.Mutex
	instances map[*instance]*turnMark
	once      sync.Once
	active    atomic.Int64
	kick      chan struct{}
	log       *slog.Logger
}

type turnMark struct {
	start time.Duration // turnStart of the turn it describes
	live  uint64        // live heap when the guard first saw the turn
	inUse uint64
}

// guardTick is how often the heap is read while some turn runs.
const guardTick = 2 * time.Millisecond

var guard = heapGuard{instances: map[*instance]*turnMark{}, kick: make(chan struct{}, 1)}

// SetGuardLogger sets where the heap guard reports the turns it stops.
func SetGuardLogger(l *slog.Logger) {
	guard.mu.Lock()
	guard.log = l
	guard.mu.Unlock()
}

func (g *heapGuard) start() {
	g.once.Do(func() { go g.watch() })
}

func (g *heapGuard) add(in *instance) {
	g.mu.Lock()
	g.instances[in] = &turnMark{}
	g.mu.Unlock()
}

func (g *heapGuard) remove(in *instance) {
	g.mu.Lock()
	delete(g.instances, in)
	g.mu.Unlock()
}

// enter and exit bracket every JS turn, so the watcher sleeps while no JS
// runs.
func (g *heapGuard) enter() {
	if g.active.Add(1) == 1 {
		select {
		case g.kick <- struct{}{}:
		default:
		}
	}
}

func (g *heapGuard) exit() { g.active.Add(-1) }

func (g *heapGuard) watch() {
	samples := []metrics.Sample{
		{Name: "/gc/heap/live:bytes"},
		{Name: "/memory/classes/heap/objects:bytes"},
	}
	for {
		if g.active.Load() == 0 {
			<-g.kick
		}
		time.Sleep(guardTick)
		metrics.Read(samples)
		live, inUse := samples[0].Value.Uint64(), samples[1].Value.Uint64()
		if g.check(live, inUse) {
			// Give the memory of the discarded runtimes back soon.
			go debug.FreeOSMemory()
		}
	}
}

// check marks new turns and interrupts turns over their limit; it reports
// whether it interrupted any.
func (g *heapGuard) check(live, inUse uint64) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	killed := false
	for in, m := range g.instances {
		in.imu.Lock()
		start := in.turnStart
		in.imu.Unlock()
		if start == 0 {
			continue
		}
		if m.start != start {
			*m = turnMark{start: start, live: live, inUse: inUse}
			continue
		}
		limit := uint64(in.limits.MemoryLimit)
		if live > m.live+limit || inUse > m.inUse+4*limit {
			if in.kill(ErrMemoryLimit, 0) {
				killed = true
				if g.log != nil {
					g.log.LogAttrs(context.Background(), slog.LevelWarn, "script stopped by the heap guard",
						slog.Uint64("live_growth", live-min(live, m.live)), slog.Uint64("limit", limit))
				}
			}
		}
	}
	return killed
}
