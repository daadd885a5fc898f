// scripts/bench-ops: one KV get of a 1 KiB value per request (GET /), and a
// filler for the memory figure (POST /fill?from=N&n=M puts M values of 1 KiB).
// A GET parses no URL: it differs from hello1k by the get alone.
const kib = "x".repeat(1024);

export default {
  async fetch(req, env) {
    if (req.method === "POST") {
      const url = new URL(req.url);
      const from = Number(url.searchParams.get("from"));
      const n = Number(url.searchParams.get("n"));
      for (let i = from; i < from + n; i++) await env.CACHE.put("key-" + String(i).padStart(6, "0"), kib);
      return new Response("filled " + n);
    }
    const value = await env.CACHE.get("k");
    return new Response(value, { headers: { "content-type": "text/plain;charset=UTF-8" } });
  },
};
