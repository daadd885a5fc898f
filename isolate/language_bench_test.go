package isolate

import (
	"testing"
	"time"
)

// BenchmarkAsyncIteration compares 100 values through an async generator
// and for await (both lowered by esbuild) with the same 100 awaits in a
// plain loop, and URL parsing per request.
func BenchmarkAsyncIteration(b *testing.B) {
	for _, c := range []struct{ name, body string }{
		{"for-await-generator", `async function* gen(n) { for (let i = 0; i < n; i++) yield i; }
let s = 0; for await (const v of gen(100)) s += v; return new Response(String(s));`},
		{"for-await-iterator", `const it = { i: 0, [Symbol.asyncIterator]() { return this; }, next() { return Promise.resolve(this.i < 100 ? { value: this.i++, done: false } : { value: undefined, done: true }); } };
let s = 0; for await (const v of it) s += v; return new Response(String(s));`},
		{"await-loop", `let s = 0; for (let i = 0; i < 100; i++) s += await i; return new Response(String(s));`},
		{"url-searchparams", `const u = new URL(request.url); u.searchParams.set("page", "2");
return new Response(u.searchParams.get("q") + u.href);`},
	} {
		b.Run(c.name, func(b *testing.B) {
			src := "export default { async fetch(request) {\n" + c.body + "\n} };"
			// Cost, not limits: a loaded machine must not fail the run.
			p, _ := newTestPool(b, src, func(c *PoolConfig) { c.Limits.CPUTime = 10 * time.Second })
			benchDo(b, p, &Request{ID: "r", Method: "GET", URL: "http://127.0.0.1/search?q=edge&lang=en"})
		})
	}
}
