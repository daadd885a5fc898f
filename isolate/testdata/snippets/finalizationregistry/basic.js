const reg = new FinalizationRegistry((held) => console.log("cleanup", held));
const a = {}, token = {};
console.log(String(reg), reg.register(a, "a"), reg.register(a, "a2", token));
console.log(reg.unregister(token), reg.unregister(token), reg.unregister({}));
// A token may be the target itself.
reg.register(token, "self-token", token);
console.log(reg.unregister(token));
class Reg extends FinalizationRegistry {}
console.log(new Reg(() => {}) instanceof FinalizationRegistry);
for (const f of [
  () => new FinalizationRegistry(),
  () => new FinalizationRegistry({}),
  () => reg.register(1, "x"),
  () => reg.register(a, a),
  () => reg.register(a, "x", 5),
  () => reg.unregister(1),
  () => FinalizationRegistry.prototype.register.call({}, {}, 1),
]) {
  try { f(); console.log("no error"); } catch (err) { console.log(err.name + ": " + err.message); }
}
