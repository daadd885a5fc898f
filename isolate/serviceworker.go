package isolate

import (
	"github.com/dop251/goja"
)

// installServiceWorker defines addEventListener and removeEventListener on
// the global scope. Only 'fetch' listeners are dispatched; they are
// registered while the script's global scope runs, as in a service worker.
// A listener is a function or an object with handleEvent.
func installServiceWorker(in *instance) error {
	in.ensure("Request")
	vm := in.vm
	check := func(name string, v goja.Value) {
		if _, ok := goja.AssertFunction(v); ok {
			return
		}
		if obj, ok := v.(*goja.Object); ok {
			if _, ok := goja.AssertFunction(obj.Get("handleEvent")); ok {
				return
			}
		}
		panic(vm.NewTypeError(name + ": the listener must be a function or an object with handleEvent()"))
	}
	add := func(fc goja.FunctionCall) goja.Value {
		check("addEventListener", fc.Argument(1))
		if fc.Argument(0).String() != "fetch" {
			return goja.Undefined()
		}
		for _, v := range in.swFetch {
			if v.SameAs(fc.Argument(1)) {
				return goja.Undefined()
			}
		}
		in.swFetch = append(in.swFetch, fc.Argument(1))
		return goja.Undefined()
	}
	remove := func(fc goja.FunctionCall) goja.Value {
		if fc.Argument(0).String() != "fetch" {
			return goja.Undefined()
		}
		for i, v := range in.swFetch {
			if v.SameAs(fc.Argument(1)) {
				in.swFetch = append(in.swFetch[:i], in.swFetch[i+1:]...)
				break
			}
		}
		return goja.Undefined()
	}
	_ = in.internal.Set("swListeners", func(goja.FunctionCall) goja.Value {
		vals := make([]any, len(in.swFetch))
		for i, v := range in.swFetch {
			vals[i] = v
		}
		return vm.NewArray(vals...)
	})
	g := vm.GlobalObject()
	if err := g.DefineDataProperty("addEventListener", in.native("addEventListener", 2, add), goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE); err != nil {
		return err
	}
	return g.DefineDataProperty("removeEventListener", in.native("removeEventListener", 2, remove), goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
}
