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
	// CPU time is measured as the wall time of JS turns: on a loaded
	// machine a turn may be descheduled past the default 50 ms.
	cfg.Limits.CPUTime = time.Minute
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
			b.Fatal(err, r)
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
			b.Fatal(err, r)
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
