// pipeTo with its options, pipeThrough, and tee.
const sink = (arr, extra = {}) => new WritableStream({ write(c) { arr.push(c); }, ...extra });

const a = [];
await ReadableStream.from([1, 2, 3]).pipeTo(sink(a));
console.log("piped", a.join(","));

// preventClose leaves the destination open.
const ws = new WritableStream();
await ReadableStream.from(["x"]).pipeTo(ws, { preventClose: true });
const w = ws.getWriter();
await w.write("still open");
console.log("destination still writable:", w.desiredSize);

// A source error aborts the destination unless preventAbort.
let abortedWith;
const failing = () => new ReadableStream({ start(c) { c.enqueue(1); c.error(new Error("source broke")); } });
try { await failing().pipeTo(sink([], { abort(r) { abortedWith = r.message; } })); } catch (e) { console.log("pipe rejected:", e.message, "dest aborted with:", abortedWith); }
abortedWith = undefined;
try { await failing().pipeTo(sink([], { abort(r) { abortedWith = r; } }), { preventAbort: true }); } catch (e) { console.log("preventAbort:", e.message, "dest aborted:", abortedWith); }

// A destination error cancels the source unless preventCancel.
let cancelledWith;
const src = () => new ReadableStream({ pull(c) { c.enqueue("v"); }, cancel(r) { cancelledWith = r.message; } });
try { await src().pipeTo(new WritableStream({ write() { throw new Error("sink broke"); } })); } catch (e) { console.log("pipe rejected:", e.message, "source cancelled with:", cancelledWith); }
cancelledWith = undefined;
const keep = src();
try { await keep.pipeTo(new WritableStream({ write() { throw new Error("sink broke"); } }), { preventCancel: true }); } catch (e) { console.log("preventCancel:", e.message, "source cancelled:", cancelledWith, "locked:", keep.locked); }

// Locked streams cannot be piped.
const locked = ReadableStream.from([1]);
locked.getReader();
try { await locked.pipeTo(new WritableStream()); } catch (e) { console.log("locked source:", e.name, e.message); }
try { await ReadableStream.from([1]).pipeTo({}); } catch (e) { console.log("bad destination:", e.name, e.message); }
try { ReadableStream.from([1]).pipeThrough({ readable: 1, writable: 2 }); } catch (e) { console.log("bad transform:", e.name, e.message); }
try { await ReadableStream.from([1]).pipeTo(new WritableStream(), { signal: {} }); } catch (e) { console.log("bad signal:", e.name, e.message); }

// tee: both branches see every chunk; cancelling one keeps the other going.
const [b1, b2] = ReadableStream.from(["p", "q", "r"]).tee();
const r1 = [], r2 = [];
await Promise.all([b1.pipeTo(sink(r1)), b2.pipeTo(sink(r2))]);
console.log("tee", r1.join(""), r2.join(""));
let sourceCancel;
const [c1, c2] = new ReadableStream({ pull(c) { c.enqueue("z"); }, cancel(r) { sourceCancel = r; } }).tee();
// A branch's cancel() settles only once both branches are cancelled.
const one = c1.cancel("one");
const c2r = c2.getReader();
console.log("after one cancel, source cancelled:", sourceCancel, "other reads", (await c2r.read()).value);
await Promise.all([one, c2r.cancel("two")]);
console.log("both cancelled, source got", JSON.stringify(sourceCancel));

// Byte stream tee gives byte streams with their own copies.
const bytes = new ReadableStream({ type: "bytes", start(c) { c.enqueue(new Uint8Array([7, 8])); c.close(); } });
const [x, y] = bytes.tee();
const xr = x.getReader({ mode: "byob" });
const xv = await xr.read(new Uint8Array(4));
const yv = await y.getReader().read();
console.log("byte tee", Array.from(xv.value).join(","), Array.from(yv.value).join(","), xv.value.buffer !== yv.value.buffer);
