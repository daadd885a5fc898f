package edge

import (
	"bufio"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/valyala/fasthttp"
)

// benchHandle drives the front door in-process: a request parsed by
// fasthttp, routed, run and written back, without sockets. The bare
// fasthttp handler of scripts/benchserver costs a few hundred nanoseconds
// here, so the figure is edgefn's own cost per request above fasthttp's
// parsing and writing.
func benchHandle(b *testing.B, entry, uri string) {
	cfg := DefaultConfig()
	cfg.AccessLog = false
	cfg.ExposeErrors = true
	// CPU time is measured as the wall time of JS turns: on a loaded
	// machine a turn may be descheduled past the default 50 ms.
	cfg.Pool.Limits.CPUTime = time.Minute
	n, err := NewNode(cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(n.Close)
	if err := n.Deploy("bench", script(b, entry)); err != nil {
		b.Fatal(err)
	}
	n.SetFallback("bench")
	handleLoop(b, n, uri, 0)
}

// handleLoop sends GET uri through n's front door once per iteration; each
// answer must be a 200 with at least minBody bytes.
func handleLoop(b *testing.B, n *Node, uri string, minBody int) {
	var ctx fasthttp.RequestCtx
	raw := "GET " + uri + " HTTP/1.1\r\nHost: 127.0.0.1:8787\r\nUser-Agent: wrk\r\n\r\n"
	var req fasthttp.Request
	if err := req.Read(bufio.NewReader(strings.NewReader(raw))); err != nil {
		b.Fatal(err)
	}
	ctx.Init(&req, &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 40000}, nil)
	b.ReportAllocs()
	for b.Loop() {
		ctx.Response.Reset()
		n.handle(&ctx)
		if ctx.Response.StatusCode() != 200 || len(ctx.Response.Body()) < minBody {
			b.Fatalf("status %d: %s", ctx.Response.StatusCode(), ctx.Response.Body())
		}
	}
}

func BenchmarkHandleHello(b *testing.B) { benchHandle(b, "../scripts/bench-handlers/hello.js", "/") }
func BenchmarkHandleJSON(b *testing.B) {
	benchHandle(b, "../scripts/bench-handlers/json.js", "/json?name=x")
}
func BenchmarkHandleHono(b *testing.B) {
	benchHandle(b, "../scripts/bench-handlers/hono.js", "/hono/users/42")
}
