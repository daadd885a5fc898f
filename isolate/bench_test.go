package isolate

import (
	"context"
	"log/slog"
	"testing"
	"time"
)

func benchPool(b *testing.B, path string) *Pool {
	bd, err := Build(BuildOptions{Entry: path})
	if err != nil {
		b.Fatal(err)
	}
	s, err := Load(bd)
	if err != nil {
		b.Fatal(err)
	}
	cfg := DefaultPoolConfig()
	cfg.Script = s
	p, err := NewPool(cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(p.Close)
	return p
}

func BenchmarkHello(b *testing.B) {
	p := benchPool(b, "../scripts/bench-handlers/hello.js")
	req := &Request{ID: "r", Method: "GET", URL: "http://127.0.0.1/", Header: []HeaderField{{"host", "127.0.0.1"}, {"user-agent", "wrk"}}}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		r, err := p.Do(ctx, req)
		if err != nil || r.Status != 200 {
			b.Fatal(err)
		}
	}
}

func BenchmarkJSON(b *testing.B) {
	p := benchPool(b, "../scripts/bench-handlers/json.js")
	req := &Request{ID: "r", Method: "GET", URL: "http://127.0.0.1/json?name=x"}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		r, err := p.Do(ctx, req)
		if err != nil || r.Status != 200 {
			b.Fatal(err)
		}
	}
}

func BenchmarkHono(b *testing.B) {
	p := benchPool(b, "../scripts/bench-handlers/hono.js")
	req := &Request{ID: "r", Method: "GET", URL: "http://127.0.0.1/hono/users/42"}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		r, err := p.Do(ctx, req)
		if err != nil || r.Status != 200 {
			b.Fatal(err, r)
		}
	}
}

// BenchmarkNewRuntime measures a fresh runtime made ready to serve: a goja
// VM, every global installed, the (shared, precompiled) script run and its
// handler found.
func BenchmarkNewRuntime(b *testing.B) {
	for _, name := range []string{"hello", "hono"} {
		b.Run(name, func(b *testing.B) {
			bd, err := Build(BuildOptions{Entry: "../scripts/bench-handlers/" + name + ".js"})
			if err != nil {
				b.Fatal(err)
			}
			s, err := Load(bd)
			if err != nil {
				b.Fatal(err)
			}
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
