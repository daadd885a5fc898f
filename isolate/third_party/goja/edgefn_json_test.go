package goja

// Tests for edgefn patch 18 (README.md): JSON.stringify of ordinary objects
// and arrays without a Value per key. The JavaScript in
// TestJSONStringifyBehaviour passes on upstream goja unchanged.

import "testing"

func TestJSONStringifyBehaviour(t *testing.T) {
	const script = `
	"use strict";
	function is(got, want, msg) {
		if (got !== want) throw new Error(msg + ": got " + got + ", want " + want);
	}
	is(JSON.stringify({ b: 1, a: "x", 2: true, 1: null, "é": "ü", "q\"\\\n\u0001\u007f": "\b\t\f\r\u001f" }),
		'{"1":null,"2":true,"b":1,"a":"x","é":"ü","q\\"\\\\\\n\\u0001\u007f":"\\b\\t\\f\\r\\u001f"}', "keys, order, escapes");
	is(JSON.stringify("\ud800x\udc00"), '"\\ud800x\\udc00"', "lone surrogates");
	is(JSON.stringify({ a: [], b: {}, c: [1, [2, {}]], d: undefined, e: () => 1, f: Symbol("s") }),
		'{"a":[],"b":{},"c":[1,[2,{}]]}', "nesting and skipped values");
	is(JSON.stringify([undefined, () => 1, NaN, -0, Infinity]), "[null,null,null,0,null]", "array holes");
	is(JSON.stringify({}), "{}", "empty");
	is(JSON.stringify({ a: undefined }), "{}", "only undefined");
	is(JSON.stringify({ a: 1, b: [1, { c: 2 }] }, null, 2), '{\n  "a": 1,\n  "b": [\n    1,\n    {\n      "c": 2\n    }\n  ]\n}', "indent");
	is(JSON.stringify({ a: undefined, b: 1 }, null, "--"), '{\n--"b": 1\n}', "indent skipping a member");
	is(JSON.stringify({ a: undefined }, null, 2), "{}", "indent, nothing written");

	// toJSON gets the key as a string, for array indexes too.
	const keys = [];
	const tj = { toJSON(k) { keys.push(typeof k + ":" + k); return k; } };
	is(JSON.stringify({ x: tj, y: [tj, tj] }), '{"x":"x","y":["0","1"]}', "toJSON result");
	is(keys.join(","), "string:x,string:0,string:1", "toJSON keys");
	is(JSON.stringify(tj), '""', "toJSON at the top gets the empty key");

	// A replacer function sees the wrapper object as this at the top.
	let top;
	JSON.stringify(5, function (k, v) { if (k === "") top = this; return v; });
	is(JSON.stringify(top), '{"":5}', "replacer's wrapper");
	is(JSON.stringify({ a: 1, b: [1, 2] }, (k, v) => typeof v === "number" ? v * 10 : v), '{"a":10,"b":[10,20]}', "replacer function");
	is(JSON.stringify({ a: 1, b: 2, c: 3 }, ["c", "a"]), '{"c":3,"a":1}', "replacer list");

	// Accessors and non-enumerable properties.
	const acc = { a: 1, get b() { return "got"; } };
	Object.defineProperty(acc, "hidden", { value: 1, enumerable: false });
	is(JSON.stringify(acc), '{"a":1,"b":"got"}', "getter and non-enumerable");

	// Changes made while serializing: a deleted key is left out, a key added
	// is not visited, a changed value is read when its turn comes.
	const o = { first: { toJSON() { delete o.second; o.added = 1; o.third = "changed"; return "f"; } }, second: 2, third: 3 };
	is(JSON.stringify(o), '{"first":"f","third":"changed"}', "mutation during serialization");
	is(JSON.stringify(o), '{"first":"f","third":"changed","added":1}', "after the mutation");
	const arr = [1, { toJSON() { arr.length = 1; return "x"; } }, 3];
	is(JSON.stringify(arr), '[1,"x",null]', "an array's length is read once, its elements in turn");

	// The same object serialized again from inside, and cycles.
	const again = { a: 1, b: { toJSON() { return JSON.stringify(again.inner); } }, inner: { z: 1 } };
	is(JSON.stringify(again), '{"a":1,"b":"{\\"z\\":1}","inner":{"z":1}}', "nested stringify");
	const cyc = { a: 1 };
	cyc.self = cyc;
	try { JSON.stringify(cyc); throw new Error("no throw"); } catch (e) { is(e instanceof TypeError, true, "cycle: " + e); }

	// Exotic objects keep the generic path.
	is(JSON.stringify(new Proxy({ a: 1 }, { get: (t, k) => k === "a" ? "p" : t[k] })), '{"a":"p"}', "proxy");
	is(JSON.stringify(Object.assign(Object.create({ inherited: 1 }), { own: 2 })), '{"own":2}', "inherited keys left out");
	is(JSON.stringify([new String("s"), new Number(1), new Boolean(false)]), '["s",1,false]', "wrappers");
	`
	if _, err := New().RunString(script); err != nil {
		t.Fatal(err)
	}
}

func TestJSONStringifyAllocs(t *testing.T) {
	r := New()
	v, err := r.RunString(`(() => { const o = { id: "42", name: "user42", tags: ["bench", "hono", "edge"], n: 1 }; return () => JSON.stringify(o); })()`)
	if err != nil {
		t.Fatal(err)
	}
	f, _ := AssertFunction(v)
	n := testing.AllocsPerRun(100, func() {
		if _, err := f(nil); err != nil {
			t.Fatal(err)
		}
	})
	// The output buffer's growth and the result string; no Value per key,
	// array index or string quoted, no wrapper object (before: 32; now 5).
	if n > 6 {
		t.Fatalf("JSON.stringify of a small record allocates %v times, want at most 6", n)
	}
}
