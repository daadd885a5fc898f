package main

import (
	"context"
	"log/slog"
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
