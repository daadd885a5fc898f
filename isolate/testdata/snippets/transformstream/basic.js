// A transform that upper-cases strings, with flush adding a trailer.
const upper = new TransformStream({
  transform(chunk, c) { c.enqueue(String(chunk).toUpperCase()); },
  flush(c) { c.enqueue("<end>"); },
});
console.log(String(upper), upper.readable instanceof ReadableStream, upper.writable instanceof WritableStream);
const out = [];
await ReadableStream.from(["a", "b", "c"]).pipeThrough(upper).pipeTo(new WritableStream({ write(c) { out.push(c); } }));
console.log(out.join(" "));

// Identity transform; writes complete as the readable side is read.
const id = new TransformStream();
const w = id.writable.getWriter();
const r = id.readable.getReader();
const wp = w.write("x");
console.log("readable desiredSize", "n/a", (await r.read()).value);
await wp;
w.close();
console.log("done", (await r.read()).done);

// One chunk in, several out; terminate() ends the readable side.
const splitter = new TransformStream({
  transform(chunk, c) {
    for (const part of chunk.split(",")) {
      if (part === "STOP") { c.terminate(); return; }
      c.enqueue(part);
    }
  },
});
const sw = splitter.writable.getWriter();
sw.write("1,2,3").catch(() => {});
sw.write("4,STOP,5").catch(() => {});
const parts = [];
for await (const p of splitter.readable) parts.push(p);
console.log("parts", parts.join(" "));
try { await sw.write("6"); } catch (e) { console.log("write after terminate:", e.name); }

// An error in transform errors both sides.
const failing = new TransformStream({ transform() { throw new TypeError("bad chunk"); } });
const fw = failing.writable.getWriter();
// The readable side must ask first: with its highWaterMark of 0, a write
// waits for a read (backpressure).
const fread = failing.readable.getReader().read();
try { await fw.write(1); } catch (e) { console.log("write:", e.message); }
try { await fread; } catch (e) { console.log("read:", e.message); }

// cancel() of the readable side reaches transformer.cancel and errors the writable.
let cancelled;
const cts = new TransformStream({ cancel(r) { cancelled = r; } });
await cts.readable.cancel("no more");
try { await cts.writable.getWriter().write("x"); } catch (e) { console.log("write after cancel:", e, "transformer.cancel got", cancelled); }

// Async transform with backpressure: chunks come out in order.
const slow = new TransformStream({
  async transform(chunk, c) { await new Promise((r) => setTimeout(r, 5)); c.enqueue(chunk * 2); },
});
const doubled = [];
await ReadableStream.from([1, 2, 3, 4]).pipeThrough(slow).pipeTo(new WritableStream({ write(c) { doubled.push(c); } }));
console.log("doubled", doubled.join(","));

for (const f of [
  () => new TransformStream({ readableType: "bytes" }),
  () => new TransformStream({ transform: "x" }),
  () => new TransformStream({}, { highWaterMark: NaN }),
  () => new TransformStreamDefaultController(),
  () => Object.getOwnPropertyDescriptor(TransformStream.prototype, "readable").get.call({}),
]) {
  try { f(); console.log("no error"); } catch (e) { console.log(e.name + ": " + e.message); }
}
