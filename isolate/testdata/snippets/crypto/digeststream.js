const hex = (b) => Array.from(new Uint8Array(b), (x) => x.toString(16).padStart(2, "0")).join("");
const unhex = (s) => new Uint8Array(s.match(/../g).map((h) => parseInt(h, 16)));
const ascii = (s) => new Uint8Array(Array.from(s, (c) => c.charCodeAt(0)));
const check = (label, got, want) => console.log(label, got === want ? "ok" : "MISMATCH " + got);
const fails = async (label, p) => {
  try {
    await p;
    console.log(label, "resolved");
  } catch (e) {
    console.log(label, "->", e.name + ":", e.message);
  }
};
// crypto.DigestStream (workerd): hash a stream as it is written.
const { DigestStream } = crypto;
console.log(typeof DigestStream, crypto.DigestStream === DigestStream, new DigestStream("SHA-256") instanceof WritableStream);
const ds = new DigestStream("SHA-256");
const w = ds.getWriter();
await w.write(ascii("a"));
await w.write(new Uint8Array([98]).buffer);
await w.write("c");
await w.close();
check("SHA-256 of abc in three chunks", hex(await ds.digest), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
// Piped from a ReadableStream, as a request or response body would be.
const body = new ReadableStream({
  start(c) {
    for (let i = 0; i < 10; i++) c.enqueue(new Uint8Array(1000).fill(i));
    c.close();
  },
});
const piped = new DigestStream({ name: "SHA-512" });
await body.pipeTo(piped);
const all = new Uint8Array(10000).map((_, j) => Math.floor(j / 1000));
check("pipeTo equals digest()", hex(await piped.digest), hex(await crypto.subtle.digest("SHA-512", all)));
const md5 = new DigestStream("MD5");
const mw = md5.getWriter();
await mw.write(ascii("abc"));
await mw.close();
check("MD5 (RFC 1321)", hex(await md5.digest), "900150983cd24fb0d6963f7d28e17f72");
const empty = new DigestStream("SHA-1");
await empty.getWriter().close();
check("empty SHA-1", hex(await empty.digest), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
const aborted = new DigestStream("SHA-256");
await aborted.abort(new Error("stop"));
await fails("aborted", aborted.digest);
const bad = new DigestStream("SHA-256");
const bw = bad.getWriter();
await fails("a number chunk", bw.write(42));
await fails("digest after a bad chunk", bad.digest);
const failsNow = (label, f) => {
  try {
    f();
    console.log(label, "did not throw");
  } catch (e) {
    console.log(label, "->", e.name + ":", e.message);
  }
};
failsNow("unknown algorithm", () => new DigestStream("SHA-3"));
failsNow("no argument", () => new DigestStream());
