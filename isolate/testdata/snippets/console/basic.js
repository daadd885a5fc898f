class Point { constructor() { this.x = 1; this.y = { z: [1, 2, { deep: { deeper: 1 } }] }; } }
class P3 extends Point {}
const cyc = { name: "root", list: [1, "two"] }; cyc.self = cyc;
console.log({ a: 1, s: "str", n: null, u: undefined, big: 10n, neg: -0, f() {}, g: () => 1, k: class K {}, k2: P3, sym: Symbol("s"), [Symbol("key")]: 2, "needs quote": true });
console.log(new Point(), new P3(), cyc);
console.log(new Map([["a", 1], [{ k: 1 }, [2]]]), new Set([1, "x"]), new Uint8Array([1, 2, 3]), new ArrayBuffer(3), [1, , 3], Object.create(null));
console.log(new Date(Date.UTC(2024, 0, 5)), new Date(NaN), /re/g, new Number(3), new String("s"), new Boolean(false), Promise.resolve(4), new Promise(() => {}));
console.log(Array.from({ length: 30 }, (_, i) => i));
console.log({ key1: "a long value string here", key2: "another long value string", key3: "and a third one to break" });
console.log("%s is %d years and %i; %f; %j; %o; %O; %c; %% done", "Bob", 42.5, 42.5, "3.25", { a: [1] }, { b: 2 }, { c: 3 }, "color: red", "extra", 7);
console.log(new URL("https://e.com/p?q=1"), new Headers({ "content-type": "text/plain" }), new URLSearchParams("a=1"));
console.log([new Error("boom")].length, new TypeError("bad").message);
console.count(); console.count(); console.count("x"); console.countReset(); console.count();
console.group("Group"); console.log("inside"); console.group(); console.log("deeper"); console.groupEnd(); console.groupEnd(); console.log("outside");
console.timeLog("nope");
console.time("t");
console.time("t");
console.timeEnd("missing");
// Errors show their stack; nesting and depth limits.
console.log({ err: new RangeError("out of range") }.err.name);
console.log([[[[["deep"]]]]], { a: { b: { c: { d: 1 } } } });
console.log("%o", [1, { x: 1 }]);
console.log("no specifiers", 1, "two", { three: 3 });
console.log("%s", 12n, "%d", 5n);
console.log("%j", (() => { const c = {}; c.c = c; return c; })());
console.log("50%", "literal %x and trailing %");
const many = {};
for (let i = 0; i < 120; i++) many["k" + i] = i;
console.log(Object.keys(many).length, String(console.log).length > 0);
console.assert(1 === 1, "not shown");
console.assert(false, "shown with %s", "format");
console.warn("warned"); console.error("errored"); console.info("info"); console.debug("debug");
console.log(function named() {}, async function af() {}, function* gen() {}, () => {}, class {});
