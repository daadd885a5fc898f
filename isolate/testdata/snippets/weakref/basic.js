const target = { name: "t" };
const r = new WeakRef(target);
console.log(String(r), r.deref() === target, r.deref().name, WeakRef.length);
// A target in use stays; subclasses work.
class Ref extends WeakRef { get value() { return this.deref(); } }
const r2 = new Ref(target);
console.log(r2 instanceof WeakRef, r2.value === target);
const fn = () => 1;
console.log(new WeakRef(fn).deref() === fn);
for (const f of [
  () => new WeakRef(),
  () => new WeakRef(1),
  () => new WeakRef("s"),
  () => new WeakRef(Symbol.for("x")),
  () => WeakRef.prototype.deref.call({}),
]) {
  try { f(); console.log("no error"); } catch (err) { console.log(err.name + ": " + err.message); }
}
