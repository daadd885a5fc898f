// Byte streams: BYOB readers, byobRequest, autoAllocateChunkSize, min.
let pulls = 0;
const rs = new ReadableStream({
  type: "bytes",
  pull(c) {
    pulls++;
    const req = c.byobRequest;
    if (pulls > 3) { c.close(); if (req) req.respond(0); return; }
    if (req) {
      const v = req.view;
      for (let i = 0; i < v.length && i < 3; i++) v[i] = pulls * 10 + i;
      req.respond(Math.min(3, v.length));
    } else {
      c.enqueue(new Uint8Array([pulls, pulls]));
    }
  },
});
const reader = rs.getReader({ mode: "byob" });
console.log(String(reader));
let r = await reader.read(new Uint8Array(8));
console.log(Array.from(r.value).join(","), r.done, r.value.byteLength, r.value.buffer.byteLength);
r = await reader.read(new Uint8Array(2));
console.log(Array.from(r.value).join(","), r.done);
// A read with min waits for enough bytes.
r = await reader.read(new Uint8Array(4), { min: 4 });
console.log("min", Array.from(r.value).join(","), r.done);
r = await reader.read(new Uint8Array(4));
console.log("end", r.value.byteLength, r.done);

// enqueue() transfers the chunk's buffer.
const src = new Uint8Array([1, 2, 3]);
const rs2 = new ReadableStream({ type: "bytes", start(c) { c.enqueue(src); c.close(); } });
console.log("transferred: source length now", src.byteLength);
const d = rs2.getReader();
const got = await d.read();
console.log("default reader on a byte stream:", got.value.constructor.name, Array.from(got.value).join(","));

// autoAllocateChunkSize gives a byobRequest to default readers.
const auto = new ReadableStream({
  type: "bytes",
  autoAllocateChunkSize: 16,
  pull(c) {
    const v = c.byobRequest.view;
    v[0] = 42;
    c.byobRequest.respond(1);
    c.close();
  },
});
const a = await auto.getReader().read();
console.log("auto", a.value.length, a.value[0]);

// A DataView and a Uint16Array as BYOB views.
const rs3 = new ReadableStream({ type: "bytes", start(c) { c.enqueue(new Uint8Array([1, 0, 2, 0, 3])); c.close(); } });
const r3 = rs3.getReader({ mode: "byob" });
const u16 = await r3.read(new Uint16Array(2));
console.log("u16", u16.value.constructor.name, Array.from(u16.value).join(","));
const dv = await r3.read(new DataView(new ArrayBuffer(4)));
console.log("dv", dv.value.constructor.name, dv.value.byteLength, dv.value.getUint8(0));

// Errors.
const errs = [
  () => new ReadableStream({ type: "bytes" }).getReader({ mode: "byob" }).read(new Uint8Array(0)),
  () => new ReadableStream({ type: "bytes" }).getReader({ mode: "byob" }).read("nope"),
  () => new ReadableStream({ type: "bytes" }).getReader({ mode: "byob" }).read(new Uint8Array(2), { min: 3 }),
  () => new ReadableStream({ type: "bytes" }).getReader({ mode: "byob" }).read(new Uint8Array(2), { min: 0 }),
];
for (const f of errs) {
  try { await f(); } catch (e) { console.log(e.name + ": " + e.message); }
}
for (const f of [
  () => new ReadableStream().getReader({ mode: "byob" }),
  () => new ReadableStream({ type: "bytes", autoAllocateChunkSize: 0 }),
  () => new ReadableStream({ type: "bytes" }, { size() { return 1; } }),
  () => new ReadableStream({ type: "bytes", start(c) { c.enqueue(new Uint8Array(0)); } }),
  () => new ReadableStream({ type: "bytes", start(c) { c.enqueue([1]); } }),
  () => new ReadableStream({ type: "bytes", start(c) { c.close(); c.close(); } }),
  () => new ReadableStream({ type: "other" }),
]) {
  try { f(); console.log("no error"); } catch (e) { console.log(e.name + ": " + e.message); }
}

// byobRequest misuse.
const misuse = [];
const rs4 = new ReadableStream({
  type: "bytes",
  pull(c) {
    const req = c.byobRequest;
    for (const f of [
      () => req.respond(0),
      () => req.respond(100),
      () => req.respondWithNewView(new Uint8Array(1)),
      () => req.respondWithNewView("x"),
    ]) {
      try { f(); misuse.push("no error"); } catch (e) { misuse.push(e.name + ": " + e.message); }
    }
    req.respond(1);
    try { req.respond(1); } catch (e) { misuse.push("answered twice: " + e.name + ": " + e.message); }
    console.log("view after respond:", req.view);
    c.close();
  },
});
const got4 = await rs4.getReader({ mode: "byob" }).read(new Uint8Array(4));
console.log(misuse.join("\n"));
console.log("got", got4.value.length, got4.done);
