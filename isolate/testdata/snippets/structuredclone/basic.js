const show = (v) => console.log(Object.prototype.toString.call(v), typeof v === "object" && v !== null ? JSON.stringify(v) : String(v));
// Primitives come back as they are.
for (const v of [undefined, null, true, 0, -0, NaN, "s", 12n]) {
  const c = structuredClone(v);
  console.log(typeof c, Object.is(c, v));
}
// Wrappers, Date, RegExp.
const w = structuredClone([new Boolean(false), new Number(3), new String("str"), Object(5n)]);
console.log(w.map((x) => typeof x + ":" + Object.prototype.toString.call(x) + ":" + x.valueOf()).join(" "));
const d = new Date(Date.UTC(2024, 1, 29, 12));
const dc = structuredClone(d);
console.log(dc instanceof Date, dc !== d, dc.toISOString(), isNaN(structuredClone(new Date(NaN))));
const re = /a+b/giu;
re.lastIndex = 3;
const rc = structuredClone(re);
console.log(rc instanceof RegExp, rc !== re, String(rc), rc.lastIndex);
// Plain objects and arrays; prototypes and non-enumerable or symbol keys are dropped.
class Point { constructor() { this.x = 1; this.y = 2; } get sum() { return this.x + this.y; } }
const o = { a: 1, nested: { b: [1, 2, { c: "deep" }] }, point: new Point(), [Symbol("s")]: 1, "with space": true };
Object.defineProperty(o, "hidden", { value: 1, enumerable: false });
const oc = structuredClone(o);
console.log(JSON.stringify(oc), oc.point instanceof Point, Object.getPrototypeOf(oc.point) === Object.prototype, "hidden" in oc);
const sparse = [1, , 3];
sparse.extra = "x";
const sc = structuredClone(sparse);
console.log(sc.length, 1 in sc, sc.extra, Array.isArray(sc));
const proto = structuredClone({ ["__proto__"]: 5 });
console.log(Object.getPrototypeOf(proto) === Object.prototype, Object.keys(structuredClone(JSON.parse('{"__proto__": {"x": 1}}'))).join());
// Map and Set, with object keys.
const key = { k: 1 };
const m = new Map([[key, "v"], ["s", new Set([1, key])]]);
const mc = structuredClone(m);
const [k2] = mc.keys();
console.log(mc instanceof Map, mc.size, k2 !== key, JSON.stringify(k2), mc.get("s") instanceof Set, mc.get("s").has(k2));
// Cycles and shared references keep their shape.
const cyc = { name: "root" };
cyc.self = cyc;
const shared = { s: 1 };
cyc.list = [shared, shared];
const cc = structuredClone(cyc);
console.log(cc.self === cc, cc.list[0] === cc.list[1], cc.list[0] !== shared);
// ArrayBuffer, typed arrays and DataView; views over one buffer share the clone.
const buf = new ArrayBuffer(8);
const u8 = new Uint8Array(buf, 2, 4);
u8.set([1, 2, 3, 4]);
const dv = new DataView(buf, 1, 3);
const bc = structuredClone({ buf, u8, dv, f64: new Float64Array([1.5, -2]), big: new BigInt64Array([5n]) });
console.log(bc.buf.byteLength, Array.from(bc.u8).join(","), bc.u8.byteOffset, bc.u8.buffer === bc.buf, bc.dv instanceof DataView, bc.dv.byteOffset, bc.dv.byteLength, bc.dv.buffer === bc.buf);
console.log(Array.from(bc.f64).join(","), bc.big[0], bc.buf !== buf, new Uint8Array(buf)[2]);
// Errors keep their type, message and stack.
const errs = structuredClone([new TypeError("bad type"), new RangeError("range"), new Error("plain"), new DOMException("gone", "NotFoundError"), Object.assign(new Error("x"), { name: "CustomError" })]);
console.log(errs.map((e) => (e instanceof Error) + ":" + e.name + ":" + e.message).join(" "), errs[3] instanceof DOMException, errs[3].code, typeof errs[0].stack);
// Blob and File.
const f = structuredClone(new File(["hello"], "a.txt", { type: "text/plain", lastModified: 42 }));
console.log(f instanceof File, f.name, f.type, f.lastModified, await f.text(), await structuredClone(new Blob(["b"])).text());
// transfer moves an ArrayBuffer: the original is detached.
const t = new Uint8Array([9, 8, 7]);
const moved = structuredClone({ t }, { transfer: [t.buffer] });
console.log(Array.from(moved.t).join(","), t.buffer.byteLength, t.length, moved.t.buffer.byteLength);
// Getters run and their values are cloned.
console.log(JSON.stringify(structuredClone({ get g() { return { v: 1 }; } })));
// What cannot be cloned: DataCloneError, nothing is transferred.
const keep = new ArrayBuffer(4);
for (const [label, f] of [
  ["function", () => structuredClone({ a: { b: [1, () => 1] } })],
  ["symbol", () => structuredClone(Symbol("x"))],
  ["symbol object", () => structuredClone(Object(Symbol("x")))],
  ["promise", () => structuredClone({ p: Promise.resolve() })],
  ["weakmap", () => structuredClone(new WeakMap())],
  ["proxy", () => structuredClone(new Proxy({}, {}))],
  ["request", () => structuredClone(new Request("https://example.com/"))],
  ["headers", () => structuredClone({ h: new Headers() })],
  ["event target", () => structuredClone(new EventTarget())],
  ["abort signal", () => structuredClone(new AbortController().signal)],
  ["stream", () => structuredClone(new ReadableStream())],
  ["in a map", () => structuredClone(new Map([["k", () => 1]]))],
  ["fails after transfer", () => structuredClone([keep, () => 1], { transfer: [keep] })],
  ["transfer twice", () => structuredClone(keep, { transfer: [keep, keep] })],
  ["transfer a view", () => structuredClone(1, { transfer: [new Uint8Array(1)] })],
  ["transfer a detached buffer", () => structuredClone(1, { transfer: [t.buffer] })],
  ["transfer not iterable", () => structuredClone(1, { transfer: 5 })],
  ["options", () => structuredClone(1, 5)],
  ["no argument", () => structuredClone()],
]) {
  try { f(); console.log(label, "-> no error"); } catch (e) { console.log(label, "->", e.name + (e.code ? " (" + e.code + ")" : "") + ": " + e.message); }
}
console.log("keep intact:", keep.byteLength);
// Deep nesting is bounded.
let deep = {};
for (let i = 0; i < 6000; i++) deep = { deep };
try { structuredClone(deep); } catch (e) { console.log(e.name + ": " + e.message.slice(0, 80)); }
