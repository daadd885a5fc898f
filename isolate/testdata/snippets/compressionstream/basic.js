const collect = async (stream) => {
  const parts = [];
  let n = 0;
  for await (const c of stream) { parts.push(c); n += c.length; }
  const out = new Uint8Array(n);
  let off = 0;
  for (const p of parts) { out.set(p, off); off += p.length; }
  return out;
};
const text = async (u8) => {
  let s = "";
  await ReadableStream.from([u8]).pipeThrough(new TextDecoderStream()).pipeTo(new WritableStream({ write(x) { s += x; } }));
  return s;
};
const source = () => ReadableStream.from(["hello ", "compressed ", "world ".repeat(1000)]).pipeThrough(new TextEncoderStream());

for (const format of ["gzip", "deflate", "deflate-raw"]) {
  const compressed = await collect(source().pipeThrough(new CompressionStream(format)));
  const back = await text(await collect(ReadableStream.from([compressed]).pipeThrough(new DecompressionStream(format))));
  console.log(format, "compressed to", compressed.length < 200, "header", compressed[0].toString(16), "round trip", back.length, back.slice(0, 24));
}
// Known vectors: gzip and zlib of "abc" as other tools make them.
const gz = new Uint8Array([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x4b, 0x4c, 0x4a, 0x06, 0x00, 0xc2, 0x41, 0x24, 0x35, 0x03, 0x00, 0x00, 0x00]);
console.log("gzip vector", await text(await collect(ReadableStream.from([gz.subarray(0, 5), gz.subarray(5, 12), gz.subarray(12)]).pipeThrough(new DecompressionStream("gzip")))));
const zl = new Uint8Array([0x78, 0x9c, 0x4b, 0x4c, 0x4a, 0x06, 0x00, 0x02, 0x4d, 0x01, 0x27]);
console.log("zlib vector", await text(await collect(ReadableStream.from([zl]).pipeThrough(new DecompressionStream("deflate")))));

// Bad data, truncated data and trailing data error the stream with a TypeError.
const tryDecompress = async (format, chunks) => {
  try {
    await collect(ReadableStream.from(chunks.map((c) => new Uint8Array(c))).pipeThrough(new DecompressionStream(format)));
    console.log("no error");
  } catch (e) { console.log(e.name + ": " + e.message); }
};
await tryDecompress("gzip", [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]]);
await tryDecompress("gzip", [Array.from(gz.subarray(0, 15))]);
await tryDecompress("deflate", [Array.from(zl), [1, 2, 3]]);
await tryDecompress("deflate-raw", [[0xff, 0xff]]);

for (const f of [
  () => new CompressionStream("brotli"),
  () => new CompressionStream(),
  () => new DecompressionStream("zip"),
]) {
  try { f(); console.log("no error"); } catch (e) { console.log(e.name + ": " + e.message); }
}
// (A write waits for a read: the readable side's highWaterMark is 0.)
const ts = new CompressionStream("gzip");
ts.readable.getReader().read().catch(() => {});
const w = ts.writable.getWriter();
try { await w.write("a string"); } catch (e) { console.log(e.name + ": " + e.message); }
