// Streams as Request/Response bodies.
const bytes = (s) => { const b = new Uint8Array(s.length); for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i); return b; };
const chunks = (...parts) => new ReadableStream({ start(c) { for (const p of parts) c.enqueue(bytes(p)); c.close(); } });

const r1 = new Response(chunks("hel", "lo ", "world"));
console.log("body is the stream:", r1.body instanceof ReadableStream, "bodyUsed", r1.bodyUsed);
console.log(await r1.text(), "bodyUsed", r1.bodyUsed);
try { await r1.text(); } catch (e) { console.log("second read:", e.name); }

// A string body read through .body.
const r2 = new Response("abc");
const reader = r2.body.getReader();
console.log("r2 body locked:", r2.body.locked, "bodyUsed", r2.bodyUsed);
const { value, done } = await reader.read();
console.log(value instanceof Uint8Array, value.length, done, "bodyUsed", r2.bodyUsed);
console.log("after end:", (await reader.read()).done);
try { await r2.arrayBuffer(); } catch (e) { console.log("read of a locked body:", e.name); }

// Empty and null bodies.
console.log("null body:", new Response(null).body, "empty:", (await new Response("").body.getReader().read()).done);

// clone() tees a stream body: both sides read everything.
const r3 = new Response(chunks("one ", "two"));
const c3 = r3.clone();
console.log(await r3.text(), "|", await c3.text());

// Request with a stream body.
const req = new Request("https://example.com/", { method: "POST", body: chunks('{"a":', "1}") });
console.log("request json", JSON.stringify(await req.json()));

// Chunks must be Uint8Array.
const bad = new Response(new ReadableStream({ start(c) { c.enqueue("text"); c.close(); } }));
try { await bad.text(); } catch (e) { console.log("string chunk:", e.name, e.message); }

// The incoming request's body (none here).
console.log("incoming body", request.body, request.bodyUsed);

// bytes() and arrayBuffer() through a stream.
const u8 = await new Response(chunks("xy", "z")).bytes();
console.log(u8.constructor.name, u8.length, String.fromCharCode(...u8));
const ab = await new Response(chunks("12")).arrayBuffer();
console.log(ab.constructor.name, ab.byteLength);

// A locked or read-from stream cannot become a body.
const lockedStream = chunks("x");
lockedStream.getReader();
try { new Response(lockedStream); } catch (e) { console.log("locked body:", e.name, e.message); }
const readFrom = chunks("a", "b");
const rr = readFrom.getReader();
await rr.read();
rr.releaseLock();
try { new Request("https://x/", { method: "POST", body: readFrom }); } catch (e) { console.log("disturbed body:", e.name, e.message); }
