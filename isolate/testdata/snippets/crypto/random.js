// crypto.getRandomValues and crypto.randomUUID.
const u8 = new Uint8Array(32);
const same = crypto.getRandomValues(u8);
console.log("returns its argument:", same === u8, "filled:", u8.some((b) => b !== 0));
for (const T of [Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array, BigInt64Array, BigUint64Array]) {
  const a = new T(8);
  crypto.getRandomValues(a);
  console.log(T.name, a.some((x) => x != 0));
}
// Only the view's own bytes change.
const buf = new Uint8Array(16);
crypto.getRandomValues(new Uint8Array(buf.buffer, 4, 8));
console.log("view of bytes 4..12:", buf.slice(0, 4).join(","), buf.slice(12).join(","));
console.log("65536 bytes:", crypto.getRandomValues(new Uint8Array(65536)).length, crypto.getRandomValues(new Uint32Array(16384)).length);
console.log("empty:", crypto.getRandomValues(new Uint8Array(0)).length);
const fails = (label, f) => {
  try {
    f();
    console.log(label, "did not throw");
  } catch (e) {
    console.log(label, "->", e.name + ":", e.message, "code", e.code);
  }
};
fails("65537 bytes", () => crypto.getRandomValues(new Uint8Array(65537)));
fails("Float32Array", () => crypto.getRandomValues(new Float32Array(4)));
fails("Float64Array", () => crypto.getRandomValues(new Float64Array(4)));
fails("DataView", () => crypto.getRandomValues(new DataView(new ArrayBuffer(4))));
fails("ArrayBuffer", () => crypto.getRandomValues(new ArrayBuffer(4)));
fails("array", () => crypto.getRandomValues([1, 2, 3]));
fails("number", () => crypto.getRandomValues(16));
fails("no argument", () => crypto.getRandomValues());
fails("unbound", () => { const g = crypto.getRandomValues; g(new Uint8Array(4)); });
console.log("bound works:", crypto.getRandomValues.bind(crypto)(new Uint8Array(4)).length);

const re = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const ids = new Set();
let ok = true;
for (let i = 0; i < 1000; i++) {
  const id = crypto.randomUUID();
  ok &&= re.test(id);
  ids.add(id);
}
console.log("randomUUID: v4 format:", ok, "distinct:", ids.size);
fails("randomUUID unbound", () => { const r = crypto.randomUUID; r(); });
