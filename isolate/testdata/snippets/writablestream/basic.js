// A sink with a slow write: backpressure through desiredSize and ready.
const log = [];
let release;
const ws = new WritableStream({
  start() { log.push("start"); },
  write(chunk) {
    log.push("write " + chunk);
    if (chunk === "slow") return new Promise((r) => { release = r; });
  },
  close() { log.push("close"); },
}, new CountQueuingStrategy({ highWaterMark: 2 }));
console.log(String(ws), ws.locked);
const w = ws.getWriter();
console.log("locked", ws.locked, "desiredSize", w.desiredSize);
await w.ready;
const p1 = w.write("slow");
const p2 = w.write("b");
console.log("desiredSize after 2 writes", w.desiredSize);
const p3 = w.write("c");
console.log("desiredSize after 3 writes", w.desiredSize);
let readyResolved = false;
w.ready.then(() => { readyResolved = true; });
await null; await null;
console.log("ready while full:", readyResolved);
release();
await Promise.all([p1, p2, p3]);
console.log("ready after drain:", readyResolved, "desiredSize", w.desiredSize);
await w.close();
await w.closed;
console.log(log.join(", "));
try { await w.write("late"); } catch (e) { console.log("write after close:", e.name); }
w.releaseLock();
console.log("locked", ws.locked);

// abort() rejects pending writes and calls the sink's abort.
let aborted;
const ws2 = new WritableStream({
  write() { return new Promise(() => {}); },
  abort(r) { aborted = r; },
});
const w2 = ws2.getWriter();
const pending = w2.write("x");
pending.catch(() => {});
const queued = w2.write("y");
const ab = w2.abort("stop");
for (const [name, p] of [["queued write", queued], ["closed", w2.closed]]) {
  try { await p; console.log(name, "resolved"); } catch (e) { console.log(name, "rejected with", e); }
}
console.log("abort resolved", await ab, "sink got", aborted);

// A sink that errors makes later writes fail with its error.
const ws3 = new WritableStream({ write(c) { if (c === 2) throw new RangeError("no twos"); } });
const w3 = ws3.getWriter();
await w3.write(1);
try { await w3.write(2); } catch (e) { console.log("write 2:", e.name, e.message); }
try { await w3.write(3); } catch (e) { console.log("write 3:", e.name, e.message); }
try { await w3.closed; } catch (e) { console.log("closed:", e.message); }

// controller.error() from the sink.
let ctl;
const ws4 = new WritableStream({ start(c) { ctl = c; } });
const w4 = ws4.getWriter();
ctl.error(new Error("sink failed"));
try { await w4.write("a"); } catch (e) { console.log("after controller.error:", e.message, "desiredSize", w4.desiredSize); }

// Errors.
for (const f of [
  () => ws.getWriter() && ws.getWriter(),
  () => new WritableStream({ type: "bytes" }),
  () => new WritableStream({ write: 1 }),
  () => new WritableStream({}, { highWaterMark: -1 }),
  () => new WritableStreamDefaultWriter({}),
  () => WritableStream.prototype.getWriter.call({}),
  () => new WritableStreamDefaultController(),
]) {
  try { f(); console.log("no error"); } catch (e) { console.log(e.name + ": " + e.message); }
}
const locked = new WritableStream();
locked.getWriter();
try { await locked.close(); } catch (e) { console.log("close a locked stream:", e.name, e.message); }
try { await locked.abort(); } catch (e) { console.log("abort a locked stream:", e.name, e.message); }
