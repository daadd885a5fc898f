// A default stream: start/pull/cancel, the reader, desiredSize and close.
const log = [];
const rs = new ReadableStream({
  start(c) {
    log.push("start desiredSize=" + c.desiredSize);
    c.enqueue("a");
    log.push("after enqueue desiredSize=" + c.desiredSize);
  },
  pull(c) {
    log.push("pull");
    c.enqueue("b");
    c.close();
  },
  cancel(r) {
    log.push("cancel " + r);
  },
});
console.log(String(rs), rs.locked);
const reader = rs.getReader();
console.log("locked", rs.locked, reader instanceof ReadableStreamDefaultReader);
console.log(JSON.stringify(await reader.read()));
console.log(JSON.stringify(await reader.read()));
console.log(JSON.stringify(await reader.read()));
console.log(JSON.stringify(await reader.read()));
await reader.closed;
console.log("closed");
reader.releaseLock();
console.log("locked", rs.locked);
console.log(log.join("\n"));

// Async iteration, break cancels.
let cancelled;
const counter = new ReadableStream({
  n: 0,
  pull(c) { c.enqueue(this.n++); },
  cancel(r) { cancelled = r; },
});
const seen = [];
for await (const v of counter) {
  seen.push(v);
  if (v === 4) break;
}
console.log("iterated", seen.join(","), "cancelled with", cancelled, "locked", counter.locked);

// ReadableStream.from over arrays, generators and async iterables.
const fromArr = ReadableStream.from([1, Promise.resolve(2), 3]);
const got = [];
for await (const v of fromArr) got.push(v);
console.log("from array", got.join(","));
function* gen() { yield "x"; yield "y"; }
const r2 = ReadableStream.from(gen()).getReader();
console.log("from generator", (await r2.read()).value, (await r2.read()).value, (await r2.read()).done);
const again = ReadableStream.from(ReadableStream.from(["p", "q"]));
const out = [];
for await (const v of again) out.push(v);
console.log("from stream", out.join(""));

// values({preventCancel}) leaves the stream readable.
const keep = ReadableStream.from(["k1", "k2", "k3"]);
for await (const v of keep.values({ preventCancel: true })) {
  console.log("first", v);
  break;
}
const rest = [];
for await (const v of keep) rest.push(v);
console.log("rest", rest.join(","));

// Errors reach the reader.
const bad = new ReadableStream({ start(c) { c.error(new TypeError("boom")); } });
try {
  await bad.getReader().read();
} catch (e) {
  console.log("read rejected:", e.name, e.message);
}
