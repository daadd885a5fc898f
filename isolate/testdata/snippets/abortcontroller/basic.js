const ac = new AbortController();
const s = ac.signal;
console.log(String(ac), String(s), s === ac.signal, s instanceof EventTarget, s.aborted, s.reason, s.onabort);
const log = [];
s.onabort = (e) => log.push("onabort:" + e.type + ":" + e.isTrusted + ":" + (e.target === s) + ":" + s.aborted);
s.addEventListener("abort", (e) => log.push("listener:" + (e instanceof Event)));
ac.abort();
ac.abort(); // the second abort does nothing
console.log(log.join(" "));
console.log(s.aborted, s.reason instanceof DOMException, s.reason.name, s.reason.code, s.reason.message);
try { s.throwIfAborted(); } catch (e) { console.log("threw", e === s.reason); }
// A reason of any type is kept as given.
for (const reason of ["why", 0, null, { code: 1 }, new Error("custom")]) {
  const c = new AbortController();
  c.abort(reason);
  let thrown;
  try { c.signal.throwIfAborted(); } catch (e) { thrown = e; }
  console.log(JSON.stringify(c.signal.reason) ?? String(c.signal.reason), thrown === reason);
}
// abort(undefined) is the default reason.
const u = new AbortController();
u.abort(undefined);
console.log(u.signal.reason.name);
// onabort: replaced handler, null removes it, non-objects are null.
const h = new AbortController();
h.signal.onabort = () => console.log("first handler");
h.signal.onabort = () => console.log("second handler");
h.signal.onabort = 5;
console.log(h.signal.onabort);
h.signal.onabort = () => console.log("third handler");
h.abort();
// Listeners see the reason; a throwing listener does not stop the abort.
const t = new AbortController();
t.signal.addEventListener("abort", () => { throw new Error("listener threw"); });
t.signal.addEventListener("abort", () => console.log("still ran, reason:", t.signal.reason));
t.abort("stop");
console.log(t.signal.aborted);
for (const f of [
  () => new AbortSignal(),
  () => AbortController.prototype.abort.call({}),
  () => Object.getOwnPropertyDescriptor(AbortController.prototype, "signal").get.call({}),
  () => Object.getOwnPropertyDescriptor(AbortSignal.prototype, "aborted").get.call(new EventTarget()),
  () => AbortSignal.prototype.throwIfAborted.call({}),
]) {
  try { f(); console.log("no error"); } catch (err) { console.log(err.name + ": " + err.message); }
}
