// scripts/bench-ops: hello1k written as an async handler awaiting once
// (await null): the cost any awaited call adds in goja, without KV.
const kib = "x".repeat(1024);

export default {
  async fetch() {
    await null;
    return new Response(kib, { headers: { "content-type": "text/plain;charset=UTF-8" } });
  },
};
