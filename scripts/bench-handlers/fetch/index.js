// The fetch workload of scripts/bench: one outbound fetch per request to a
// loopback upstream (scripts/benchserver's /json), its JSON read whole and
// sent back with a header. scripts/benchserver's /fetch does the same in Go
// with net/http, for the baseline.
export default {
  async fetch(request) {
    const port = new URL(request.url).searchParams.get("port");
    const r = await fetch(`http://127.0.0.1:${port}/json?name=x`);
    return new Response(await r.text(), {
      status: r.ok ? 200 : 502,
      headers: { "content-type": "application/json", "x-upstream-status": String(r.status) },
    });
  },
};
