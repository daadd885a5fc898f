package isolate

import (
	"testing"
	"time"
)

// BenchmarkURL: what handlers do with URLs, per request. request, relative
// and set take the fast path (urlfast.go); slow is an input only the full
// parser takes (upper-case scheme and host, a dot segment).
func BenchmarkURL(b *testing.B) {
	for _, c := range []struct{ name, body string }{
		{"request", `const u = new URL(request.url); return new Response(u.pathname + u.searchParams.get("q"));`},
		{"relative", `return new Response(new URL("/login?next=1", request.url).href);`},
		{"set", `const u = new URL(request.url); u.searchParams.set("page", "2"); return new Response(u.href);`},
		{"slow", `return new Response(new URL("HTTP://Example.COM/a/../b?q=1").href);`},
	} {
		b.Run(c.name, func(b *testing.B) {
			src := "export default { async fetch(request) {\n" + c.body + "\n} };"
			// Cost, not limits: a loaded machine must not fail the run.
			p, _ := newTestPool(b, src, func(c *PoolConfig) { c.Limits.CPUTime = 10 * time.Second })
			benchDo(b, p, &Request{ID: "r", Method: "GET", URL: "http://127.0.0.1/search?q=edge&lang=en"})
		})
	}
}
