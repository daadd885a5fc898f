package isolate

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"
)

// waitFor polls until the captured output contains want (generous: the
// machine may be loaded).
func waitFor(t *testing.T, capture *captureHandler, want string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if strings.Contains(capture.output(), want) {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("output never contained %q; got:\n%s", want, capture.output())
}

// A handler that waits for its request's signal, answering from the abort
// listener (a long timer keeps the request from counting as hung).
const signalWaiter = `
export default { async fetch(req) {
  const url = new URL(req.url);
  if (url.pathname === "/stream") {
    req.signal.addEventListener("abort", () => console.log("aborted: " + req.signal.reason.name + ": " + req.signal.reason.message));
    return new Response(new ReadableStream({ pull(c) { c.enqueue(new Uint8Array(1)); } }));
  }
  return await new Promise((resolve) => {
    const t = setTimeout(() => resolve(new Response("timer")), 60000);
    req.signal.onabort = () => {
      console.log("aborted: " + req.signal.reason.name + ": " + req.signal.reason.message);
      clearTimeout(t);
      resolve(new Response("aborted"));
    };
  });
} };
`

func TestRequestSignalAbortsWhenTheCallerCancels(t *testing.T) {
	p, capture := newTestPool(t, signalWaiter, nil)
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		_, err := p.Do(ctx, &Request{ID: "c1", Method: "GET", URL: "http://test.local/"})
		errc <- err
	}()
	// Cancel once the handler is waiting: the runtime is busy then.
	deadline := time.Now().Add(20 * time.Second)
	for p.Stats().Busy == 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond)
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("Do: %v, want context.Canceled", err)
	}
	waitFor(t, capture, "aborted: AbortError: the request was cancelled (context canceled)")
}

func TestRequestSignalAbortsAtTheWallTimeLimit(t *testing.T) {
	p, capture := newTestPool(t, signalWaiter, func(c *PoolConfig) { c.Limits.WallTime = 200 * time.Millisecond })
	_, err := get(p, "/")
	if !errors.Is(err, ErrWallTime) {
		t.Fatalf("Do: %v, want ErrWallTime", err)
	}
	waitFor(t, capture, "aborted: TimeoutError: the request ran out of wall time (200ms)")
	if out := capture.output(); strings.Contains(out, "ERROR") {
		t.Fatalf("unexpected errors:\n%s", out)
	}
}

func TestRequestSignalAbortsWhenTheClientLeavesAStream(t *testing.T) {
	p, capture := newTestPool(t, signalWaiter, nil)
	r, err := get(p, "/stream")
	if err != nil {
		t.Fatal(err)
	}
	if r.Stream == nil {
		t.Fatal("expected a streamed body")
	}
	if _, err := r.Stream.Next(); err != nil {
		t.Fatal(err)
	}
	r.Stream.Close()
	waitFor(t, capture, "aborted: AbortError: the client disconnected before the response body was sent")
}

// A module-level controller combined with per-request signals through
// AbortSignal.any must not keep every request's signal alive: the source
// holds its dependents weakly once nothing listens to them.
func TestAbortSignalAnyDoesNotPinDependents(t *testing.T) {
	p, capture := newTestPool(t, `
const root = new AbortController();
const reg = new FinalizationRegistry(() => { collected++; });
let collected = 0;
export default { async fetch(req) {
  const url = new URL(req.url);
  if (url.pathname === "/make") {
    for (let i = 0; i < 200; i++) {
      const s = AbortSignal.any([root.signal, new AbortController().signal]);
      const stop = () => {};
      s.addEventListener("abort", stop);
      s.removeEventListener("abort", stop);
      reg.register(s, i);
    }
    return new Response("made");
  }
  // Listening keeps a dependent alive: it must still abort.
  if (url.pathname === "/listen") {
    const s = AbortSignal.any([root.signal]);
    s.addEventListener("abort", () => console.log("kept signal aborted: " + s.reason));
    return new Response("ok");
  }
  if (url.pathname === "/abort") { root.abort("shutdown"); return new Response("ok"); }
  // Let the cleanup callbacks posted since the last request run.
  await new Promise((r) => setTimeout(r, 20));
  return new Response(String(collected));
} };
`, func(c *PoolConfig) { c.MinIdle = 1; c.MaxSize = 1; c.Limits.CPUTime = 5 * time.Second })
	mustGet(t, p, "/make")
	mustGet(t, p, "/listen")
	deadline := time.Now().Add(20 * time.Second)
	n := 0
	for time.Now().Before(deadline) {
		runtime.GC()
		fmt.Sscan(mustGet(t, p, "/count"), &n)
		if n >= 150 {
			break
		}
	}
	if n < 150 {
		t.Fatalf("only %d of 200 dependent signals were collected", n)
	}
	mustGet(t, p, "/abort")
	waitFor(t, capture, "kept signal aborted: shutdown")
}
