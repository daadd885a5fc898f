const c = new CountQueuingStrategy({ highWaterMark: 3 });
console.log(c.highWaterMark, c.size(), c.size === new CountQueuingStrategy({ highWaterMark: 1 }).size, c.size.name);
const b = new ByteLengthQueuingStrategy({ highWaterMark: 1024 });
console.log(b.highWaterMark, b.size(new Uint8Array(10)), b.size.name);

// A byte-length strategy drives desiredSize.
let ctl;
new ReadableStream({ start(x) { ctl = x; } }, new ByteLengthQueuingStrategy({ highWaterMark: 16 }));
ctl.enqueue(new Uint8Array(10));
console.log("desiredSize", ctl.desiredSize);
ctl.enqueue(new Uint8Array(10));
console.log("desiredSize", ctl.desiredSize);

// A custom size that returns nonsense errors the stream.
let ctl2;
const rs = new ReadableStream({ start(x) { ctl2 = x; } }, { size() { return -1; } });
try { ctl2.enqueue("a"); } catch (e) { console.log(e.name + ": " + e.message); }
try { await rs.getReader().read(); } catch (e) { console.log("stream errored:", e.name); }

for (const f of [
  () => new CountQueuingStrategy(),
  () => new CountQueuingStrategy({}),
  () => new ByteLengthQueuingStrategy(5),
  () => new ReadableStream({}, { highWaterMark: -1 }),
  () => new ReadableStream({}, { size: 5 }),
  () => Object.getOwnPropertyDescriptor(CountQueuingStrategy.prototype, "highWaterMark").get.call({}),
]) {
  try { f(); console.log("no error"); } catch (e) { console.log(e.name + ": " + e.message); }
}
