// Wrong arguments and states give the spec's error types.
const tries = [
  () => new ReadableStream(5),
  () => new ReadableStream({ start: 1 }),
  () => new ReadableStream({}, 5),
  () => new ReadableStreamDefaultReader({}),
  () => new ReadableStreamDefaultController(),
  () => new ReadableByteStreamController(),
  () => new ReadableStreamBYOBRequest(),
  () => ReadableStream.prototype.getReader.call({}),
  () => Object.getOwnPropertyDescriptor(ReadableStream.prototype, "locked").get.call({}),
  () => new ReadableStream().getReader({ mode: "nope" }),
  () => { const s = new ReadableStream(); s.getReader(); s.getReader(); },
  () => { const s = new ReadableStream(); s.getReader(); s.tee(); },
  () => { const s = new ReadableStream(); s.getReader(); s.values(); },
  () => ReadableStream.from(5),
  () => ReadableStream.from(null),
  () => { let c; new ReadableStream({ start(x) { c = x; } }); c.close(); c.enqueue(1); },
  () => { let c; new ReadableStream({ start(x) { c = x; } }); c.close(); c.close(); },
];
for (const f of tries) {
  try { f(); console.log("no error"); } catch (e) { console.log(e.name + ": " + e.message); }
}
const asyncTries = [
  () => ReadableStream.prototype.cancel.call({}),
  () => { const s = new ReadableStream(); s.getReader(); return s.cancel(); },
  () => { const s = new ReadableStream(); const r = s.getReader(); r.releaseLock(); return r.read(); },
  () => { const s = new ReadableStream(); const r = s.getReader(); r.releaseLock(); return r.closed; },
  () => new ReadableStream({ start() { throw new SyntaxError("start failed"); } }).getReader().read(),
  () => new ReadableStream({ pull() { return Promise.reject(new URIError("pull failed")); } }).getReader().read(),
];
for (const f of asyncTries) {
  try { await f(); console.log("no error"); } catch (e) { console.log(e.name + ": " + e.message); }
}
// Releasing a reader with a pending read rejects that read.
const s = new ReadableStream();
const r = s.getReader();
const pending = r.read();
r.releaseLock();
try { await pending; } catch (e) { console.log("pending read:", e.name + ": " + e.message); }
// cancel() resolves and closes readers.
let reason;
const cs = new ReadableStream({ cancel(x) { reason = x; } });
const cr = cs.getReader();
const pr = cr.read();
await cr.cancel("bye");
console.log("cancelled with", reason, JSON.stringify(await pr));
