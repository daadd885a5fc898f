package isolate

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

func do(t *testing.T, p *Pool, method, path, body string) (*Response, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req := &Request{ID: "req-1", Method: method, URL: "http://shape.test" + path,
		Header: []HeaderField{{Name: "content-type", Value: "text/plain"}}}
	if body != "" {
		req.Body = []byte(body)
	}
	return p.Do(ctx, req)
}

func TestShapes(t *testing.T) {
	cases := []struct {
		name, src string
		shape     Shape
		method    string
		body      string
		want      string
	}{
		{"module", `export default { async fetch(req, env, ctx) { return new Response("module " + req.method + " " + typeof ctx.waitUntil); } };`,
			ShapeModule, "GET", "", "module GET function"},
		{"module class instance", `class App { fetch(req) { return new Response("app " + (this instanceof App)); } }
export default new App();`, ShapeModule, "GET", "", "app true"},
		{"function", `export default function handler(request, context) { return new Response("fn " + typeof context.waitUntil); }`,
			ShapeFunction, "GET", "", "fn function"},
		{"async arrow", `export default async (req) => new Response("arrow " + await req.text());`,
			ShapeFunction, "POST", "body!", "arrow body!"},
		{"routes GET", `export function GET(req) { return new Response("get"); }
export async function POST(req) { return new Response("post " + await req.text()); }`, ShapeRoutes, "GET", "", "get"},
		{"routes POST", `export function GET(req) { return new Response("get"); }
export async function POST(req) { return new Response("post " + await req.text()); }`, ShapeRoutes, "POST", "x", "post x"},
		{"routes HEAD falls back to GET", `export function GET(req) { return new Response("get " + req.method); }`, ShapeRoutes, "HEAD", "", "get HEAD"},
		{"service worker", `addEventListener("fetch", (e) => e.respondWith(new Response("sw " + e.request.method)));`,
			ShapeServiceWorker, "GET", "", "sw GET"},
		{"service worker promise", `addEventListener("fetch", (e) => e.respondWith((async () => new Response("swp"))()));`,
			ShapeServiceWorker, "GET", "", "swp"},
		{"service worker handleEvent", `addEventListener("fetch", { handleEvent(e) { e.respondWith(new Response("obj")); } });`,
			ShapeServiceWorker, "GET", "", "obj"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, _ := newTestPool(t, tc.src, nil)
			if got := p.Script().Shape(); got != tc.shape {
				t.Fatalf("shape = %v, want %v", got, tc.shape)
			}
			r, err := do(t, p, tc.method, "/", tc.body)
			if err != nil {
				t.Fatal(err)
			}
			if string(r.Body) != tc.want {
				t.Fatalf("body = %q, want %q", r.Body, tc.want)
			}
		})
	}
}

func TestRoutesMethodNotAllowed(t *testing.T) {
	p, _ := newTestPool(t, `export function GET() { return new Response("g"); }
export function DELETE() { return new Response("d"); }`, nil)
	_, err := do(t, p, "PUT", "/", "")
	var mna *MethodNotAllowedError
	if !errors.As(err, &mna) || !errors.Is(err, ErrMethodNotAllowed) {
		t.Fatalf("err = %v", err)
	}
	if got := strings.Join(mna.Allow, ", "); got != "DELETE, GET, HEAD, OPTIONS" {
		t.Fatalf("Allow = %q", got)
	}
	r, err := do(t, p, "OPTIONS", "/", "")
	if err != nil || r.Status != 204 || r.Header[0].Name != "allow" {
		t.Fatalf("OPTIONS: %v %+v", err, r)
	}
}

func TestWaitUntilRunsAfterResponse(t *testing.T) {
	src := `
let log = [];
export default { async fetch(req, env, ctx) {
  if (new URL(req.url).pathname === "/log") return new Response(log.join(","));
  ctx.waitUntil(new Promise((r) => setTimeout(r, 1500)).then(() => log.push("after")));
  ctx.waitUntil(Promise.reject(new Error("waitUntil failure is logged, not fatal")));
  log.push("respond");
  return new Response("ok");
} };`
	p, capture := newTestPool(t, src, func(c *PoolConfig) { c.MaxSize = 1 })
	start := time.Now()
	mustGet(t, p, "/")
	if d := time.Since(start); d > time.Second {
		t.Errorf("the response waited for the 1.5 s of waitUntil work (%v)", d)
	}
	// The next request on the only runtime runs after the waitUntil work.
	if got := mustGet(t, p, "/log"); got != "respond,after" {
		t.Fatalf("log = %q", got)
	}
	if !strings.Contains(capture.output(), "waitUntil failure is logged") {
		t.Fatalf("rejected waitUntil not logged:\n%s", capture.output())
	}
}

func TestBadResponses(t *testing.T) {
	cases := []struct{ name, src, want string }{
		{"string", `export default { fetch() { return "hello"; } };`, "returned a string"},
		{"undefined", `export default { fetch() {} };`, "returned undefined"},
		{"plain object", `export default { fetch() { return { status: 200 }; } };`, "returned a plain object"},
		{"promise of number", `export default { async fetch() { return 42; } };`, "returned a number"},
		{"Response.error", `export default { fetch() { return Response.error(); } };`, "Response.error()"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, _ := newTestPool(t, tc.src, nil)
			_, err := get(p, "/")
			if !errors.Is(err, ErrBadResponse) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want ErrBadResponse mentioning %q", err, tc.want)
			}
			if st := p.Stats(); st.Discarded != 0 {
				t.Fatalf("a bad return value must not cost the runtime: %+v", st)
			}
		})
	}
}

func TestThrows(t *testing.T) {
	cases := []struct{ name, src, want string }{
		{"Error", `export default { fetch() { throw new RangeError("bad range"); } };`, "Uncaught RangeError: bad range"},
		{"string", `export default { fetch() { throw "plain string"; } };`, "Uncaught plain string"},
		{"object", `export default { fetch() { throw { code: 7 }; } };`, "Uncaught { code: 7 }"},
		{"rejected", `export default { async fetch() { await null; throw new Error("async boom"); } };`, "Uncaught Error: async boom"},
		{"null", `export default { fetch() { throw null; } };`, "Uncaught null"},
		{"timer throws", `export default { fetch() { return new Promise(() => { setTimeout(() => { throw new Error("in timer"); }, 1); }); } };`, "Uncaught Error: in timer"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, _ := newTestPool(t, tc.src, nil)
			_, err := get(p, "/")
			var se *ScriptError
			if !errors.As(err, &se) || err.Error() != tc.want {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			// The pool still serves.
			if _, err := get(p, "/"); err == nil || err.Error() != tc.want {
				t.Fatalf("second request: %v", err)
			}
		})
	}
}

func TestConsoleIsTaggedWithRequest(t *testing.T) {
	p, capture := newTestPool(t, `export default { fetch(req) {
  console.log("hello %s, %d items", "world", 3, { nested: [1, "two"] });
  console.error(new Error("shown with stack"));
  return new Response("ok");
} };`, nil)
	var mu sync.Mutex
	ids := map[string]bool{}
	capture.onRecord = func(msg string, attrs map[string]string) {
		mu.Lock()
		ids[attrs["request_id"]] = true
		mu.Unlock()
	}
	mustGet(t, p, "/")
	out := capture.output()
	if !strings.Contains(out, `hello world, 3 items { nested: [ 1, "two" ] }`) {
		t.Fatalf("console output:\n%s", out)
	}
	if !strings.Contains(out, "Error: shown with stack") {
		t.Fatalf("console.error of an Error:\n%s", out)
	}
	mu.Lock()
	defer mu.Unlock()
	if !ids["t-/"] {
		t.Fatalf("console lines not tagged with the request id: %v", ids)
	}
}

// TestObjectsKeptAcrossRequests: the handler's Request and ctx and the
// call's first Response live in the call's own memory (callObjects). A
// script that keeps them in a global must see each as it was, and the Go
// Response a request answered with must not change when a later request
// changes the JS one.
func TestObjectsKeptAcrossRequests(t *testing.T) {
	src := `
let kept;
export default { fetch(req, env, ctx) {
  const path = new URL(req.url).pathname;
  if (path === "/keep") {
    ctx.note = "first ctx";
    const spare = new Response("spare", { headers: { "x-spare": "1" } });
    kept = { req, ctx, spare, res: new Response("first body", { status: 201, headers: { "x-a": "1" } }) };
    return kept.res;
  }
  kept.res.headers.set("x-a", "changed");
  kept.res.headers.append("x-b", "added");
  kept.ctx.waitUntil(Promise.resolve());
  return new Response([
    new URL(kept.req.url).pathname, kept.req.headers.get("x-req"), kept.ctx.note, ctx.note,
    kept.res.status, kept.res.headers.get("x-a"), kept.res.bodyUsed,
    kept.spare.headers.get("x-spare"), kept.spare.bodyUsed,
  ].join(" "));
} };`
	p, capture := newTestPool(t, src, func(c *PoolConfig) { c.MaxSize = 1 })
	ctx := context.Background()
	first, err := p.Do(ctx, &Request{ID: "r1", Method: "GET", URL: "http://test.local/keep", Header: []HeaderField{{"x-req", "one"}}})
	if err != nil {
		t.Fatal(err)
	}
	check := func(when string) {
		t.Helper()
		want := []HeaderField{{"x-a", "1"}, {"content-type", "text/plain;charset=UTF-8"}}
		if first.Status != 201 || string(first.Body) != "first body" || !slices.Equal(first.Header, want) {
			t.Fatalf("%s: first response = %d %q %v, want 201 %q %v", when, first.Status, first.Body, first.Header, "first body", want)
		}
	}
	check("after its request")
	for i := range 3 {
		r, err := p.Do(ctx, &Request{ID: "r2", Method: "GET", URL: "http://test.local/other", Header: []HeaderField{{"x-req", "two"}}})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := string(r.Body), "/keep one first ctx  201 changed true 1 false"; got != want {
			t.Fatalf("request %d: %q, want %q", i, got, want)
		}
	}
	check("after later requests changed the kept Response")
	if !strings.Contains(capture.output(), "waitUntil called after its request ended") {
		t.Fatalf("a kept ctx's waitUntil was not refused:\n%s", capture.output())
	}
}
