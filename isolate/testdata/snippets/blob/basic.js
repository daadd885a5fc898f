const b = new Blob(["héllo ", new Uint8Array([0x77, 0x6f]), new Blob(["rld"]), new Uint16Array([0x2121]).buffer], { type: "Text/Plain" });
console.log(String(b), b.size, JSON.stringify(b.type), b instanceof Blob);
console.log(JSON.stringify(await b.text()));
const ab = await b.arrayBuffer();
console.log(ab.constructor.name, ab.byteLength, (await b.bytes()).constructor.name);
// slice with relative indices, and a type.
const s = b.slice(-5, -2, "X/Y");
console.log(JSON.stringify(await s.text()), s.size, s.type, b.slice(3, 1).size, b.slice().size, b.slice(100).size);
// stream() yields the bytes.
let n = 0;
for await (const chunk of b.stream()) n += chunk.length;
console.log("streamed", n);
// Bytes are copied in: changing the source later does not change the Blob.
const src = new Uint8Array([1, 2, 3]);
const copy = new Blob([src]);
src[0] = 9;
console.log("copied", (await copy.bytes())[0]);
// endings: native turns CR and CRLF into LF.
console.log(JSON.stringify(await new Blob(["a\r\nb\rc"], { endings: "native" }).text()));
// Types that are not printable ASCII become "".
console.log(JSON.stringify(new Blob([], { type: "a\u0001b" }).type), new Blob().size, JSON.stringify(new Blob().type));
// Non-string parts are stringified.
console.log(await new Blob([1, null, { toString() { return "x"; } }]).text());
// As a body: the type becomes the content type.
const r = new Response(b);
console.log(r.headers.get("content-type"), (await r.text()).length);
const blob2 = await new Response("data", { headers: { "content-type": "Application/JSON" } }).blob();
console.log(blob2.constructor.name, blob2.type, blob2.size);
// Reading a body twice through the Blob is independent.
const shared = new Blob(["same"]);
const ra = new Response(shared), rb = new Response(shared);
const bytesA = await ra.bytes();
bytesA[0] = 0;
console.log(await rb.text(), await shared.text());

for (const f of [
  () => new Blob("not a sequence"),
  () => new Blob(5),
  () => new Blob([], { endings: "weird" }),
  () => new Blob([], 5),
  () => Blob.prototype.slice.call({}),
  () => Object.getOwnPropertyDescriptor(Blob.prototype, "size").get.call({}),
]) {
  try { f(); console.log("no error"); } catch (e) { console.log(e.name + ": " + e.message); }
}
