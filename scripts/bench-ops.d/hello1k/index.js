// scripts/bench-ops: hello world answering the same 1 KiB body as kvget, with
// no KV call: the two differ by the get alone.
const kib = "x".repeat(1024);

export default {
  fetch() {
    return new Response(kib, { headers: { "content-type": "text/plain;charset=UTF-8" } });
  },
};
