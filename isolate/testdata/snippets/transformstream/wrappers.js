// The four classes that wrap a TransformStream: their shape, brand
// checks, subclassing and the readable/writable pair.
const classes = {
  TextEncoderStream: () => new TextEncoderStream(),
  TextDecoderStream: () => new TextDecoderStream("utf-8", { fatal: true }),
  CompressionStream: () => new CompressionStream("deflate"),
  DecompressionStream: () => new DecompressionStream("deflate"),
};
for (const [name, make] of Object.entries(classes)) {
  const C = globalThis[name];
  const s = make();
  console.log(name, C.name, C.length, Object.getOwnPropertyNames(C.prototype).join(","), String(s), Object.prototype.toString.call(s));
  console.log(" sides", s.readable instanceof ReadableStream, s.writable instanceof WritableStream, s.readable === s.readable, s.writable === s.writable);
  for (const key of Object.getOwnPropertyNames(C.prototype)) {
    if (key === "constructor") continue;
    const d = Object.getOwnPropertyDescriptor(C.prototype, key);
    try {
      d.get.call({});
      console.log(" ", key, "no error");
    } catch (e) {
      console.log(" ", key, d.get.name, e.name + ": " + e.message);
    }
  }
  class Sub extends C {}
  const sub = name.startsWith("Text") ? new Sub() : new Sub("gzip");
  console.log(" subclass", sub instanceof C, sub.readable instanceof ReadableStream, String(sub));
}
// Round trip through all four.
const input = "héllo wörld ".repeat(50);
const round = new Response(input).body
  .pipeThrough(new TextDecoderStream())
  .pipeThrough(new TextEncoderStream())
  .pipeThrough(new CompressionStream("gzip"))
  .pipeThrough(new DecompressionStream("gzip"))
  .pipeThrough(new TextDecoderStream());
let text = "";
for await (const part of round) text += part;
console.log("round trip", text === input);
// Cancelling the readable side of a DecompressionStream reaches its
// inflater; the writable side errors.
const ds = new DecompressionStream("gzip");
const w = ds.writable.getWriter();
await ds.readable.cancel("stop");
await w.write(new Uint8Array([31, 139])).catch((e) => console.log("write after cancel:", String(e)));
await w.closed.catch((e) => console.log("writer closed:", String(e)));
// Bad chunks.
for (const [name, make] of Object.entries(classes)) {
  if (name === "TextEncoderStream") continue;
  const s = make();
  const wr = s.writable.getWriter();
  const rd = s.readable.getReader();
  wr.write("not bytes").catch(() => {});
  await rd.read().catch((e) => console.log(name, "bad chunk:", e.name + ": " + e.message));
}
