// Async generators and for await (esbuild lowers both for goja).
async function* countdown(n) {
  while (n > 0) {
    await new Promise((r) => setTimeout(r, 1));
    yield n--;
  }
  return "liftoff";
}
const seen = [];
for await (const n of countdown(3)) seen.push(n);
console.log(seen.join(","));
const g = countdown(1);
console.log(JSON.stringify(await g.next()), JSON.stringify(await g.next()), JSON.stringify(await g.next()));
// for await over promises, a sync iterable, a stream, and an object with Symbol.asyncIterator.
const vals = [];
for await (const v of [Promise.resolve(1), 2, Promise.resolve(3)]) vals.push(v);
console.log(vals.join(","), typeof Symbol.asyncIterator, Symbol.asyncIterator === Symbol.for("Symbol.asyncIterator"));
const chunks = [];
for await (const c of new Blob(["ab", "cd"]).stream().pipeThrough(new TextDecoderStream())) chunks.push(c);
console.log(chunks.join(""));
const custom = {
  [Symbol.asyncIterator]() {
    let i = 0;
    return { next: async () => (i < 2 ? { value: i++, done: false } : { value: undefined, done: true }) };
  },
};
const got = [];
for await (const v of custom) got.push(v);
console.log(got.join(","));
// Streams are async iterables of the same symbol.
console.log(typeof ReadableStream.prototype[Symbol.asyncIterator]);
const rs = ReadableStream.from(countdown(2));
const fromGen = [];
for await (const v of rs) fromGen.push(v);
console.log(fromGen.join(","));
// break runs the generator's finally; throw reaches its catch.
async function* guarded() {
  try { yield 1; yield 2; } finally { console.log("cleanup ran"); }
}
for await (const v of guarded()) { console.log("got", v); break; }
async function* failing() { yield 1; throw new Error("generator failed"); }
try { for await (const v of failing()) console.log("value", v); } catch (e) { console.log("caught:", e.message); }
// Class fields named get and set (Hono declares them) work.
class Ctx { get = (k) => this.#m.get(k); set = (k, v) => this.#m.set(k, v); #m = new Map(); static set = "s"; }
const c = new Ctx(); c.set("k", "v");
console.log(c.get("k"), Ctx.set);
