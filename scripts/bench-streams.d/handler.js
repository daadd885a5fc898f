// The handler scripts/bench-streams drives: hello, a body read whole, and
// a streamed response of 16 chunks of 64 KiB.
const chunk = new Uint8Array(64 * 1024).fill(120);
export default {
  async fetch(req) {
    const path = new URL(req.url).pathname;
    if (path === "/upload") {
      const b = await req.arrayBuffer();
      return new Response("got " + b.byteLength);
    }
    if (path === "/stream") {
      let n = 0;
      return new Response(new ReadableStream({
        pull(c) {
          if (n++ === 16) c.close();
          else c.enqueue(chunk.slice());
        },
      }));
    }
    return new Response("hello");
  },
};
