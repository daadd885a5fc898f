package isolate

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestOverrunThrottle: a deployment whose requests keep breaking the CPU
// limit is throttled once its overrun allowance is spent: its requests run
// one at a time, queued ones past QueueTimeout fail as overloaded (saying
// why), good requests still get through, and the throttle lifts once the
// allowance has refilled.
func TestOverrunThrottle(t *testing.T) {
	p, logs := newTestPool(t, `export default { fetch(req) {
  if (new URL(req.url).pathname === "/loop") for (;;) {}
  return new Response("ok");
} };`, func(c *PoolConfig) {
		c.MaxSize = 8
		c.Limits.CPUTime = 20 * time.Millisecond
		c.OverrunBurst = 30 * time.Millisecond
		c.OverrunShare = 0.1
		c.QueueTimeout = 300 * time.Millisecond
	})
	// The allowance is five CPU limits (100 ms): the sixth kill spends it.
	for i := 0; i < 10 && !p.Stats().Throttled; i++ {
		if _, err := get(p, "/loop"); !errors.Is(err, ErrCPUTime) {
			t.Fatalf("loop %d: %v", i, err)
		}
	}
	if st := p.Stats(); !st.Throttled || st.Throttles != 1 {
		t.Fatalf("not throttled after spending the allowance: %+v", st)
	}
	if !strings.Contains(logs.output(), "deployment throttled") {
		t.Fatalf("the throttle was not logged:\n%s", logs.output())
	}
	// Eight at once: the allowance, in debt and refilling at a tenth of a
	// core, covers at most one or two at a time within QueueTimeout; those
	// that wait past it are refused as overloaded, naming the throttle.
	var wg sync.WaitGroup
	var mu sync.Mutex
	var overloaded, cpu int
	maxBusy := int64(0)
	stop := make(chan struct{})
	go func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			if b := p.Stats().Busy; b > maxBusy {
				mu.Lock()
				maxBusy = b
				mu.Unlock()
			}
			time.Sleep(time.Millisecond)
		}
	}()
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := get(p, "/loop")
			mu.Lock()
			defer mu.Unlock()
			switch {
			case errors.Is(err, ErrOverloaded) && strings.Contains(err.Error(), "throttled"):
				overloaded++
			case errors.Is(err, ErrCPUTime):
				cpu++
			default:
				t.Errorf("unexpected: %v", err)
			}
		}()
	}
	wg.Wait()
	close(stop)
	if overloaded == 0 {
		t.Errorf("no queued request was refused while throttled (%d ran)", cpu)
	}
	mu.Lock()
	if maxBusy > 2 {
		t.Errorf("%d requests ran at once while throttled", maxBusy)
	}
	mu.Unlock()
	// A good request still gets through (after the allowance is back above
	// zero), and once it is full again the throttle lifts.
	deadline := time.Now().Add(30 * time.Second)
	for {
		r, err := get(p, "/")
		if err == nil && string(r.Body) != "ok" {
			t.Fatalf("got %q", r.Body)
		}
		if err == nil && !p.Stats().Throttled {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("still throttled: %+v (%v)", p.Stats(), err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestOverrunIgnoresScriptErrors: exceptions, even many, are not overruns:
// only broken limits draw on the allowance.
func TestOverrunIgnoresScriptErrors(t *testing.T) {
	p, _ := newTestPool(t, `export default { fetch() { throw new Error("nope"); } };`, func(c *PoolConfig) {
		c.OverrunBurst = time.Nanosecond
	})
	for i := 0; i < 20; i++ {
		var se *ScriptError
		if _, err := get(p, "/"); !errors.As(err, &se) {
			t.Fatal(err)
		}
	}
	if st := p.Stats(); st.Throttled {
		t.Fatalf("throttled for script errors: %+v", st)
	}
}
