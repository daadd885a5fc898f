package main

import (
	"context"
	"log/slog"
	"os"
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

var sink []byte

// A process that stops allocating gives back the heap it grew.
func TestReturnIdleMemory(t *testing.T) {
	old := debug.SetGCPercent(-1) // no collection but the one under test
	defer debug.SetGCPercent(old)
	runtime.GC()
	for i := 0; i < 256; i++ { // 16 MiB of garbage
		sink = make([]byte, 64<<10)
	}
	sink = nil
	released := func() uint64 {
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapReleased
	}
	before := released()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { returnIdleMemory(ctx, 20*time.Millisecond, 1<<20, slog.New(slog.DiscardHandler)); close(done) }()
	deadline := time.Now().Add(20 * time.Second)
	for released() < before+8<<20 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	<-done
	if got := released(); got < before+8<<20 {
		t.Fatalf("released %d MiB, before %d MiB: the idle heap was not returned", got>>20, before>>20)
	}
}

// The soft limit is the base while the live heap is small, twice the live
// heap (plus the runtime's own memory) when that is more, and no more than
// the ceiling unless the base is.
func TestLimitFor(t *testing.T) {
	const mib = 1 << 20
	for _, c := range []struct {
		base, ceiling int64
		live, other   uint64
		want          int64
	}{
		{128 * mib, 0, 20 * mib, 10 * mib, 128 * mib},
		{128 * mib, 1024 * mib, 100 * mib, 10 * mib, 210 * mib},
		{128 * mib, 1024 * mib, 600 * mib, 10 * mib, 1024 * mib},
		{2048 * mib, 1024 * mib, 600 * mib, 10 * mib, 2048 * mib},
		{0, 1024 * mib, 600 * mib, 10 * mib, 0},
	} {
		if got := limitFor(c.base, c.ceiling, c.live, c.other); got != c.want {
			t.Errorf("limitFor(%d, %d, %d, %d) = %d MiB, want %d MiB", c.base/mib, c.ceiling/mib, c.live/mib, c.other/mib, got/mib, c.want/mib)
		}
	}
}

var live [][]byte

// tuneGC sets the soft limit to the base, and a live heap that outgrows it
// raises the limit after the next collection (the collector does not spin
// against a limit below what is live); it comes back down once the heap
// is freed.
func TestMemoryTunerFollowsTheLiveHeap(t *testing.T) {
	if os.Getenv("GOMEMLIMIT") != "" {
		t.Skip("GOMEMLIMIT is set: tuneGC leaves the limit alone")
	}
	oldPct := debug.SetGCPercent(100)
	oldLimit := debug.SetMemoryLimit(-1)
	defer func() {
		tuner.set(0, 0)
		debug.SetGCPercent(oldPct)
		debug.SetMemoryLimit(oldLimit)
	}()
	const base = 48 << 20
	tuner.set(base, 0)
	if got := debug.SetMemoryLimit(-1); got != base {
		t.Fatalf("limit %d, want the base %d", got, base)
	}
	for i := 0; i < 1600; i++ { // 100 MiB live
		live = append(live, make([]byte, 64<<10))
	}
	waitLimit := func(ok func(int64) bool) int64 {
		deadline := time.Now().Add(10 * time.Second)
		for {
			runtime.GC()
			time.Sleep(10 * time.Millisecond) // the finalizer runs after the collection
			got := debug.SetMemoryLimit(-1)
			if ok(got) || time.Now().After(deadline) {
				return got
			}
		}
	}
	if got := waitLimit(func(l int64) bool { return l >= 200<<20 }); got < 200<<20 {
		t.Fatalf("limit %d MiB with 100 MiB live, want at least 200 MiB", got>>20)
	}
	live = nil
	if got := waitLimit(func(l int64) bool { return l == base }); got != base {
		t.Fatalf("limit %d MiB after the live heap went, want the base %d MiB", got>>20, base>>20)
	}
}
