package isolate

import (
	"context"
	"testing"
)

// BenchmarkStreamResponse: a 1 MiB response body streamed as 16 chunks of
// 64 KiB through Pool.Do and the host's Next (no HTTP).
func BenchmarkStreamResponse(b *testing.B) {
	p := benchPool(b, "../scripts/bench-streams.d/handler.js")
	req := &Request{ID: "r", Method: "GET", URL: "http://127.0.0.1/stream"}
	ctx := context.Background()
	b.ReportAllocs()
	b.SetBytes(16 << 16)
	for b.Loop() {
		r, err := p.Do(ctx, req)
		if err != nil || r.Stream == nil {
			b.Fatal(err)
		}
		n := 0
		for {
			c, err := r.Stream.Next()
			if err != nil {
				break
			}
			n += len(c)
		}
		r.Stream.Close()
		if n != 16<<16 {
			b.Fatalf("%d bytes", n)
		}
	}
}
