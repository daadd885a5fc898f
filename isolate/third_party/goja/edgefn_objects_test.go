package goja

// Tests for edgefn patches 15-17 (README.md): objects allocated with their
// Object handle, property storage made with room for the properties to come,
// and a class's private elements kept without a map. The JavaScript in
// TestObjectStorageBehaviour passes on upstream goja unchanged.

import "testing"

func TestObjectStorageBehaviour(t *testing.T) {
	const script = `
	"use strict";
	function same(a, b, msg) {
		const x = JSON.stringify(a), y = JSON.stringify(b);
		if (x !== y) throw new Error(msg + ": got " + x + ", want " + y);
	}
	function check(cond, msg) { if (!cond) throw new Error(msg); }

	// Object literals, small and past a map's first group, with computed
	// keys, integer keys, duplicates, spread and __proto__.
	const k = "dyn";
	const big = { a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7, h: 8, i: 9, j: 10, [k]: 11, 2: "two", 1: "one", a: "again" };
	same(Object.keys(big), ["1", "2", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "dyn"], "big literal keys");
	same(big.a, "again", "a duplicate key keeps the last value");
	const spread = { x: 1, ...big, y: 2 };
	same(Object.keys(spread).length, 15, "spread");
	const proto = { inherited: true };
	const withProto = { __proto__: proto, own: 1 };
	check(Object.getPrototypeOf(withProto) === proto && withProto.inherited, "__proto__ in a literal");
	same(Object.keys(withProto), ["own"], "__proto__ is not an own key");

	// Objects made empty get properties later, in order.
	const empty = {};
	same(Object.keys(empty), [], "empty literal");
	for (let i = 0; i < 20; i++) empty["p" + i] = i;
	same(Object.keys(empty).length, 20, "grown literal");
	same(empty.p19, 19, "grown literal value");
	delete empty.p3;
	check(!("p3" in empty), "delete");
	const bare = Object.create(null);
	check(Object.keys(bare).length === 0 && !("toString" in bare), "Object.create(null)");
	bare.x = 1;
	same(Object.entries(bare), [["x", 1]], "Object.create(null) written");
	const frozen = Object.freeze({});
	try { frozen.x = 1; throw new Error("no throw"); } catch (e) { check(e instanceof TypeError, "frozen empty object: " + e); }

	// Constructors whose instances differ in size from one call to the next.
	class Fields {
		a = 1; b = 2; c = 3; d = 4; e = 5; f = 6; g = 7; h = 8; i = 9; j = 10;
		constructor(extra) { for (let n = 0; n < extra; n++) this["x" + n] = n; }
	}
	for (const extra of [0, 30, 2, 100, 0]) {
		const o = new Fields(extra);
		same(Object.keys(o).length, 10 + extra, "class instance with " + extra + " extra");
		same(Object.keys(o).slice(0, 3), ["a", "b", "c"], "field order");
	}
	function Plain(n) { for (let i = 0; i < n; i++) this["k" + i] = i; }
	Plain.prototype.m = function () { return Object.keys(this).length; };
	same([new Plain(3).m(), new Plain(12).m(), new Plain(1).m(), new Plain(0).m()], [3, 12, 1, 0], "plain constructor");
	function Returns() { this.a = 1; return { other: true }; }
	same(Object.keys(new Returns()), ["other"], "a constructor returning an object");
	same(Object.keys(new Returns()), ["other"], "again");

	// Derived classes and another new.target.
	class Base { base = 1; #hidden = "b"; static hidden(o) { return o.#hidden; } static has(o) { return #hidden in o; } }
	class Derived extends Base { derived = 2; #own = "d"; static own(o) { return o.#own; } static has(o) { return #own in o; } }
	class Deeper extends Derived { deeper = 3; }
	for (let i = 0; i < 3; i++) {
		const o = new Deeper();
		same(Object.keys(o), ["base", "derived", "deeper"], "derived fields");
		same([Base.hidden(o), Derived.own(o)], ["b", "d"], "two classes' private fields on one object");
		check(Base.has(o) && Derived.has(o), "#x in o");
		check(o instanceof Deeper && o instanceof Base, "instanceof");
		const b = new Base();
		check(Base.has(b) && !Derived.has(b), "a base instance has only the base's private fields");
		try { Derived.own(b); throw new Error("no throw"); } catch (e) { check(e instanceof TypeError, "reading a missing private field: " + e); }
	}
	const viaReflect = Reflect.construct(Base, [], Deeper);
	check(Object.getPrototypeOf(viaReflect) === Deeper.prototype, "Reflect.construct new.target");
	same(Object.keys(viaReflect), ["base"], "Reflect.construct runs only Base's fields");

	// A private field added to an object twice throws.
	class Stamp { constructor(o) { return o; } }
	class Stamper extends Stamp { #s = 1; static has(o) { return #s in o; } }
	const target = {};
	new Stamper(target);
	check(Stamper.has(target), "a private field stamped on a plain object");
	try { new Stamper(target); throw new Error("no throw"); } catch (e) { check(e instanceof TypeError, "stamping twice: " + e); }

	// A dense array that turns sparse keeps its elements.
	const arr = [1, 2, 3];
	arr[100000] = 4;
	same([arr.length, arr[0], arr[2], arr[100000], arr[50]], [100001, 1, 3, 4, undefined], "dense to sparse");

	// Functions of every kind still work and keep their names.
	const fns = [function f() {}, () => {}, async function af() {}, async () => {}, function* g() {}, class C {}, { m() {} }.m];
	same(fns.map((f) => typeof f), ["function", "function", "function", "function", "function", "function", "function"], "function kinds");
	same(fns.map((f) => f.name), ["f", "", "af", "", "g", "C", "m"], "function names");
	`
	if _, err := New().RunString(script); err != nil {
		t.Fatal(err)
	}
}

func TestObjectStorageAllocs(t *testing.T) {
	r := New()
	v, err := r.RunString(`
	class Ctx {
		#req; #res; #status = 200;
		a = 1; b = 2; c = 3; d = 4; e = 5; f = 6; g = 7; h = 8; i = 9; j = 10; k = 11; l = 12;
		m = () => this.#status;
	}
	[() => ({}), () => ({ a: 1, b: 2, c: 3 }), () => new Ctx()]`)
	if err != nil {
		t.Fatal(err)
	}
	arr := v.(*Object)
	for i, c := range []struct {
		what string
		max  float64
	}{
		// before patches 15-17: 3 (Object, baseObject, map)
		{"an empty object literal", 1},
		// before: 7 (Object, baseObject, map and its group, three steps of
		// the key list); now the object, the map and its group, the key list
		{"an object literal with three properties", 4},
		// before: 21; now the object, the property map made with room for 13
		// entries (its header, directory, table and groups), the key list,
		// the private elements and their slice, the arrow function and what
		// running the field initialisers costs
		{"a class instance with 13 fields and 3 private ones", 12},
	} {
		mk, _ := AssertFunction(arr.Get(string(rune('0' + i))))
		mk(nil) // the first instance teaches the class its size
		n := testing.AllocsPerRun(100, func() {
			if _, err := mk(nil); err != nil {
				t.Fatal(err)
			}
		})
		if n > c.max {
			t.Errorf("%s: %v allocations, want at most %v", c.what, n, c.max)
		}
	}
}

// Patch 19: strings not boxed again by string methods and property keys,
// `new` of a script class or function without a method value.
func TestNoReboxBehaviour(t *testing.T) {
	const script = `
	"use strict";
	function is(got, want, msg) {
		if (got !== want) throw new Error(msg + ": got " + got + ", want " + want);
	}
	function throwsType(f, msg) {
		try { f(); } catch (e) { if (e instanceof TypeError) return; throw new Error(msg + ": " + e); }
		throw new Error(msg + ": no throw");
	}
	is("http://h/a/b".indexOf("/", 7), 8, "indexOf");
	is(String.prototype.indexOf.call(12345, 3), 2, "indexOf on a number");
	is(String.prototype.indexOf.call({ toString() { return "xyz"; } }, "z"), 2, "indexOf on an object");
	is("é€x".indexOf("x"), 2, "indexOf on a UTF-16 string");
	is(new String("abc").indexOf("c"), 2, "indexOf on a String object");
	throwsType(() => String.prototype.indexOf.call(null, "a"), "indexOf on null");
	throwsType(() => "a".indexOf(Symbol()), "indexOf of a symbol");
	is("a-b-c".split("-").join("+"), "a+b+c", "split");
	is("abc".padStart(5, 12), "12abc", "padStart with a number");
	is("aXbX".replaceAll("X", "."), "a.b.", "replaceAll");
	is(/b(c)/.exec("abc")[1], "c", "regexp exec");
	is("abc".match(/b/).index, 1, "match");
	const o = {}, sym = Symbol("s");
	o["k"] = 1; o[sym] = 2; o[3] = 3;
	is(o.k + o[sym] + o["3"], 6, "property keys");

	class A { constructor(x) { this.x = x; } }
	class B extends A { constructor() { super(7); } }
	function F(y) { this.y = y; }
	is(new A(1).x, 1, "new class");
	is(new B().x, 7, "new derived class");
	is(new F(2).y, 2, "new function");
	function G() { return { other: 1 }; }
	is(new G().other, 1, "new function returning an object");
	let seen;
	class T { constructor() { seen = new.target; } }
	new T();
	is(seen, T, "new.target");
	throwsType(() => new (() => 1)(), "new of an arrow function");
	throwsType(() => new ({ m() {} }).m(), "new of a method");
	throwsType(() => { class C { constructor() {} } C(); }, "class called without new");
	`
	if _, err := New().RunString(script); err != nil {
		t.Fatal(err)
	}
}

func TestNoReboxAllocs(t *testing.T) {
	r := New()
	v, err := r.RunString(`
	class K { constructor() { this.a = 1; } }
	const url = "http://127.0.0.1/hono/users/42";
	[() => url.indexOf("/", 8), () => new K()]`)
	if err != nil {
		t.Fatal(err)
	}
	arr := v.(*Object)
	for i, c := range []struct {
		what string
		max  float64
	}{
		{"indexOf on a primitive string", 0}, // before: 2 (the receiver and the argument boxed again)
		{"new of a class", 4},                // the object, its map and group, its key list; before: 5 with the method value
	} {
		f, _ := AssertFunction(arr.Get(string(rune('0' + i))))
		f(nil)
		n := testing.AllocsPerRun(100, func() {
			if _, err := f(nil); err != nil {
				t.Fatal(err)
			}
		})
		if n > c.max {
			t.Errorf("%s: %v allocations, want at most %v", c.what, n, c.max)
		}
	}
}
