const dec = new TextDecoderStream();
console.log(String(dec), dec.encoding, dec.fatal, dec.ignoreBOM);
// A multi-byte sequence split across chunks, and a BOM that is dropped.
const chunks = [[0xEF, 0xBB], [0xBF, 0x68, 0xC3], [0xA9, 0xE2, 0x82], [0xAC, 0xF0, 0x9F, 0x98], [0x80]];
const parts = [];
await ReadableStream.from(chunks.map((c) => new Uint8Array(c))).pipeThrough(dec).pipeTo(new WritableStream({ write(s) { parts.push(JSON.stringify(s)); } }));
console.log(parts.join(" "));

const decodeAll = async (label, opts, chunks) => {
  let s = "";
  await ReadableStream.from(chunks.map((c) => new Uint8Array(c))).pipeThrough(new TextDecoderStream(label, opts)).pipeTo(new WritableStream({ write(x) { s += x; } }));
  return s;
};
// Invalid sequences: one U+FFFD per maximal subpart (WHATWG).
console.log(JSON.stringify(await decodeAll("utf-8", {}, [[0x61, 0xE2, 0x82, 0x41, 0xFF, 0xC0, 0x80, 0xED, 0xA0, 0x80]])));
// A truncated sequence at the end.
console.log(JSON.stringify(await decodeAll("utf-8", {}, [[0x61, 0xF0, 0x9F]])));
// ignoreBOM keeps the BOM.
console.log(JSON.stringify(await decodeAll("utf-8", { ignoreBOM: true }, [[0xEF, 0xBB, 0xBF, 0x78]])));
// fatal errors the stream.
try { await decodeAll("utf-8", { fatal: true }, [[0x61, 0xFF]]); } catch (e) { console.log(e.name + ": " + e.message); }
try { await decodeAll("utf-8", { fatal: true }, [[0xE2, 0x82]]); } catch (e) { console.log(e.name + ": " + e.message); }
// UTF-16LE with a surrogate pair split across chunks, and latin1 labels.
console.log(JSON.stringify(await decodeAll("utf-16le", {}, [[0xFF, 0xFE, 0x68], [0x00, 0x3D, 0xD8], [0x00, 0xDE]])), new TextDecoderStream("UTF-16").encoding);
console.log(JSON.stringify(await decodeAll("latin1", {}, [[0x63, 0x61, 0x66, 0xE9, 0x80]])), new TextDecoderStream(" Latin1 ").encoding);
// Errors.
for (const f of [
  () => new TextDecoderStream("utf-32"),
  () => new TextDecoderStream("utf-8", 5),
  () => Object.getOwnPropertyDescriptor(TextDecoderStream.prototype, "encoding").get.call({}),
]) {
  try { f(); console.log("no error"); } catch (e) { console.log(e.name + ": " + e.message); }
}
// (A write waits for a read: the readable side's highWaterMark is 0.)
const ts = new TextDecoderStream();
ts.readable.getReader().read().catch(() => {});
const w = ts.writable.getWriter();
try { await w.write("not bytes"); } catch (e) { console.log(e.name + ": " + e.message); }
