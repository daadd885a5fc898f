package goja

import (
	"testing"
)

// TestNewNativeClass (patch 14): a constructor made by NewNativeClass sees
// the newTarget `new` gives it (the class, a derived class through
// super(), nil without new), makes no instance of its own beforehand, and
// has the prototype/constructor/name/length properties of one made with
// ToValue(func(ConstructorCall) *Object).
func TestNewNativeClass(t *testing.T) {
	vm := New()
	proto := vm.NewObject()
	var targets []string
	var ctor *Object
	ctor = vm.NewNativeClass(func(args []Value, newTarget *Object) *Object {
		switch {
		case newTarget == nil:
			targets = append(targets, "nil")
		case newTarget == ctor:
			targets = append(targets, "C")
		default:
			targets = append(targets, newTarget.Get("name").String())
		}
		p := proto
		if newTarget != nil {
			p = newTarget.Get("prototype").(*Object)
		}
		obj := vm.CreateObject(p)
		_ = obj.Set("arg", len(args))
		return obj
	}, "C", 1, proto)
	old := vm.ToValue(func(fc ConstructorCall) *Object { return nil }).(*Object)
	_ = vm.Set("C", ctor)
	_ = vm.Set("Old", old)
	_, err := vm.RunString(`
	function check(cond, msg) { if (!cond) throw new Error(msg); }
	function desc(o, k) { const d = Object.getOwnPropertyDescriptor(o, k); return [d.writable, d.enumerable, d.configurable].join(); }
	const a = new C(1, 2);
	check(a instanceof C && a.arg === 2, "new C");
	check(Object.getPrototypeOf(a) === C.prototype, "prototype of new C");
	class D extends C { constructor() { super(7); this.own = true; } }
	const d = new D();
	check(d instanceof D && d instanceof C && d.own && d.arg === 1, "super()");
	const b = C(3);
	check(b instanceof C, "a call without new constructs");
	check(C.prototype.constructor === C, "prototype.constructor");
	check(C.name === "C" && C.length === 1, "name and length");
	check(desc(C, "prototype") === desc(Old, "prototype"), "prototype descriptor " + desc(C, "prototype") + " vs " + desc(Old, "prototype"));
	check(desc(C.prototype, "constructor") === desc(Old.prototype, "constructor"), "constructor descriptor");
	check(desc(C, "name") === desc(Old, "name") && desc(C, "length") === desc(Old, "length"), "name/length descriptors");
	check(typeof C === "function" && Object.getPrototypeOf(C) === Function.prototype, "a function");
	`)
	if err != nil {
		t.Fatal(err)
	}
	if got := targets; len(got) != 3 || got[0] != "C" || got[1] != "D" || got[2] != "nil" {
		t.Fatalf("newTargets %v, want [C D nil]", got)
	}
}

// TestNewNativeClassAllocs: `new C()` allocates only what ctor does (the
// object it returns), where ToValue's constructor makes an instance first.
func TestNewNativeClassAllocs(t *testing.T) {
	vm := New()
	proto := vm.NewObject()
	ret := vm.CreateObject(proto)
	ctor := vm.NewNativeClass(func(args []Value, newTarget *Object) *Object { return ret }, "C", 0, proto)
	old := vm.ToValue(func(fc ConstructorCall) *Object { return ret }).(*Object)
	count := func(c *Object) float64 {
		return testing.AllocsPerRun(200, func() {
			if _, err := vm.New(c); err != nil {
				t.Fatal(err)
			}
		})
	}
	if n, o := count(ctor), count(old); n >= o {
		t.Fatalf("new C() made %v allocations, ToValue's constructor %v: want fewer", n, o)
	}
}
