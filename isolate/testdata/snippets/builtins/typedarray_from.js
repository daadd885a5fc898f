// %TypedArray%.from takes any iterable, strings included.
console.log(Array.from(Uint8Array.from("abc", (c) => c.charCodeAt(0))).join(","));
console.log(Array.from(Uint16Array.from("\u{1F600}x", (c) => c.length)).join(","));
console.log(Uint8Array.from([1, 2, 3]).length, Uint8Array.from({ length: 2, 0: 7, 1: 8 }).join(","), Float64Array.from(new Set([1.5])).join());
class Bytes extends Uint8Array {}
const b = Bytes.from("ab", (c) => c.charCodeAt(0));
console.log(b instanceof Bytes, b.join(","));
for (const f of [() => Uint8Array.from(null), () => Uint8Array.from(undefined), () => Uint8Array.from("x", 5)]) {
  try { f(); console.log("no error"); } catch (e) { console.log(e.name); }
}
