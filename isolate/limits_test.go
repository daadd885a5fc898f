package isolate

import (
	"errors"
	"log/slog"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"testing"
	"time"
)

// limitSrc routes to one misbehaviour per path; "/" answers normally so a
// test can check the pool still serves after each.
const limitSrc = `
export default { async fetch(req) {
  const p = new URL(req.url).pathname;
  switch (p) {
    case "/loop": for (;;) {}
    case "/microtasks": { const f = () => Promise.resolve().then(f); f(); await new Promise(() => {}); }
    case "/recurse": { const f = (n) => f(n + 1) + 1; return new Response(String(f(0))); }
    case "/repeat": return new Response("x".repeat(2 ** 40));
    case "/fill": return new Response(String(new Array(1e9).fill(0).length));
    case "/double": { let s = "x"; for (;;) s += s; }
    case "/array": { const a = []; for (;;) a.push({ i: a.length, pad: "xxxxxxxxxxxxxxxx" }); }
    case "/typed": return new Response(String(new Uint8Array(2 ** 40).length));
    case "/regexp": return new Response(String(/^(?=a)(a+)+$/.test("a".repeat(40) + "!")));
    case "/hang": await new Promise(() => {}); return new Response("never");
    case "/sleep": await new Promise((r) => setTimeout(r, 60000)); return new Response("late");
    case "/interval": { setInterval(() => {}, 0); await new Promise(() => {}); }
  }
  return new Response("ok");
} };`

func limitPool(t *testing.T, edit func(*Limits)) *Pool {
	p, _ := newTestPool(t, limitSrc, func(c *PoolConfig) {
		c.MinIdle = 1
		c.MaxSize = 2
		c.Limits.CPUTime = 50 * time.Millisecond
		c.Limits.WallTime = 2 * time.Second
		c.Limits.MemoryLimit = 64 << 20
		if edit != nil {
			edit(&c.Limits)
		}
	})
	return p
}

func TestLimits(t *testing.T) {
	p := limitPool(t, nil)
	cases := []struct {
		path string
		want []error // any of these; an interval storm is cut by whichever budget runs out first
		msg  string
	}{
		{"/loop", []error{ErrCPUTime}, ""},
		{"/microtasks", []error{ErrCPUTime}, ""},
		{"/recurse", []error{ErrStackOverflow}, ""},
		{"/repeat", nil, "RangeError: String.prototype.repeat"},
		{"/fill", nil, "RangeError: Array.prototype.fill"},
		{"/typed", nil, "RangeError: Uint8Array"},
		{"/regexp", []error{ErrCPUTime}, ""},
		{"/hang", []error{ErrHung}, ""},
		{"/sleep", []error{ErrWallTime}, ""},
		{"/interval", []error{ErrWallTime, ErrCPUTime}, ""},
	}
	// Recursing 5000 frames deep can take 50 ms under -race on a loaded
	// machine: the stack limit, not the CPU limit, must stop it.
	deep := limitPool(t, func(l *Limits) { l.CPUTime = 20 * time.Second })
	for _, tc := range cases {
		t.Run(strings.TrimPrefix(tc.path, "/"), func(t *testing.T) {
			p := p
			if tc.path == "/recurse" {
				p = deep
			}
			start := time.Now()
			_, err := get(p, tc.path)
			if err == nil {
				t.Fatalf("%s succeeded; want it stopped by a limit", tc.path)
			}
			if tc.want != nil && !slices.ContainsFunc(tc.want, func(w error) bool { return errors.Is(err, w) }) {
				t.Fatalf("%s: err = %v, want one of %v", tc.path, err, tc.want)
			}
			if tc.msg != "" && !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("%s: err = %v, want it to mention %q", tc.path, err, tc.msg)
			}
			t.Logf("%s: stopped after %v: %v", tc.path, time.Since(start).Round(time.Millisecond), err)
			if got := mustGet(t, p, "/"); got != "ok" {
				t.Fatalf("after %s the pool answered %q", tc.path, got)
			}
		})
	}
}

// TestMemoryBombs checks that allocations growing step by step are stopped
// by the heap guard (or the CPU limit) and that the memory comes back.
func TestMemoryBombs(t *testing.T) {
	if testing.Short() {
		t.Skip("allocates hundreds of MiB")
	}
	p := limitPool(t, func(l *Limits) { l.CPUTime = 5 * time.Second; l.WallTime = 20 * time.Second })
	for _, path := range []string{"/double", "/array"} {
		_, err := get(p, path)
		if !errors.Is(err, ErrMemoryLimit) && !errors.Is(err, ErrCPUTime) {
			t.Fatalf("%s: err = %v, want the memory (or CPU) limit", path, err)
		}
		t.Logf("%s: %v", path, err)
		if got := mustGet(t, p, "/"); got != "ok" {
			t.Fatalf("after %s: %q", path, got)
		}
	}
	runtime.GC()
	debug.FreeOSMemory()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	if ms.HeapAlloc > 512<<20 {
		t.Fatalf("heap still holds %d MiB after the bombs were stopped", ms.HeapAlloc>>20)
	}
	if st := p.Stats(); st.Discarded < 2 {
		t.Fatalf("runtimes that broke a limit were not discarded: %+v", st)
	}
}

func TestCPUTimeIsPerRequestSum(t *testing.T) {
	// Each turn is short, but the turns of one request add up.
	src := `export default { async fetch() {
  for (let i = 0; i < 1000; i++) {
    const end = Date.now() + 2;
    while (Date.now() < end) {}
    await new Promise((r) => setTimeout(r, 0));
  }
  return new Response("done");
} };`
	p, _ := newTestPool(t, src, func(c *PoolConfig) { c.Limits.CPUTime = 100 * time.Millisecond })
	_, err := get(p, "/")
	if !errors.Is(err, ErrCPUTime) {
		t.Fatalf("err = %v, want ErrCPUTime", err)
	}
}

// TestChunkedFill fills past one chunk (fill runs in chunks so a CPU-limit
// interrupt lands between them) and checks the result is whole.
func TestChunkedFill(t *testing.T) {
	p, _ := newTestPool(t, `export default { fetch() {
  const a = new Array(150000).fill(3, 10);
  let sum = 0;
  for (const v of a) sum += v ?? 0;
  return new Response(a.length + " " + sum + " " + a[9] + " " + a[149999]);
} };`, func(c *PoolConfig) { c.Limits.CPUTime = 30 * time.Second; c.Limits.WallTime = 60 * time.Second })
	if got := mustGet(t, p, "/"); got != "150000 449970 undefined 3" {
		t.Fatalf("got %q", got)
	}
}

// TestPlatformInstallIsNotChargedCPU: the time a turn spends installing a
// global on first use (compiling and running its JS) is the platform's,
// not the script's; the same time spent by the script itself breaks the
// limit.
func TestPlatformInstallIsNotChargedCPU(t *testing.T) {
	s := loadSource(t, `export default { fetch() { return new Response("ok"); } };`)
	cfg := &PoolConfig{Limits: DefaultLimits()}
	cfg.Limits.CPUTime = 20 * time.Millisecond
	in, err := newInstance(s, nil, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer in.stopTimers()
	// busy spends 40ms of CPU (not of wall time: on a busy machine the
	// thread may be off the CPU for part of it, which is not charged).
	busy := func() {
		start, ok := processCPU()
		if !ok {
			t.Skip("no process CPU clock on this platform")
		}
		for now := start; now-start < 40*time.Millisecond; now, _ = processCPU() {
		}
	}
	in.runTurn(nil, func() error {
		defer in.pauseCPU()()
		busy()
		_, err := in.vm.RunString(`1 + 1`)
		return err
	})
	if in.broken != nil {
		t.Fatalf("a turn whose time went to a paused clock broke: %v", in.broken)
	}
	in.runTurn(nil, func() error {
		busy()
		_, err := in.vm.RunString(`1 + 1`)
		return err
	})
	if !errors.Is(in.broken, ErrCPUTime) {
		t.Fatalf("broken = %v, want ErrCPUTime for a turn that spent 40ms of a 20ms budget", in.broken)
	}
}

// TestCPULimitIgnoresTimeOffCPU: a turn whose thread is off the CPU (here
// asleep; on a busy machine, waiting for a core) past its CPU budget is not
// stopped for CPU it did not use. The charge is capped by the process's own
// CPU time (cpuclock.go).
func TestCPULimitIgnoresTimeOffCPU(t *testing.T) {
	s := loadSource(t, `export default { fetch() { return new Response("ok"); } };`)
	cfg := &PoolConfig{Limits: DefaultLimits()}
	cfg.Limits.CPUTime = 50 * time.Millisecond
	in, err := newInstance(s, nil, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer in.stopTimers()
	sampleCPU()
	before, ok := processCPU()
	if !ok {
		t.Skip("no process CPU clock on this platform: turns are charged wall time")
	}
	in.runTurn(nil, func() error {
		time.Sleep(150 * time.Millisecond)
		_, err := in.vm.RunString(`1 + 1`)
		return err
	})
	after, _ := processCPU()
	if used := after - before; used >= cfg.Limits.CPUTime {
		// The process itself was busy (a collection of earlier tests'
		// garbage): stopping the turn was then within the rules.
		t.Logf("the process used %v of CPU during the turn; not checking", used)
		return
	}
	if in.broken != nil {
		t.Fatalf("a turn asleep for 150ms with a 50ms CPU budget was stopped: %v", in.broken)
	}
}

// TestLazyLimitTimers: the CPU and wall timers are left set for an earlier
// turn's or call's deadline (instance.armCPU, setWall). When such a timer
// fires during a later turn or call that has budget left, it must set
// itself again, not stop the request; a request that does break a limit
// is still stopped, no earlier than its limit.
func TestLazyLimitTimers(t *testing.T) {
	src := `
export default { async fetch(req) {
  const u = new URL(req.url);
  const ms = Number(u.searchParams.get("ms"));
  switch (u.pathname) {
    case "/spin": { const end = Date.now() + ms; while (Date.now() < end) {} break; }
    case "/sleep": await new Promise((r) => setTimeout(r, ms)); break;
    case "/loop": for (;;) {}
  }
  return new Response("ok");
} };`
	const cpu, wall = 300 * time.Millisecond, 600 * time.Millisecond
	p, _ := newTestPool(t, src, func(c *PoolConfig) {
		c.MaxSize = 1 // one runtime: every request meets the timers the last one left
		c.Limits.CPUTime = cpu
		c.Limits.WallTime = wall
	})
	// A short request leaves both timers set for its own deadlines; the
	// next request starts before they pass and runs past them, within its
	// own budget.
	mustGet(t, p, "/")
	time.Sleep(wall / 2)
	if got := mustGet(t, p, "/sleep?ms=450"); got != "ok" {
		t.Fatalf("sleep within the wall limit: %q", got)
	}
	mustGet(t, p, "/")
	time.Sleep(cpu / 2)
	if got := mustGet(t, p, "/spin?ms=200"); got != "ok" {
		t.Fatalf("spin within the CPU limit: %q", got)
	}
	for _, tc := range []struct {
		path  string
		limit time.Duration
		want  error
	}{
		{"/loop", cpu, ErrCPUTime},
		{"/sleep?ms=60000", wall, ErrWallTime},
	} {
		for range 20 {
			mustGet(t, p, "/")
		}
		start := time.Now()
		_, err := get(p, tc.path)
		if d := time.Since(start); !errors.Is(err, tc.want) || d < tc.limit {
			t.Fatalf("%s: %v after %v; want %v after at least %v", tc.path, err, d, tc.want, tc.limit)
		}
	}
}
