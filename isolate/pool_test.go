package isolate

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const counterSrc = `
let hits = 0;
export default { fetch() { hits++; return new Response(String(hits)); } };
`

func TestPoolGlobalsPersistPerRuntime(t *testing.T) {
	p, _ := newTestPool(t, counterSrc, func(c *PoolConfig) { c.MinIdle = 1; c.MaxSize = 1 })
	for i := 1; i <= 5; i++ {
		if got := mustGet(t, p, "/"); got != fmt.Sprint(i) {
			t.Fatalf("request %d saw hits=%s; globals must persist on one runtime", i, got)
		}
	}
}

func TestPoolGlobalsNotSharedBetweenPools(t *testing.T) {
	src := `
globalThis.shared = globalThis.shared ?? 0;
export default { fetch(req) {
  if (new URL(req.url).pathname === "/set") globalThis.shared = 42;
  return new Response(String(globalThis.shared));
} };`
	a, _ := newTestPool(t, src, nil)
	b, _ := newTestPool(t, src, nil)
	if got := mustGet(t, a, "/set"); got != "42" {
		t.Fatalf("a: %s", got)
	}
	if got := mustGet(t, b, "/"); got != "0" {
		t.Fatalf("pool b saw pool a's global: %s", got)
	}
}

func TestPoolGrowsAndQueues(t *testing.T) {
	src := `export default { async fetch() { await new Promise(r => setTimeout(r, 100)); return new Response("ok"); } };`
	p, _ := newTestPool(t, src, func(c *PoolConfig) { c.MinIdle = 0; c.MaxSize = 3; c.QueueTimeout = 5 * time.Second })
	var wg sync.WaitGroup
	var failed atomic.Int32
	for i := 0; i < 9; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := get(p, "/"); err != nil {
				failed.Add(1)
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if failed.Load() != 0 {
		t.Fatal("requests failed while queued")
	}
	st := p.Stats()
	if st.Size > 3 || st.Started > 3 {
		t.Fatalf("pool exceeded MaxSize: %+v", st)
	}
	if st.Requests != 9 {
		t.Fatalf("requests = %d, want 9", st.Requests)
	}
}

func TestPoolOverloaded(t *testing.T) {
	src := `export default { async fetch() { await new Promise(r => setTimeout(r, 1500)); return new Response("ok"); } };`
	p, _ := newTestPool(t, src, func(c *PoolConfig) {
		c.MinIdle = 1
		c.MaxSize = 1
		c.QueueSize = 1
		c.QueueTimeout = 300 * time.Millisecond
	})
	errs := make(chan error, 3)
	for i := 0; i < 3; i++ {
		go func() { _, err := get(p, "/"); errs <- err }()
		time.Sleep(60 * time.Millisecond)
	}
	var overloaded, ok int
	for i := 0; i < 3; i++ {
		err := <-errs
		switch {
		case err == nil:
			ok++
		case errors.Is(err, ErrOverloaded):
			overloaded++
		default:
			t.Fatalf("unexpected error: %v", err)
		}
	}
	// One runs, one waits 100ms then gives up, one finds the queue full.
	if ok != 1 || overloaded != 2 {
		t.Fatalf("ok=%d overloaded=%d, want 1 and 2", ok, overloaded)
	}
	if st := p.Stats(); st.Rejected != 2 {
		t.Fatalf("rejected = %d, want 2", st.Rejected)
	}
}

func TestPoolShrinksWhenIdle(t *testing.T) {
	src := `export default { async fetch() { await new Promise(r => setTimeout(r, 50)); return new Response("ok"); } };`
	p, _ := newTestPool(t, src, func(c *PoolConfig) { c.MinIdle = 1; c.MaxSize = 4; c.IdleTimeout = 100 * time.Millisecond })
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); mustGet(t, p, "/") }()
	}
	wg.Wait()
	if st := p.Stats(); st.Size < 2 {
		t.Fatalf("pool did not grow: %+v", st)
	}
	deadline := time.Now().Add(5 * time.Second)
	for p.Stats().Size > 1 {
		if time.Now().After(deadline) {
			t.Fatalf("pool did not shrink to MinIdle: %+v", p.Stats())
		}
		time.Sleep(20 * time.Millisecond)
	}
	mustGet(t, p, "/")
}

func TestPoolCloseFailsQueued(t *testing.T) {
	src := `export default { async fetch() { await new Promise(r => setTimeout(r, 200)); return new Response("ok"); } };`
	p, _ := newTestPool(t, src, func(c *PoolConfig) { c.MinIdle = 1; c.MaxSize = 1 })
	mustGet(t, p, "/")
	first := make(chan error, 1)
	go func() { _, err := get(p, "/"); first <- err }()
	time.Sleep(20 * time.Millisecond)
	queued := make(chan error, 1)
	go func() { _, err := get(p, "/"); queued <- err }()
	time.Sleep(20 * time.Millisecond)
	p.Close()
	if err := <-first; err != nil {
		t.Fatalf("in-flight request failed on Close: %v", err)
	}
	if err := <-queued; !errors.Is(err, ErrClosed) {
		t.Fatalf("queued request: %v, want ErrClosed", err)
	}
	if _, err := get(p, "/"); !errors.Is(err, ErrClosed) {
		t.Fatalf("after Close: %v", err)
	}
	p.Close() // idempotent
}

func TestPoolContextCancelledWhileWaiting(t *testing.T) {
	src := `export default { async fetch() { await new Promise(r => setTimeout(r, 300)); return new Response("ok"); } };`
	p, _ := newTestPool(t, src, func(c *PoolConfig) { c.MinIdle = 1; c.MaxSize = 1 })
	mustGet(t, p, "/")
	go get(p, "/")
	time.Sleep(20 * time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := p.Do(ctx, &Request{ID: "x", Method: "GET", URL: "http://t/"})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want deadline exceeded", err)
	}
	// The pool still works once the busy request ends.
	mustGet(t, p, "/")
}
