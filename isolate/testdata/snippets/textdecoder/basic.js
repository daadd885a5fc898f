const dec = new TextDecoder();
console.log(String(dec), dec.encoding, dec.fatal, dec.ignoreBOM, TextDecoder.length);
const u8 = (...b) => new Uint8Array(b);
console.log(JSON.stringify(dec.decode(u8(0xEF, 0xBB, 0xBF, 0x68, 0xC3, 0xA9, 0xE2, 0x82, 0xAC, 0xF0, 0x9F, 0x98, 0x80))));
console.log(JSON.stringify(dec.decode()), JSON.stringify(dec.decode(new ArrayBuffer(0))));
// Every BufferSource: ArrayBuffer, typed arrays of any type, DataView, a view into the middle.
const buf = u8(0x78, 0x61, 0x62, 0x63, 0x79).buffer;
console.log(dec.decode(buf), dec.decode(new DataView(buf, 1, 3)), dec.decode(new Uint8Array(buf, 1, 2)), dec.decode(new Uint16Array(u8(0x68, 0x69).buffer)));
// Invalid sequences: one U+FFFD per maximal subpart (WHATWG).
console.log(JSON.stringify(dec.decode(u8(0x61, 0xE2, 0x82, 0x41, 0xFF, 0xC0, 0x80, 0xED, 0xA0, 0x80, 0xF0, 0x9F))));
// ignoreBOM keeps the BOM; only one BOM is dropped.
console.log(JSON.stringify(new TextDecoder("utf-8", { ignoreBOM: true }).decode(u8(0xEF, 0xBB, 0xBF, 0x78))), JSON.stringify(dec.decode(u8(0xEF, 0xBB, 0xBF, 0xEF, 0xBB, 0xBF))));
// stream: a sequence split across calls is carried over; the BOM is dropped once per stream.
const s = new TextDecoder();
const parts = [[0xEF, 0xBB], [0xBF, 0x68, 0xC3], [0xA9, 0xF0, 0x9F, 0x98], [0x80, 0xE2]].map((c) => s.decode(new Uint8Array(c), { stream: true }));
parts.push(s.decode());
console.log(JSON.stringify(parts));
// After a non-stream call the state starts over.
console.log(JSON.stringify(s.decode(u8(0xEF, 0xBB, 0xBF, 0x7A))));
// fatal throws a TypeError, and the decoder is usable again afterwards.
const f = new TextDecoder("utf-8", { fatal: true });
for (const bytes of [[0x61, 0xFF], [0xE2, 0x82], [0xED, 0xA0, 0x80]]) {
  try { f.decode(new Uint8Array(bytes)); console.log("no error"); } catch (e) { console.log(e.name + ": " + e.message); }
}
try { f.decode(u8(0xE2), { stream: true }); console.log("stream: pending"); f.decode(); } catch (e) { console.log(e.name + ": " + e.message); }
console.log(f.decode(u8(0x6F, 0x6B)));
// UTF-16LE and BE, with surrogate pairs, a BOM, and an odd trailing byte.
console.log(JSON.stringify(new TextDecoder("utf-16le").decode(u8(0xFF, 0xFE, 0x68, 0x00, 0x3D, 0xD8, 0x00, 0xDE))), new TextDecoder("UTF-16").encoding);
console.log(JSON.stringify(new TextDecoder("utf-16be").decode(u8(0xFE, 0xFF, 0x00, 0x68, 0xD8, 0x3D, 0xDE, 0x00))));
console.log(JSON.stringify(new TextDecoder("utf-16le").decode(u8(0x68, 0x00, 0x00, 0xD8, 0x69))));
const u16 = new TextDecoder("utf-16le");
console.log(JSON.stringify([u16.decode(u8(0x68), { stream: true }), u16.decode(u8(0x00, 0x3D), { stream: true }), u16.decode(u8(0xD8, 0x00, 0xDE))]));
// windows-1252 for every latin1/ascii label (as the standard says), and other WHATWG encodings.
for (const label of ["latin1", " ISO-8859-1 ", "ascii", "us-ascii", "windows-1252"]) {
  const d = new TextDecoder(label);
  console.log(label.trim(), "->", d.encoding, JSON.stringify(d.decode(u8(0x63, 0x61, 0x66, 0xE9, 0x80, 0x9F))));
}
console.log(new TextDecoder("sjis").encoding, new TextDecoder("shift_jis").decode(u8(0x82, 0xA0, 0x82, 0xA2, 0x93, 0xFA, 0x96, 0x7B)));
console.log(new TextDecoder("gbk").encoding, new TextDecoder("gb2312").decode(u8(0xC4, 0xE3, 0xBA, 0xC3)));
console.log(new TextDecoder("big5").decode(u8(0xA7, 0x41, 0xA6, 0x6E)), new TextDecoder("euc-kr").decode(u8(0xC7, 0xD1, 0xB1, 0xDB)));
console.log(new TextDecoder("koi8-r").decode(u8(0xF0, 0xD2, 0xC9, 0xD7, 0xC5, 0xD4)), new TextDecoder("iso-8859-2").encoding, new TextDecoder("iso-8859-2").decode(u8(0xB1)));
const sj = new TextDecoder("shift_jis");
console.log(JSON.stringify([sj.decode(u8(0x82), { stream: true }), sj.decode(u8(0xA0, 0x82), { stream: true }), sj.decode(u8(0xA2))]));
try { new TextDecoder("shift_jis", { fatal: true }).decode(u8(0x82)); console.log("no error"); } catch (e) { console.log(e.name + ": " + e.message); }
for (const fn of [
  () => new TextDecoder("utf-32"),
  () => new TextDecoder("replacement"),
  () => new TextDecoder("iso-2022-kr"),
  () => new TextDecoder("utf-8", 5),
  () => dec.decode("text"),
  () => dec.decode([1, 2]),
  () => dec.decode(u8(0x61), 5),
  () => TextDecoder.prototype.decode.call({}),
  () => Object.getOwnPropertyDescriptor(TextDecoder.prototype, "encoding").get.call({}),
]) {
  try { fn(); console.log("no error"); } catch (e) { console.log(e.name + ": " + e.message); }
}
