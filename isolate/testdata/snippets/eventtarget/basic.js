const t = new EventTarget();
const log = [];
const a = (e) => log.push("a");
t.addEventListener("go", a);
t.addEventListener("go", a); // a duplicate is ignored
t.addEventListener("go", a, true); // but not with another capture
t.addEventListener("go", { handleEvent(e) { log.push("object:" + (this === obj)); } });
const obj = { handleEvent(e) { log.push("obj"); } };
t.addEventListener("go", obj);
t.addEventListener("go", function (e) { log.push("this:" + (this === t) + ",phase:" + e.eventPhase + ",target:" + (e.target === t)); });
t.addEventListener("go", null); // ignored
t.dispatchEvent(new Event("go"));
console.log(log.join(" "));
// Capturing listeners run before the others, all AT_TARGET.
log.length = 0;
const u = new EventTarget();
u.addEventListener("e", () => log.push("bubble1"));
u.addEventListener("e", () => log.push("capture"), { capture: true });
u.addEventListener("e", () => log.push("bubble2"));
u.dispatchEvent(new Event("e"));
console.log(log.join(" "));
// After dispatch: eventPhase NONE, currentTarget null, target kept.
const ev = new Event("e");
u.dispatchEvent(ev);
console.log(ev.eventPhase, ev.currentTarget, ev.target === u, JSON.stringify(ev.composedPath()));
// once, removal (with the same capture flag), removal during dispatch.
log.length = 0;
const v = new EventTarget();
v.addEventListener("o", () => log.push("once"), { once: true });
const b = () => log.push("b");
v.addEventListener("o", b, true);
v.removeEventListener("o", b); // capture differs: not removed
const c = () => log.push("c");
v.addEventListener("o", () => { log.push("remover"); v.removeEventListener("o", c); });
v.addEventListener("o", c);
v.dispatchEvent(new Event("o"));
v.dispatchEvent(new Event("o"));
v.removeEventListener("o", b, { capture: true });
v.dispatchEvent(new Event("o"));
console.log(log.join(" "));
// A listener added during dispatch runs only from the next dispatch.
log.length = 0;
const w = new EventTarget();
w.addEventListener("x", () => { log.push("first"); w.addEventListener("x", () => log.push("late")); });
w.dispatchEvent(new Event("x"));
console.log(log.join(" "));
// stopImmediatePropagation; stopPropagation in a capturing listener.
log.length = 0;
const x = new EventTarget();
x.addEventListener("s", (e) => { log.push("1"); e.stopImmediatePropagation(); });
x.addEventListener("s", () => log.push("2"));
x.dispatchEvent(new Event("s"));
const y = new EventTarget();
y.addEventListener("s", (e) => { log.push("cap"); e.stopPropagation(); }, true);
y.addEventListener("s", () => log.push("not run"));
y.dispatchEvent(new Event("s"));
console.log(log.join(" "));
// preventDefault and the return value; passive listeners cannot cancel.
const z = new EventTarget();
z.addEventListener("c", (e) => e.preventDefault());
console.log(z.dispatchEvent(new Event("c", { cancelable: true })), z.dispatchEvent(new Event("c")));
const pz = new EventTarget();
pz.addEventListener("c", (e) => { e.preventDefault(); console.log("in passive:", e.defaultPrevented); }, { passive: true });
console.log(pz.dispatchEvent(new Event("c", { cancelable: true })));
// A listener that throws is reported; the others still run and dispatch returns.
log.length = 0;
const q = new EventTarget();
q.addEventListener("t", () => { throw new Error("listener failed"); });
q.addEventListener("t", { handleEvent: 5 });
q.addEventListener("t", () => log.push("after"));
console.log(q.dispatchEvent(new Event("t")), log.join(" "));
// signal removes the listener; an aborted signal adds nothing.
log.length = 0;
const ac = new AbortController();
const r = new EventTarget();
r.addEventListener("k", () => log.push("k"), { signal: ac.signal });
r.dispatchEvent(new Event("k"));
ac.abort();
r.dispatchEvent(new Event("k"));
r.addEventListener("k", () => log.push("never"), { signal: AbortSignal.abort() });
r.dispatchEvent(new Event("k"));
console.log(log.join(" "));
// Subclassing EventTarget.
class Emitter extends EventTarget {
  emit(type, detail) { return this.dispatchEvent(new CustomEvent(type, { detail })); }
}
const em = new Emitter();
em.addEventListener("hi", (e) => console.log("emitter got", e.detail, e.target === em));
em.emit("hi", "there");
console.log(String(t), em instanceof EventTarget);
// Errors.
const busy = new EventTarget();
const inflight = new Event("b");
busy.addEventListener("b", () => {
  try { busy.dispatchEvent(inflight); } catch (err) { console.log(err.name + " (" + err.code + "): " + err.message); }
});
busy.dispatchEvent(inflight);
for (const f of [
  () => t.addEventListener("x"),
  () => t.addEventListener("x", 5),
  () => t.addEventListener("x", () => {}, { signal: {} }),
  () => t.addEventListener("x", () => {}, { signal: null }),
  () => t.dispatchEvent({ type: "x" }),
  () => t.dispatchEvent(),
  () => EventTarget.prototype.addEventListener.call({}, "x", () => {}),
]) {
  try { f(); console.log("no error"); } catch (err) { console.log(err.name + ": " + err.message); }
}
