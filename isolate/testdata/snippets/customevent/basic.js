const e = new CustomEvent("order", { detail: { id: 7 }, cancelable: true });
console.log(String(e), e instanceof Event, e.type, JSON.stringify(e.detail), e.cancelable);
console.log(new CustomEvent("x").detail, new CustomEvent("x", { detail: undefined }).detail, new CustomEvent("x", { detail: 0 }).detail);
const t = new EventTarget();
t.addEventListener("order", (ev) => console.log("got", ev.detail.id, ev instanceof CustomEvent));
t.dispatchEvent(e);
const i = new CustomEvent("a");
i.initCustomEvent("b", false, true, "d");
console.log(i.type, i.cancelable, i.detail);
for (const f of [
  () => new CustomEvent(),
  () => new CustomEvent("x", "y"),
  () => Object.getOwnPropertyDescriptor(CustomEvent.prototype, "detail").get.call(new Event("x")),
]) {
  try { f(); console.log("no error"); } catch (err) { console.log(err.name + ": " + err.message); }
}
