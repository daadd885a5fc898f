// AbortSignal.abort(reason)
const a = AbortSignal.abort();
console.log(a.aborted, a.reason.name, a.reason.message, AbortSignal.abort("r").reason);
// AbortSignal.timeout(ms): a TimeoutError DOMException once the time is up.
const t = AbortSignal.timeout(20);
console.log(t.aborted);
const ev = await new Promise((resolve) => t.addEventListener("abort", resolve));
console.log(t.aborted, ev.isTrusted, t.reason instanceof DOMException, t.reason.name, t.reason.code, t.reason.message);
const z = AbortSignal.timeout(0);
await new Promise((resolve) => { z.onabort = resolve; });
console.log("timeout(0) aborted:", z.aborted);
// AbortSignal.any: aborts with the first source's reason.
const c1 = new AbortController(), c2 = new AbortController();
const any = AbortSignal.any([c1.signal, c2.signal]);
console.log(any.aborted, any !== c1.signal);
const seen = [];
any.addEventListener("abort", () => seen.push("any:" + any.reason));
c2.signal.addEventListener("abort", () => seen.push("c2"));
c2.abort("second");
c1.abort("first");
console.log(seen.join(" "), any.reason);
// An already aborted source: the result is aborted at once.
console.log(AbortSignal.any([new AbortController().signal, AbortSignal.abort("early")]).reason);
// An empty list never aborts; any of an any follows the original sources.
console.log(AbortSignal.any([]).aborted);
const root = new AbortController();
const inner = AbortSignal.any([root.signal]);
const outer = AbortSignal.any([inner, AbortSignal.any([])]);
root.abort("root");
console.log(inner.reason, outer.reason, outer.aborted);
// Any iterable works.
const setSrc = new AbortController();
const fromSet = AbortSignal.any(new Set([setSrc.signal]));
setSrc.abort("set");
console.log(fromSet.reason);
// Dependent signals abort after their source's listeners ran, in order.
const order = [];
const src = new AbortController();
const dep = AbortSignal.any([src.signal]);
dep.onabort = () => order.push("dependent (source aborted: " + src.signal.aborted + ")");
src.signal.onabort = () => order.push("source (dependent aborted: " + dep.aborted + ")");
src.abort();
console.log(order.join(", "));
// Streams take signals: pipeTo stops when the signal aborts.
const pc = new AbortController();
const rs = new ReadableStream({ pull(c) { c.enqueue("x"); } });
const piped = rs.pipeTo(new WritableStream(), { signal: pc.signal });
pc.abort(new Error("stop piping"));
try { await piped; } catch (e) { console.log("pipeTo:", e.message); }
for (const f of [
  () => AbortSignal.timeout(),
  () => AbortSignal.timeout(-1),
  () => AbortSignal.timeout(Infinity),
  () => AbortSignal.timeout(NaN),
  () => AbortSignal.any(),
  () => AbortSignal.any(5),
  () => AbortSignal.any([{}]),
  () => AbortSignal.any([null]),
]) {
  try { f(); console.log("no error"); } catch (err) { console.log(err.name + ": " + err.message); }
}
