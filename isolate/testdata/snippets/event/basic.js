const e = new Event("ping");
console.log(String(e), e.type, e.bubbles, e.cancelable, e.composed, e.defaultPrevented, e.eventPhase, e.target, e.currentTarget, e.isTrusted);
console.log(typeof e.timeStamp, e.timeStamp >= 0, e.returnValue, e.cancelBubble, JSON.stringify(e.composedPath()));
console.log(Event.NONE, Event.CAPTURING_PHASE, Event.AT_TARGET, Event.BUBBLING_PHASE, e.AT_TARGET);
// isTrusted is an own, unforgeable accessor.
const d = Object.getOwnPropertyDescriptor(e, "isTrusted");
console.log(typeof d.get, d.configurable, d.enumerable, Object.keys(e).join(","));
// Init dictionaries and conversions.
const c = new Event(42, { bubbles: 1, cancelable: "yes", composed: true });
console.log(c.type, c.bubbles, c.cancelable, c.composed);
// preventDefault only affects cancelable events.
e.preventDefault();
c.preventDefault();
console.log(e.defaultPrevented, c.defaultPrevented, c.returnValue);
const r = new Event("r", { cancelable: true });
r.returnValue = false;
console.log(r.defaultPrevented);
// stopPropagation / cancelBubble.
const s = new Event("s");
s.cancelBubble = true;
console.log(s.cancelBubble);
s.cancelBubble = false;
console.log(s.cancelBubble);
// initEvent re-initializes an event that is not being dispatched.
const i = new Event("old");
i.preventDefault();
i.initEvent("new", true, true);
console.log(i.type, i.bubbles, i.cancelable, i.defaultPrevented);
// Subclasses.
class PingEvent extends Event { constructor(n) { super("ping"); this.n = n; } }
const p = new PingEvent(3);
console.log(p instanceof Event, p.type, p.n, Object.prototype.toString.call(p));
for (const f of [
  () => new Event(),
  () => new Event("x", 5),
  () => new Event(Symbol("x")),
  () => Event.prototype.preventDefault.call({}),
  () => Object.getOwnPropertyDescriptor(Event.prototype, "type").get.call({}),
  () => d.get.call({}),
]) {
  try { f(); console.log("no error"); } catch (err) { console.log(err.name + ": " + err.message); }
}
