// new Response(body, init): WebIDL converts the body, then the ResponseInit
// members in lexicographic order (headers, status, statusText), each as it
// is read; then the Fetch steps check status, statusText and the headers.
const log = [];
const r = new Response(
  { toString() { log.push("body"); return "text"; } },
  {
    get statusText() { log.push("statusText"); return "Made"; },
    get status() { log.push("status"); return { valueOf() { log.push("status.valueOf"); return 201; } }; },
    get headers() {
      log.push("headers");
      return { get "X-A"() { log.push("headers.X-A"); return "1"; }, b: { toString() { log.push("headers.b"); return "2"; } } };
    },
  },
);
console.log(log.join(" "));
console.log(r.status, r.statusText, JSON.stringify([...r.headers]), await r.text());

// Inherited members are read too; undefined ones take their defaults.
const proto = { status: 202 };
const inherited = new Response(null, Object.assign(Object.create(proto), { statusText: undefined }));
console.log(inherited.status, JSON.stringify(inherited.statusText));

// A headers record's values are converted with ToString; names keep their order.
const rec = new Response("", { headers: { n: 1, z: null, u: undefined, t: true, o: { toString: () => "obj" }, l: "caf\u00e9" } });
console.log(JSON.stringify([...rec.headers]));
console.log(JSON.stringify([...new Response("", { headers: [["a", 1], ["b", { toString: () => " padded " }]] }).headers]));
console.log(JSON.stringify([...new Response("", { headers: new Headers({ c: "3" }) }).headers]));

// status is an unsigned short: truncated, modulo 2^16, NaN as 0.
for (const s of [200.9, "204", 65736, -65336]) console.log(String(s), new Response(null, { status: s }).status);

// Names and values are converted before any check: the conversion runs
// every getter, then the first invalid name throws.
const seen = [];
try {
  new Response("", { headers: { "bad name": "x", get b() { seen.push("b"); return "y"; } } });
} catch (e) {
  console.log(seen.join(), e.constructor.name + ": " + e.message);
}

for (const f of [
  () => new Response("", { status: 600 }),
  () => new Response("", { status: NaN }),
  () => new Response("", { status: 199 }),
  // The status is checked before the headers are filled...
  () => new Response("", { status: 700, headers: { "bad name": "x" } }),
  () => new Response("", { status: 700, headers: [["a"]] }),
  // ...but a ByteString fails its conversion, before the status check.
  () => new Response("", { status: 700, headers: { "a\u0101": "x" } }),
  () => new Response("", { headers: { a: "\u0101" } }),
  () => new Response("", { headers: { a: Symbol("s") } }),
  () => new Response("", { headers: [["a"]] }),
  () => new Response("", { headers: [["a", "1", "2"]] }),
  () => new Response("", { headers: { a: "x\ny" } }),
  () => new Response("", { statusText: "bad\u0101" }),
  () => new Response("", { statusText: "a\nb" }),
  () => new Response("x", { status: 204 }),
  () => new Response("", { headers: null }),
  () => new Response("", 5),
  () => Response.prototype.clone.call(new Headers()),
]) {
  try {
    f();
    console.log("no error");
  } catch (e) {
    console.log(e.constructor.name + ": " + e.message);
  }
}
console.log(new Response("", { statusText: "caf\u00e9\tok" }).statusText, new Response(null, { status: 204 }).status);
