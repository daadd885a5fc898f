// The memory guard wraps builtins that allocate in one step; wrapped
// builtins must behave exactly as before for normal sizes.
class Sub extends Uint8Array {
  hi() {
    return "sub" + this.length;
  }
}
const s = new Sub(3);
console.log(s instanceof Uint8Array, s instanceof Sub, s.hi(), Uint8Array.name, Uint8Array.BYTES_PER_ELEMENT);
console.log(Uint8Array.from([1, 2, 3]).join(","), Uint8Array.of(4, 5).length, new Uint8Array([1, 2]).constructor === Uint8Array);
console.log(ArrayBuffer.isView(new Uint8Array(1)), new ArrayBuffer(8).byteLength, new Uint16Array(new ArrayBuffer(8), 2, 2).length);
console.log([1, 2, 3].fill(0, 1).join(","), "ab".repeat(2), "x".padStart(3, "-"), "x".padEnd(3, "+"), Array.from({ length: 2 }, (_, i) => i).join());
console.log(String.prototype.repeat.name, String.prototype.repeat.length, Array.prototype.fill.length, Object.keys(Array.prototype).length);
const big = new Array(3000).fill(7);
console.log(big.length, big[2999], [,,,].fill(1, -2).join());
for (const f of [
  () => "x".repeat(2 ** 40),
  () => "x".padStart(2 ** 40),
  () => new Array(2 ** 30).join("ab"),
  () => new Array(1e9).fill(0),
  () => Array.from({ length: 2 ** 40 }),
  () => new Uint8Array(2 ** 40),
  () => Uint8Array.from({ length: 2 ** 40 }),
  () => new Float64Array({ length: 2 ** 40 }),
  () => new ArrayBuffer(8, { maxByteLength: 2 ** 40 }),
]) {
  try {
    f();
    console.log("no error");
  } catch (e) {
    console.log(e.name + ": " + e.message);
  }
}
