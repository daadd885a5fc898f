package edge

import (
	"bufio"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// hostileNode is a node serving NAME.edge.test, with every log line (JSON,
// debug and up) captured.
func hostileNode(t *testing.T) (*Node, string, *logBuffer) {
	t.Helper()
	logs := &logBuffer{}
	n, base := testNode(t, func(c *Config) {
		c.BaseDomain = "edge.test"
		c.Logger = slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	return n, base, logs
}

// activateSrc deploys a module script (its default export's source) as
// version 1 of name, with manifest limits.
func activateSrc(t *testing.T, n *Node, name, module string, limits ManifestLimits) {
	t.Helper()
	a := &Artifact{Manifest: Manifest{Name: name, Limits: limits}, ScriptName: name + ".js",
		Script: "var __edgefn_module = { default: " + module + " };"}
	if err := n.Activate(a, 1); err != nil {
		t.Fatal(err)
	}
}

// waitLog waits up to 10 s for a log line containing every one of parts.
func waitLog(t *testing.T, logs *logBuffer, parts ...string) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		for _, line := range strings.Split(logs.String(), "\n") {
			all := true
			for _, p := range parts {
				all = all && strings.Contains(line, p)
			}
			if all {
				return line
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no log line contains all of %q; logs:\n%s", parts, logs.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// roomyCPULimits lift the CPU limit for handlers whose point is another
// limit: under the race detector their setup alone can take 50 ms.
var roomyCPULimits = ManifestLimits{CPUMs: 20000}

// TestHostileHandlers drives a catalog of hostile handlers over HTTP. Each
// is stopped by a limit, answered with an error naming it (the response,
// when it was already under way, is cut off), logged, and afterwards the
// node is healthy: the same deployment answers on a fresh runtime and an
// unrelated deployment answers too.
func TestHostileHandlers(t *testing.T) {
	n, base, logs := hostileNode(t)
	activateSrc(t, n, "bystander", `{ fetch() { return new Response("ok"); } }`, ManifestLimits{})
	cases := []struct {
		name   string
		body   string // the handler's body for any path but "/"
		limits ManifestLimits
		status int
		answer string   // in the response body
		log    []string // in one log line with the request id
	}{
		{name: "infinite loop", body: `for (;;) {}`,
			status: 500, answer: "CPU time limit", log: []string{"request failed", "CPU time limit"}},
		{name: "infinite microtask loop", body: `const f = () => Promise.resolve().then(f); f(); await new Promise(() => {});`,
			status: 500, answer: "CPU time limit", log: []string{"request failed", "CPU time limit"}},
		{name: "infinite async loop", body: `for (;;) await null;`,
			status: 500, answer: "CPU time limit", log: []string{"request failed", "CPU time limit"}},
		{name: "infinite queueMicrotask loop", body: `const f = () => queueMicrotask(f); f(); await new Promise(() => {});`,
			status: 500, answer: "CPU time limit", log: []string{"request failed", "CPU time limit"}},
		{name: "memory bomb (one allocation)", body: `return new Response(new Uint8Array(2 ** 40));`,
			status: 500, log: []string{"request failed", "RangeError", "exceed the memory limit"}},
		{name: "memory bomb (string repeat)", body: `return new Response("x".repeat(2 ** 31));`,
			status: 500, log: []string{"request failed", "RangeError", "String.prototype.repeat"}},
		// The heap guard stops it; on a loaded machine the CPU limit (turn
		// time, see docs/ARCHITECTURE.md) may stop it first.
		{name: "memory bomb (growing)", body: `const a = []; for (;;) a.push("x".repeat(1024) + a.length);`,
			limits: ManifestLimits{CPUMs: 20000, WallMs: 60000, MemoryMB: 64},
			status: 500, answer: "limit", log: []string{"request failed", "limit"}},
		{name: "deep recursion", body: `const f = (n) => f(n + 1) + 1; return new Response(String(f(0)));`,
			limits: roomyCPULimits, status: 500, answer: "call stack", log: []string{"request failed", "call stack"}},
		{name: "catastrophic regexp", body: `return new Response(String(/^(?=a)(a+)+$/.test("a".repeat(40) + "!")));`,
			status: 500, answer: "CPU time limit", log: []string{"request failed", "CPU time limit"}},
		{name: "promise never settled", body: `await new Promise(() => {});`,
			status: 500, answer: "will never respond", log: []string{"request failed", "will never respond"}},
		{name: "promise never settled, timer pending", body: `setTimeout(() => {}, 1e9); await new Promise(() => {});`,
			limits: ManifestLimits{WallMs: 1000},
			status: 504, answer: "wall time limit", log: []string{"request failed", "wall time limit"}},
		{name: "setInterval storm", body: `for (let i = 0; i < 10000; i++) setInterval(() => { let x = 0; for (let j = 0; j < 100; j++) x += j; }, 0); await new Promise(() => {});`,
			limits: ManifestLimits{WallMs: 2000},
			status: -1, log: []string{"request failed", "time limit"}},
		{name: "setTimeout flood", body: `for (let i = 0; i < 20000; i++) setTimeout(() => {}, 1e6);`,
			limits: roomyCPULimits, status: 500, log: []string{"request failed", "RangeError", "too many timers"}},
		{name: "huge header", body: `return new Response("x", { headers: { "x-big": "v".repeat(1 << 20) } });`,
			limits: roomyCPULimits, status: 500, answer: "response headers exceed", log: []string{"request failed", "response headers exceed"}},
		{name: "many headers", body: `const h = new Headers(); for (let i = 0; i < 5000; i++) h.append("x-h" + i, "v"); return new Response("x", { headers: h });`,
			limits: roomyCPULimits, status: 500, answer: "response headers exceed", log: []string{"request failed", "headers, at most 256"}},
		{name: "header injection", body: `return new Response("x", { headers: { "x-a": "v\r\nset-cookie: evil=1" } });`,
			status: 500, log: []string{"request failed", "TypeError", "invalid header value"}},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			name := fmt.Sprintf("hostile-%d", i)
			activateSrc(t, n, name, `{ async fetch(req, env, ctx) {
  if (new URL(req.url).pathname === "/") return new Response("fine");
  `+tc.body+`
} }`, tc.limits)
			host := name + ".edge.test"
			r := getHost(t, base, host, "/attack")
			id := r.header.Get("x-request-id")
			switch {
			case tc.status == -1 && (r.status == 500 || r.status == 504):
			case r.status != tc.status:
				t.Fatalf("status %d, want %d: %q", r.status, tc.status, r.body)
			}
			if !strings.Contains(r.body, tc.answer) || !strings.Contains(r.body, id) {
				t.Fatalf("answer %q: want it to mention %q and the request id %s", r.body, tc.answer, id)
			}
			waitLog(t, logs, append([]string{id}, tc.log...)...)
			if r := getHost(t, base, host, "/"); r.status != 200 || r.body != "fine" {
				t.Fatalf("the same deployment afterwards: %d %q", r.status, r.body)
			}
			if r := getHost(t, base, "bystander.edge.test", "/"); r.status != 200 || r.body != "ok" {
				t.Fatalf("another deployment afterwards: %d %q", r.status, r.body)
			}
		})
	}
}

// TestHostileWaitUntil: work handed to waitUntil that throws, rejects,
// never settles or loops forever does not touch the response already sent;
// each is logged and the runtime serves on (or is replaced).
func TestHostileWaitUntil(t *testing.T) {
	n, base, logs := hostileNode(t)
	activateSrc(t, n, "wu", `{ async fetch(req, env, ctx) {
  switch (new URL(req.url).pathname) {
    case "/reject": ctx.waitUntil(Promise.reject(new Error("early boom"))); break;
    case "/throw": ctx.waitUntil((async () => { await null; throw new Error("late boom"); })()); break;
    case "/never": ctx.waitUntil(new Promise(() => {})); break;
    case "/loop": ctx.waitUntil(new Promise(() => setTimeout(() => { for (;;) {} }, 10))); break;
    case "/timer-throw": ctx.waitUntil(new Promise((resolve) => setTimeout(() => { resolve(); throw new Error("timer boom"); }, 5))); break;
  }
  return new Response("answered");
} }`, ManifestLimits{})
	cases := []struct{ path, log string }{
		{"/reject", "early boom"},
		{"/throw", "late boom"},
		{"/never", "can never settle"},
		{"/loop", "CPU time limit"},
		{"/timer-throw", "timer boom"},
	}
	for _, tc := range cases {
		r := getHost(t, base, "wu.edge.test", tc.path)
		if r.status != 200 || r.body != "answered" {
			t.Fatalf("%s: %d %q", tc.path, r.status, r.body)
		}
		waitLog(t, logs, tc.log)
		if r := getHost(t, base, "wu.edge.test", "/"); r.status != 200 || r.body != "answered" {
			t.Fatalf("after %s: %d %q", tc.path, r.status, r.body)
		}
	}
}

// TestHostileStreams: a response body streamed without end is cut off by
// the response size limit (fast, large chunks) or the CPU limit (small
// chunks: each pull is JS time); the client sees a truncated response,
// never a complete one, the stream is cancelled and the node serves on.
func TestHostileStreams(t *testing.T) {
	n, base, logs := hostileNode(t)
	activateSrc(t, n, "bystander", `{ fetch() { return new Response("ok"); } }`, ManifestLimits{})
	stream := func(chunk string) string {
		return `{ fetch(req) {
  if (new URL(req.url).pathname === "/") return new Response("fine");
  const chunk = ` + chunk + `;
  return new Response(new ReadableStream({
    pull(c) { c.enqueue(chunk); },
    cancel(reason) { console.log("stream cancelled: " + reason); },
  }));
} }`
	}
	// 1 GiB would be sent in 1 MiB chunks: the 8 MiB response limit stops it.
	activateSrc(t, n, "gigabyte", stream(`new Uint8Array(1 << 20)`), ManifestLimits{CPUMs: 60000, ResponseMB: 8})
	// Tiny chunks at the default limits: the CPU limit stops it first.
	activateSrc(t, n, "trickle", stream(`new Uint8Array(16)`), ManifestLimits{})
	cases := []struct {
		name, log string
		max       int64
	}{
		{"gigabyte", "response body exceeds the size limit", 8 << 20},
		{"trickle", "CPU time limit", 1 << 30},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := rawGet(t, base, tc.name+".edge.test", "/attack")
			if err == nil {
				t.Fatalf("the endless stream ended cleanly after %d bytes; want it cut off", got)
			}
			if got > tc.max {
				t.Fatalf("%d bytes reached the client, limit %d", got, tc.max)
			}
			t.Logf("cut off after %d bytes: %v", got, err)
			waitLog(t, logs, tc.log)
			if tc.name == "gigabyte" {
				waitLog(t, logs, "stream cancelled")
			}
			if r := getHost(t, base, tc.name+".edge.test", "/"); r.status != 200 || r.body != "fine" {
				t.Fatalf("afterwards: %d %q", r.status, r.body)
			}
			if r := getHost(t, base, "bystander.edge.test", "/"); r.status != 200 || r.body != "ok" {
				t.Fatalf("another deployment afterwards: %d %q", r.status, r.body)
			}
		})
	}
}

// rawGet reads a chunked response over a raw connection and reports how
// many body bytes arrived and why it ended (nil: a clean final chunk).
func rawGet(t *testing.T, base, host, path string) (int64, error) {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: %s\r\n\r\n", path, host)
	_ = conn.SetReadDeadline(time.Now().Add(60 * time.Second))
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != 200 {
		t.Fatalf("status %d", res.StatusCode)
	}
	return io.Copy(io.Discard, res.Body)
}
