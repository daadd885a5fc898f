package isolate

import (
	"context"
	"testing"
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
	p := benchPool(b, "testdata/bench/hello.js")
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
	p := benchPool(b, "testdata/bench/json.js")
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
	p := benchPool(b, "testdata/bench/hono.js")
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
