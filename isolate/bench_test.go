package isolate

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func benchPool(b *testing.B, path string) *Pool { return benchPoolWith(b, path, nil) }

// benchPoolWith is benchPool with edit adjusting the config first.
func benchPoolWith(b *testing.B, path string, edit func(*PoolConfig)) *Pool {
	cfg := DefaultPoolConfig()
	cfg.Script = loadEntry(b, path)
	// CPU time is measured as the wall time of JS turns: on a loaded
	// machine a turn may be descheduled past the default 50 ms.
	cfg.Limits.CPUTime = time.Minute
	if edit != nil {
		edit(&cfg)
	}
	p, err := NewPool(cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(p.Close)
	return p
}

// benchDo serves req through p once per iteration; an error or a status
// other than 200 fails the benchmark.
func benchDo(b *testing.B, p *Pool, req *Request) { benchDoThen(b, p, req, nil) }

// benchDoThen is benchDo with then, when not nil, given each response.
func benchDoThen(b *testing.B, p *Pool, req *Request, then func(*Response)) {
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		r, err := p.Do(ctx, req)
		if err != nil || r.Status != 200 {
			b.Fatal(err, r)
		}
		if then != nil {
			then(r)
		}
	}
}

func BenchmarkHello(b *testing.B) {
	p := benchPool(b, "../scripts/bench-handlers/hello.js")
	req := &Request{ID: "r", Method: "GET", URL: "http://127.0.0.1/", Header: []HeaderField{{"host", "127.0.0.1"}, {"user-agent", "wrk"}}}
	benchDo(b, p, req)
}

func BenchmarkJSON(b *testing.B) {
	p := benchPool(b, "../scripts/bench-handlers/json.js")
	req := &Request{ID: "r", Method: "GET", URL: "http://127.0.0.1/json?name=x"}
	benchDo(b, p, req)
}

func BenchmarkHono(b *testing.B) {
	p := benchPool(b, "../scripts/bench-handlers/hono.js")
	req := &Request{ID: "r", Method: "GET", URL: "http://127.0.0.1/hono/users/42"}
	benchDo(b, p, req)
}

// BenchmarkHello1k answers 1 KiB from a synchronous handler; BenchmarkAwait
// is the same handler written async, awaiting null first: the difference
// is what goja charges for an async function and one await.
func BenchmarkHello1k(b *testing.B) {
	p := benchPool(b, "../scripts/bench-ops.d/hello1k/index.js")
	benchDo(b, p, &Request{ID: "r", Method: "GET", URL: "http://127.0.0.1/"})
}

func BenchmarkAwait(b *testing.B) {
	p := benchPool(b, "../scripts/bench-ops.d/await1k/index.js")
	benchDo(b, p, &Request{ID: "r", Method: "GET", URL: "http://127.0.0.1/"})
}

// BenchmarkNewRuntime measures a fresh runtime made ready to serve: a goja
// VM, every global installed, the (shared, precompiled) script run and its
// handler found.
func BenchmarkNewRuntime(b *testing.B) {
	for _, name := range []string{"hello", "hono"} {
		b.Run(name, func(b *testing.B) {
			s := loadEntry(b, "../scripts/bench-handlers/"+name+".js")
			cfg := DefaultPoolConfig()
			cfg.Script = s
			cfg.Limits.CPUTime = 10 * time.Second // cost, not limits: a loaded machine must not fail the run
			log := slog.New(slog.DiscardHandler)
			b.ReportAllocs()
			for b.Loop() {
				in, err := newInstance(s, nil, &cfg, log)
				if err != nil {
					b.Fatal(err)
				}
				in.stopTimers()
			}
		})
	}
}

// fetchUpstream serves the fetch benchmarks' upstream: a small JSON body.
func fetchUpstream(b *testing.B) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"hello":"x","n":[1,2,3]}`)
	}))
	b.Cleanup(srv.Close)
	return srv
}

// BenchmarkFetch: a handler doing one fetch() to a loopback upstream and
// returning its body (scripts/bench-handlers/fetch), through the pool.
// BenchmarkFetchGo is the same exchange written in Go with net/http, for the
// ratio; both include the upstream's own cost.
func BenchmarkFetch(b *testing.B) {
	srv := fetchUpstream(b)
	p := benchPoolWith(b, "../scripts/bench-handlers/fetch/index.js", func(c *PoolConfig) { c.Fetch.Allow = []string{"127.0.0.1/32"} })
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	req := &Request{ID: "r", Method: "GET", URL: "http://127.0.0.1/fetch?port=" + port}
	benchDo(b, p, req)
}

func BenchmarkFetchGo(b *testing.B) {
	srv := fetchUpstream(b)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 32}}
	b.Cleanup(client.CloseIdleConnections)
	b.ReportAllocs()
	for b.Loop() {
		res, err := client.Get(srv.URL + "/json?name=x")
		if err != nil {
			b.Fatal(err)
		}
		body, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil || len(body) == 0 {
			b.Fatal(err)
		}
	}
}
