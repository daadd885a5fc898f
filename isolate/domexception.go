package isolate

import "github.com/dop251/goja"

// domException makes a DOMException (js/domexception.js) with the name and
// message, for natives to throw or reject with.
func (in *instance) domException(name, msg string) *goja.Object {
	in.ensure("DOMException")
	ctor, _ := in.internal.Get("DOMException").(*goja.Object)
	if ctor == nil {
		panic(in.typeErr("isolate: DOMException is missing"))
	}
	obj, err := in.vm.New(ctor, in.vm.ToValue(msg), in.vm.ToValue(name))
	if err != nil {
		panic(err)
	}
	return obj
}
