const enc = new TextEncoder();
console.log(String(enc), enc.encoding, TextEncoder.length, TextEncoder.prototype.encodeInto.length);
const hex = (u8) => Array.from(u8, (b) => b.toString(16).padStart(2, "0")).join(" ");
console.log(hex(enc.encode("h\u00e9\u20ac\u{1F600}")));
console.log(enc.encode() instanceof Uint8Array, enc.encode().length, hex(enc.encode(undefined)), hex(enc.encode(null)), hex(enc.encode(12)));
// Lone surrogates are encoded as U+FFFD (USVString).
console.log(hex(enc.encode("a\uD800b\uDC00")), hex(enc.encode("\uD83D")));
// encodeInto writes whole code points only and counts UTF-16 units read.
const buf = new Uint8Array(8);
console.log(JSON.stringify(enc.encodeInto("ab\u20ac\u{1F600}x", buf)), hex(buf));
const small = new Uint8Array(5);
console.log(JSON.stringify(enc.encodeInto("\u{1F600}\u{1F600}", small)), hex(small));
console.log(JSON.stringify(enc.encodeInto("", new Uint8Array(0))), JSON.stringify(enc.encodeInto("abc", new Uint8Array(0))));
// A view into the middle of a buffer is written in place.
const backing = new Uint8Array(6);
enc.encodeInto("\u00e9\u00e9", new Uint8Array(backing.buffer, 1, 4));
console.log(hex(backing));
// A round trip through TextDecoder.
console.log(new TextDecoder().decode(enc.encode("caf\u00e9 \u{1F600}")));
for (const f of [
  () => enc.encodeInto("x"),
  () => enc.encodeInto("x", new Uint16Array(4)),
  () => enc.encodeInto("x", new Uint8ClampedArray(4)),
  () => enc.encodeInto("x", new ArrayBuffer(4)),
  () => TextEncoder.prototype.encode.call({}, "x"),
  () => Object.getOwnPropertyDescriptor(TextEncoder.prototype, "encoding").get.call(null),
]) {
  try { f(); console.log("no error"); } catch (e) { console.log(e.name + ": " + e.message); }
}
