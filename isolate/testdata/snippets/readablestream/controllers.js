// The default and byte controllers side by side: start, pull, cancel and
// releaseLock behave alike for both.
for (const type of [undefined, "bytes"]) {
  const tag = type === "bytes" ? "bytes" : "default";
  const chunk = () => new Uint8Array([1, 2]);

  // start rejecting errors the stream; start throwing throws from the
  // constructor.
  const failedStart = new ReadableStream({ type, start() { return Promise.reject(new Error("start failed")); } });
  const r1 = failedStart.getReader();
  await r1.read().then(() => console.log(tag, "read resolved"), (e) => console.log(tag, "read:", e.message));
  await r1.closed.catch((e) => console.log(tag, "closed:", e.message));
  try {
    new ReadableStream({ type, start() { throw new Error("start threw"); } });
  } catch (e) {
    console.log(tag, "constructor:", e.message);
  }

  // No pull before start settles; then one at a time, a pull asked for
  // meanwhile runs once the current one settles.
  let pulls = 0;
  let release, pulledAll;
  const gate = new Promise((r) => { release = r; });
  const done = new Promise((r) => { pulledAll = r; });
  const log = [];
  const paced = new ReadableStream({
    type,
    start() { log.push("start"); return gate.then(() => log.push("started")); },
    pull(c) {
      pulls++;
      log.push("pull " + pulls);
      if (pulls > 3) { c.close(); if (type === "bytes" && c.byobRequest) c.byobRequest.respond(0); pulledAll(); return; }
      // Enqueueing while pulling asks for another pull at once.
      c.enqueue(chunk());
      log.push("desired " + c.desiredSize);
      if (c.desiredSize <= 0) pulledAll();
      return new Promise((r) => setTimeout(r, 1));
    },
  }, { highWaterMark: 4 });
  await Promise.resolve();
  log.push("before release: " + pulls + " pulls");
  release();
  // Wait for the pulls to fill the queue or close the stream (not a fixed
  // delay, which a loaded machine could outrun), then a few timer turns
  // in which no extra pull may come.
  await done;
  await new Promise((r) => setTimeout(r, 5));
  log.push("before reading: " + pulls + " pulls");
  const r2 = paced.getReader();
  let n = 0;
  for (;;) {
    const { value, done } = await r2.read();
    if (done) break;
    n += value.byteLength;
  }
  console.log(tag, log.join(" | "), "bytes", n);

  // pull rejecting errors the stream with its reason.
  const failedPull = new ReadableStream({ type, pull() { return Promise.reject(new TypeError("pull failed")); } });
  await failedPull.getReader().read().then(() => console.log(tag, "read resolved"), (e) => console.log(tag, "pull:", e.name, e.message));
  const throwingPull = new ReadableStream({ type, pull() { throw new RangeError("pull threw"); } });
  await throwingPull.getReader().read().then(() => console.log(tag, "read resolved"), (e) => console.log(tag, "pull:", e.name, e.message));

  // cancel reaches the source with the reason; a rejecting cancel rejects.
  const cancelled = new ReadableStream({ type, cancel(reason) { console.log(tag, "source cancel:", reason); } });
  console.log(tag, "cancel result:", await cancelled.cancel("why"));
  const badCancel = new ReadableStream({ type, cancel() { throw new Error("cancel threw"); } });
  await badCancel.cancel().catch((e) => console.log(tag, "cancel:", e.message));

  // releaseLock with a read pending rejects the read; the stream can be
  // locked again.
  const idle = new ReadableStream({ type });
  const readers = type === "bytes" ? [() => idle.getReader({ mode: "byob" }), () => idle.getReader()] : [() => idle.getReader()];
  for (const get of readers) {
    const r = get();
    const pending = r instanceof ReadableStreamBYOBReader ? r.read(new Uint8Array(4)) : r.read();
    r.releaseLock();
    await pending.catch((e) => console.log(tag, String(r).slice(8, -1), "pending read:", e.name, e.message));
    await r.closed.catch((e) => console.log(tag, "closed after release:", e.name, e.message));
    console.log(tag, "locked after release:", idle.locked);
    r.releaseLock();
  }
}
