package goja

import "testing"

// Benchmarks of async functions and await, as edgefn's handlers use them.
// Each iteration is one top-level call whose promise jobs run before it
// returns (Runtime.leave).

func benchAsync(b *testing.B, src string) {
	r := New()
	v, err := r.RunString(src)
	if err != nil {
		b.Fatal(err)
	}
	fn, _ := AssertFunction(v)
	b.ReportAllocs()
	for b.Loop() {
		res, err := fn(nil)
		if err != nil {
			b.Fatal(err)
		}
		if p, ok := res.(*Object).self.(*Promise); !ok || p.State() != PromiseStateFulfilled {
			b.Fatal("promise not fulfilled", res)
		}
	}
}

func BenchmarkAsyncCall(b *testing.B) {
	benchAsync(b, `(async function f() { return 1; })`)
}

func BenchmarkAwaitNull(b *testing.B) {
	benchAsync(b, `(async function f() { await null; return 1; })`)
}

func BenchmarkAwaitPromise(b *testing.B) {
	benchAsync(b, `(async function f() { await Promise.resolve(1); return 1; })`)
}

func BenchmarkAwaitAsyncCall(b *testing.B) {
	benchAsync(b, `(function () { async function g() { return 1; } return async function f() { return await g(); }; })()`)
}

func BenchmarkAwaitLoop10(b *testing.B) {
	benchAsync(b, `(async function f() { let s = 0; for (let i = 0; i < 10; i++) s += await i; return s; })`)
}

func BenchmarkPromiseThen(b *testing.B) {
	benchAsync(b, `(function f() { return Promise.resolve(1).then((v) => v + 1); })`)
}

func BenchmarkSyncCall(b *testing.B) {
	r := New()
	v, err := r.RunString(`(function f() { return 1; })`)
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
