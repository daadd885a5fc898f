// Streaming: the response goes out chunk by chunk as it is produced.
//
//   edgefn dev examples/streaming
//   curl -N localhost:8787/           # a line every 200 ms
//   curl -N localhost:8787/events     # server-sent events
//   curl --data-binary @big.file localhost:8787/gzip > big.gz
//
// /gzip compresses the upload as it arrives: neither the upload nor the
// result is ever held whole.
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export default {
  async fetch(request) {
    const { pathname } = new URL(request.url);
    if (pathname === "/gzip" && request.body) {
      return new Response(request.body.pipeThrough(new CompressionStream("gzip")), {
        headers: { "content-type": "application/gzip" },
      });
    }
    if (pathname === "/events") {
      let n = 0;
      const events = new ReadableStream({
        async pull(controller) {
          await sleep(1000);
          controller.enqueue(`event: tick\ndata: ${JSON.stringify({ n: n++, at: Date.now() })}\n\n`);
        },
      });
      return new Response(events.pipeThrough(new TextEncoderStream()), {
        headers: { "content-type": "text/event-stream", "cache-control": "no-store" },
      });
    }
    const lines = ReadableStream.from(
      (function* () {
        for (let i = 1; i <= 5; i++) yield sleep(200).then(() => `line ${i} of 5\n`);
      })(),
    );
    return new Response(lines.pipeThrough(new TextEncoderStream()), {
      headers: { "content-type": "text/plain; charset=utf-8" },
    });
  },
};
