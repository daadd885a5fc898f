package edge

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/edgefn/edgefn/isolate"
	"github.com/edgefn/edgefn/kv"
)

// Benchmarks of the deploy path and of many idle deployments on one node,
// over a real Badger store. scripts/bench-ops runs them and records the
// figures in docs/BENCHMARKS.md.

var idleFunctions = flag.Int("edge.idle", 0, "TestIdleFunctions: deploy this many functions and report memory per idle function (scripts/bench-ops)")

// opsPlatform is a serving node with a platform over a Badger store in a
// temporary directory, as `edgefn serve` wires it (runtimes made on first
// request, idle pools shrinking to zero).
func opsPlatform(tb testing.TB, idle time.Duration) (*Platform, string) {
	tb.Helper()
	cfg := kv.DefaultConfig()
	cfg.Dir = tb.TempDir()
	cfg.NodeID = "bench"
	store, err := kv.Open(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	kvs := NewKVStore(store)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	ncfg := DefaultConfig()
	ncfg.Listener = ln
	ncfg.BaseDomain = "edge.test"
	ncfg.KV = kvs
	ncfg.Pool.MinIdle = 0
	ncfg.Pool.IdleTimeout = idle
	// The CPU limit is measured as the wall time of JS turns: on a loaded
	// machine a GC pause inside a turn can trip it, which a benchmark must
	// not take for a failure.
	ncfg.Pool.Limits.CPUTime = 10 * time.Second
	n, err := NewNode(ncfg)
	if err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- n.Serve(ctx) }()
	tb.Cleanup(func() {
		cancel()
		<-done
		store.Close()
	})
	return NewPlatform(n, kvs), "http://" + ln.Addr().String()
}

// helloArchive is a deployable archive of a small module handler that
// answers body; pad adds that many bytes of code, so functions of a
// realistic size can be compared with the smallest one.
func helloArchive(tb testing.TB, name, body string, pad int) []byte {
	tb.Helper()
	var src strings.Builder
	fmt.Fprintf(&src, "var __edgefn_module = { default: { fetch(request, env, ctx) {\n")
	fmt.Fprintf(&src, "  const url = new URL(request.url);\n")
	fmt.Fprintf(&src, "  return new Response(%q + (url.searchParams.get(\"x\") || \"\"), { headers: { \"content-type\": \"text/plain\" } });\n} } };\n", body)
	for i := 0; src.Len() < pad; i++ {
		fmt.Fprintf(&src, "function helper%d(a, b) { const o = { a, b, s: %q }; return JSON.stringify(o).length + a * b; }\n", i, body)
	}
	a := &Artifact{Manifest: Manifest{Name: name}, ScriptName: name + ".js", Script: src.String(), BuiltAt: time.Now()}
	b, err := a.Archive()
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// getBody sends one GET with a Host header and returns status and body.
func getBody(c *http.Client, base, host string) (int, string, error) {
	req, _ := http.NewRequest("GET", base+"/", nil)
	req.Host = host
	res, err := c.Do(req)
	if err != nil {
		return 0, "", err
	}
	b, err := io.ReadAll(res.Body)
	res.Body.Close()
	return res.StatusCode, string(b), err
}

func percentile(ds []time.Duration, p float64) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[min(len(s)-1, int(float64(len(s))*p))]
}

// BenchmarkDeployToFirstResponse times a new version of a deployment from
// its upload being complete (the archive in memory on the node) to the
// first response that version sends: unpack, compile, store the version
// (Badger commits), swap the routes, then one GET over loopback that makes
// the first runtime.
func BenchmarkDeployToFirstResponse(b *testing.B) {
	p, base := opsPlatform(b, time.Minute)
	c := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	archives := make([][]byte, 0, 64)
	for i := range 64 {
		archives = append(archives, helloArchive(b, "app", "v"+strconv.Itoa(i), 0))
	}
	if _, err := p.Deploy(mustRead(b, archives[0]), true); err != nil { // warm the connection and the store
		b.Fatal(err)
	}
	if _, _, err := getBody(c, base, "app.edge.test"); err != nil {
		b.Fatal(err)
	}
	var took []time.Duration
	i := 0
	for b.Loop() {
		i++
		want := "v" + strconv.Itoa(i%len(archives))
		start := time.Now()
		art, err := ReadArchive(bytes.NewReader(archives[i%len(archives)]))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := p.Deploy(art, true); err != nil {
			b.Fatal(err)
		}
		status, body, err := getBody(c, base, "app.edge.test")
		if err != nil || status != 200 || body != want {
			b.Fatalf("first response %d %q %v, want %q", status, body, err, want)
		}
		took = append(took, time.Since(start))
	}
	b.ReportMetric(float64(percentile(took, 0.5).Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(percentile(took, 0.99).Microseconds())/1000, "p99-ms")
}

func mustRead(tb testing.TB, archive []byte) *Artifact {
	a, err := ReadArchive(bytes.NewReader(archive))
	if err != nil {
		tb.Fatal(err)
	}
	return a
}

// TestIdleFunctions deploys -edge.idle functions to one node and reports
// the memory each costs while idle (compiled, no runtime), the first
// request to a cold one, the memory with one warm runtime each, and after
// the idle pools shrank back to zero. It only reports: scripts/bench-ops
// runs it and records the figures.
func TestIdleFunctions(t *testing.T) {
	count := *idleFunctions
	if count == 0 {
		t.Skip("run with -edge.idle=1000 (scripts/bench-ops)")
	}
	pad, _ := strconv.Atoi(os.Getenv("EDGEFN_IDLE_PAD"))
	const idle = 2 * time.Second
	p, base := opsPlatform(t, idle)
	c := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	archives := make([][]byte, count)
	for i := range archives {
		archives[i] = helloArchive(t, fmt.Sprintf("fn-%04d", i), fmt.Sprintf("fn %d", i), pad)
	}
	m0, rss0 := settledMemory()
	start := time.Now()
	for i := range archives {
		if _, err := p.Deploy(mustRead(t, archives[i]), true); err != nil {
			t.Fatal(err)
		}
	}
	deployAll := time.Since(start)
	m1, rss1 := settledMemory()
	if path := os.Getenv("EDGEFN_IDLE_HEAPPROFILE"); path != "" {
		if f, err := os.Create(path + ".idle"); err == nil {
			_ = pprof.WriteHeapProfile(f)
			f.Close()
		}
	}
	var cold []time.Duration
	for i := range count {
		s := time.Now()
		status, body, err := getBody(c, base, fmt.Sprintf("fn-%04d.edge.test", i))
		if err != nil || status != 200 || body != fmt.Sprintf("fn %d", i) {
			t.Fatalf("fn-%04d: %d %q %v", i, status, body, err)
		}
		cold = append(cold, time.Since(s))
	}
	var warm []time.Duration
	for i := range min(count, 200) {
		s := time.Now()
		if _, _, err := getBody(c, base, fmt.Sprintf("fn-%04d.edge.test", i)); err != nil {
			t.Fatal(err)
		}
		warm = append(warm, time.Since(s))
	}
	m2, rss2 := settledMemory()
	// Every pool shrinks back to zero runtimes once idle.
	deadline := time.Now().Add(idle*5 + 30*time.Second)
	for runtimes(p) > 0 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	left := runtimes(p)
	m3, rss3 := settledMemory()
	if path := os.Getenv("EDGEFN_IDLE_HEAPPROFILE"); path != "" {
		if f, err := os.Create(path); err == nil {
			_ = pprof.WriteHeapProfile(f)
			f.Close()
		}
	}
	per := func(a, b uint64) float64 { return (float64(b) - float64(a)) / float64(count) / 1024 }
	t.Logf("%d functions of %d bytes of script each, deployed in %v (%.2f ms each)", count, len(mustRead(t, archives[0]).Script), deployAll.Round(time.Millisecond), float64(deployAll.Microseconds())/1000/float64(count))
	t.Logf("idle, compiled, no runtime: RSS %.1f MiB -> %.1f MiB, %.0f KiB per function (live Go heap %.0f KiB per function)",
		mib(rss0), mib(rss1), per(rss0, rss1), per(m0.HeapAlloc, m1.HeapAlloc))
	t.Logf("first request to a cold function (new runtime): p50 %.3f ms, p99 %.3f ms; the same functions warm: p50 %.3f ms",
		ms(percentile(cold, 0.5)), ms(percentile(cold, 0.99)), ms(percentile(warm, 0.5)))
	t.Logf("one warm runtime each: RSS %.1f MiB, %.0f KiB per function over idle (live heap %.0f KiB)", mib(rss2), per(rss1, rss2), per(m1.HeapAlloc, m2.HeapAlloc))
	t.Logf("after the idle pools shrank (%d runtimes left): RSS %.1f MiB, live Go heap %.0f KiB per function over the empty node",
		left, mib(rss3), per(m0.HeapAlloc, m3.HeapAlloc))
	if left != 0 {
		t.Errorf("%d runtimes still alive after the idle timeout", left)
	}
}

// runtimes counts the live runtimes of every deployment on the node.
func runtimes(p *Platform) int {
	n := 0
	p.node.mu.RLock()
	defer p.node.mu.RUnlock()
	for _, d := range p.node.deployments {
		if a := d.current(); a != nil {
			for _, v := range a.versions {
				if v.pool != nil {
					n += v.pool.Stats().Size
				}
			}
		}
	}
	return n
}

func settledMemory() (runtime.MemStats, uint64) {
	runtime.GC()
	debug.FreeOSMemory()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m, rssBytes()
}

// rssBytes reads the process's resident set size.
func rssBytes() uint64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

func mib(b uint64) float64       { return float64(b) / (1 << 20) }
func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// BenchmarkKVGetVsHello runs, through the pool without HTTP, a handler
// answering 1 KiB (hello1k), the same awaiting a promise first
// (hello1k-await: the floor of any asynchronous call), and one get of a
// 1 KiB value from the Badger store (kvget). scripts/bench-ops measures the
// same over HTTP by server CPU.
func BenchmarkKVGetVsHello(b *testing.B) {
	p, _ := opsPlatform(b, time.Minute)
	if _, err := p.store.(*KVStore).Raw().Put("bench", "k", []byte(strings.Repeat("v", 1024)), kv.PutOptions{}); err != nil {
		b.Fatal(err)
	}
	cases := []struct{ name, body string }{
		{"hello1k", `fetch() { return new Response(kib); }`},
		{"hello1k-await", `async fetch() { await null; return new Response(kib); }`},
		{"kvget", `async fetch(req, env) { return new Response(await env.CACHE.get("k")); }`},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			a := &Artifact{Manifest: Manifest{Name: c.name, KV: []KVBinding{{Binding: "CACHE", Namespace: "bench"}}}, ScriptName: c.name + ".js",
				Script: `const kib = "x".repeat(1024); var __edgefn_module = { default: { ` + c.body + ` } };`}
			if err := p.node.Activate(a, 1); err != nil {
				b.Fatal(err)
			}
			v := p.node.currentOf(c.name).versions[0]
			req := &isolate.Request{ID: "r", Method: "GET", URL: "http://127.0.0.1/", Header: []isolate.HeaderField{{Name: "host", Value: "127.0.0.1"}}}
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				r, err := v.pool.Do(ctx, req)
				if err != nil || r.Status != 200 || len(r.Body) != 1024 {
					b.Fatal(r, err)
				}
			}
		})
	}
}

// BenchmarkHandleKVGet is scripts/bench-ops' kv-cpu part in-process: the
// front door (a request parsed by fasthttp, routed, run and written back,
// no sockets) in front of its four handlers, inlined here as
// scripts/bench-ops.d has them (hello as scripts/bench-handlers/hello.js),
// with a Badger store. Under scripts/bench-instr, kvget / hello is the
// target's ratio in instructions.
func BenchmarkHandleKVGet(b *testing.B) {
	cfg := kv.DefaultConfig()
	cfg.Dir = b.TempDir()
	cfg.NodeID = "bench"
	store, err := kv.Open(cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { store.Close() })
	if _, err := store.Put("bench", "k", []byte(strings.Repeat("v", 1024)), kv.PutOptions{}); err != nil {
		b.Fatal(err)
	}
	ncfg := DefaultConfig()
	ncfg.AccessLog = false
	ncfg.ExposeErrors = true
	ncfg.KV = NewKVStore(store)
	ncfg.Pool.Limits.CPUTime = time.Minute // wall time of JS turns, on a loaded machine
	n, err := NewNode(ncfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(n.Close)
	const text = `{ headers: { "content-type": "text/plain;charset=UTF-8" } }`
	cases := []struct{ name, body string }{
		{"hello", `fetch(req) { return new Response("hello", ` + text + `); }`},
		{"hello1k", `fetch() { return new Response(kib, ` + text + `); }`},
		{"await1k", `async fetch() { await null; return new Response(kib, ` + text + `); }`},
		{"kvget", `async fetch(req, env) { const value = await env.CACHE.get("k"); return new Response(value, ` + text + `); }`},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			a := &Artifact{Manifest: Manifest{Name: c.name, KV: []KVBinding{{Binding: "CACHE", Namespace: "bench"}}}, ScriptName: c.name + ".js",
				Script: `const kib = "x".repeat(1024); var __edgefn_module = { default: { ` + c.body + ` } };`}
			if err := n.Activate(a, 1); err != nil {
				b.Fatal(err)
			}
			n.SetFallback(c.name)
			handleLoop(b, n, "/", 5)
		})
	}
}
