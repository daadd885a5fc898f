package isolate

import "github.com/dop251/goja"

// installQueueMicrotask defines queueMicrotask. An exception from the
// callback is reported like an unhandled rejection.
func installQueueMicrotask(in *instance) error {
	vm := in.vm
	fn := func(fc goja.FunctionCall) goja.Value {
		cb, ok := goja.AssertFunction(fc.Argument(0))
		if !ok {
			panic(vm.NewTypeError("queueMicrotask: the callback must be a function"))
		}
		p := in.resolved(goja.Undefined())
		then, _ := goja.AssertFunction(p.Get("then"))
		if _, err := then(p, vm.ToValue(func(goja.FunctionCall) goja.Value {
			if _, err := cb(goja.Undefined()); err != nil {
				panic(err)
			}
			return goja.Undefined()
		})); err != nil {
			panic(err)
		}
		return goja.Undefined()
	}
	return vm.GlobalObject().DefineDataProperty("queueMicrotask", in.native("queueMicrotask", 1, fn), goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
}
