// The incoming request has a signal that has not aborted.
console.log(request.signal instanceof AbortSignal, request.signal.aborted, request.signal === request.signal);
// A Request made with init.signal follows it (a dependent signal, as fetch's is).
const ac = new AbortController();
const r = new Request("https://example.com/", { signal: ac.signal });
console.log(r.signal instanceof AbortSignal, r.signal === ac.signal, r.signal.aborted);
// Copies and clones follow the original.
const copy = new Request(r, { method: "POST" });
const clone = r.clone();
const seen = [];
r.signal.addEventListener("abort", () => seen.push("request"));
copy.signal.addEventListener("abort", () => seen.push("copy"));
clone.signal.addEventListener("abort", () => seen.push("clone"));
ac.abort(new DOMException("user left", "AbortError"));
console.log(r.signal.aborted, copy.signal.aborted, clone.signal.aborted, seen.join(","), r.signal.reason.message, clone.signal.reason === r.signal.reason);
// An already aborted signal; null gives a fresh one; no signal never aborts.
console.log(new Request("https://example.com/", { signal: AbortSignal.abort("early") }).signal.reason);
console.log(new Request(r, { signal: null }).signal.aborted, new Request("https://example.com/").signal.aborted);
// A request copied from the incoming one follows it too.
console.log(new Request(request).signal.aborted);
for (const f of [
  () => new Request("https://example.com/", { signal: {} }),
  () => new Request("https://example.com/", { signal: new AbortController() }),
  () => new Request("https://example.com/", { signal: "x" }),
]) {
  try { f(); console.log("no error"); } catch (err) { console.log(err.name + ": " + err.message); }
}
