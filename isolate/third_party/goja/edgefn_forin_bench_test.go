package goja

import "testing"

// Benchmarks of for-in loops (edgefn patch 20): each iteration is one call
// of a function that loops over the objects it closes over.

func benchForIn(b *testing.B, src string) {
	r := New()
	v, err := r.RunString(src)
	if err != nil {
		b.Fatal(err)
	}
	fn, _ := AssertFunction(v)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := fn(nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkForInRecord copies a record of four headers, as a handler
// building a Response's headers does.
func BenchmarkForInRecord(b *testing.B) {
	benchForIn(b, `
	const h = { "content-type": "text/plain", "cache-control": "no-store", "x-request-id": "r", vary: "accept" };
	(function () { const out = {}; for (const k in h) out[k] = h[k]; return out; })`)
}

// BenchmarkForInEmpty tests an empty object for any key, as Hono's body
// cache does.
func BenchmarkForInEmpty(b *testing.B) {
	benchForIn(b, `
	const e = {};
	(function () { for (const k in e) return k; })`)
}

// BenchmarkForInInstance walks a class instance: own fields, and two
// prototypes holding only methods.
func BenchmarkForInInstance(b *testing.B) {
	benchForIn(b, `
	class A { m() {} n() {} }
	class B extends A { x = 1; y = 2; z = 3; o() {} }
	const o = new B();
	(function () { let n = 0; for (const k in o) n++; return n; })`)
}
