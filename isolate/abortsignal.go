package isolate

import (
	"time"

	"github.com/dop251/goja"
)

// installAbort gives js/abort.js (AbortController, AbortSignal) the timer
// behind AbortSignal.timeout: a request timer like setTimeout's (it ends
// with the request), but not one a script can clear or replace.
func installAbort(in *instance) error {
	installJSHelpers(in)
	return in.internal.Set("abortTimer", func(fc goja.FunctionCall) goja.Value {
		c := in.timerCall("AbortSignal.timeout")
		fn, _ := goja.AssertFunction(fc.Argument(1))
		ms := fc.Argument(0).ToFloat()
		in.startTimer(c, time.Duration(ms*float64(time.Millisecond)), &jsTimer{fn: fn})
		return goja.Undefined()
	})
}

// isAbortSignal reports whether v is an AbortSignal.
func (in *instance) isAbortSignal(v goja.Value) bool {
	in.ensure("AbortSignal")
	r, err := in.internalFn("isAbortSignal")(goja.Undefined(), v)
	return err == nil && r.ToBoolean()
}

// followSignal runs fn(reason) when the AbortSignal sig aborts, without a
// listener a script could see or remove; fn runs at once when sig is already
// aborted. The returned function stops following (call it when the work the
// signal could cancel is done, so the signal does not keep fn alive).
func (in *instance) followSignal(sig goja.Value, fn func(reason goja.Value)) (stop func()) {
	in.ensure("AbortSignal")
	cb := in.vm.ToValue(func(fc goja.FunctionCall) goja.Value {
		fn(fc.Argument(0))
		return goja.Undefined()
	})
	r, err := in.internalFn("abortSignalFollow")(goja.Undefined(), sig, cb)
	if err != nil {
		panic(err)
	}
	unfollow, ok := goja.AssertFunction(r)
	if !ok {
		return func() {}
	}
	return func() { _, _ = unfollow(goja.Undefined()) }
}

// abortSignalWith aborts sig with reason (the default AbortError when
// reason is nil), running its algorithms and "abort" listeners.
func (in *instance) abortSignalWith(sig goja.Value, reason goja.Value) {
	if reason == nil {
		reason = goja.Undefined()
	}
	if _, err := in.internalFn("abortSignal")(goja.Undefined(), sig, reason); err != nil {
		panic(err)
	}
}

// internalFn returns one of the functions the globals' JS put on internal.
func (in *instance) internalFn(name string) goja.Callable {
	fn, ok := goja.AssertFunction(in.internal.Get(name))
	if !ok {
		panic(in.typeErr("isolate: internal." + name + " is missing"))
	}
	return fn
}
