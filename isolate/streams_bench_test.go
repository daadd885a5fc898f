package isolate

import "testing"

// BenchmarkStreamResponse: a 1 MiB response body streamed as 16 chunks of
// 64 KiB through Pool.Do and the host's Next (no HTTP).
func BenchmarkStreamResponse(b *testing.B) {
	p := benchPool(b, "../scripts/bench-streams.d/handler.js")
	req := &Request{ID: "r", Method: "GET", URL: "http://127.0.0.1/stream"}
	b.SetBytes(16 << 16)
	benchDoThen(b, p, req, func(r *Response) {
		if r.Stream == nil {
			b.Fatal("the body is not streamed")
		}
		if n := readStream(r.Stream); n != 16<<16 {
			b.Fatalf("%d bytes", n)
		}
	})
}

// readStream reads a streamed body to its end, closes it and returns how
// many bytes it had.
func readStream(s BodyStream) int {
	n := 0
	for {
		c, err := s.Next()
		if err != nil {
			break
		}
		n += len(c)
	}
	s.Close()
	return n
}

// streamShapesHandler serves each stream shape the Web API code builds:
// byte streams read by the host and by a BYOB reader, the TransformStream
// wrappers (TextEncoderStream, TextDecoderStream, CompressionStream) and
// tee. Chunks are small so the stream machinery, not copying, dominates.
const streamShapesHandler = `
const bytes = new Uint8Array(1024).fill(120);
const text = "x".repeat(1024);
function source(n, chunk, type) {
  let i = 0;
  return new ReadableStream({
    type,
    pull(c) {
      if (i++ < n) c.enqueue(typeof chunk === "string" ? chunk : chunk.slice());
      else {
        c.close();
        // A BYOB read pending at the close gets its view back, done.
        if (type === "bytes" && c.byobRequest) c.byobRequest.respond(0);
      }
    },
  });
}
export default {
  async fetch(req) {
    switch (new URL(req.url).pathname) {
      case "/bytes":
        return new Response(source(64, bytes, "bytes"));
      case "/byob": {
        const r = source(64, bytes, "bytes").getReader({ mode: "byob" });
        let n = 0;
        for (;;) {
          const { value, done } = await r.read(new Uint8Array(1024));
          if (done) break;
          n += value.byteLength;
        }
        return new Response(String(n));
      }
      case "/encode":
        return new Response(source(64, text).pipeThrough(new TextEncoderStream()));
      case "/decode":
        return new Response(source(64, bytes).pipeThrough(new TextDecoderStream()).pipeThrough(new TextEncoderStream()));
      case "/gzip":
        return new Response(source(64, bytes).pipeThrough(new CompressionStream("gzip")));
      case "/tee": {
        const [a, b] = source(64, bytes).tee();
        b.cancel();
        return new Response(a);
      }
    }
    return new Response("no such shape", { status: 404 });
  },
};
`

// BenchmarkStreamShapes: one request per op, its streamed response read to
// the end through the host's Next (no HTTP).
func BenchmarkStreamShapes(b *testing.B) {
	for _, shape := range []string{"bytes", "byob", "encode", "decode", "gzip", "tee"} {
		b.Run(shape, func(b *testing.B) {
			p, _ := newTestPool(b, streamShapesHandler, generousCPU)
			benchDoThen(b, p, &Request{ID: "r", Method: "GET", URL: "http://127.0.0.1/" + shape}, func(r *Response) {
				if r.Stream == nil {
					if len(r.Body) == 0 {
						b.Fatal("empty body")
					}
					return
				}
				if readStream(r.Stream) == 0 {
					b.Fatal("empty stream")
				}
			})
		})
	}
}
