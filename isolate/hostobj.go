package isolate

import (
	"github.com/dop251/goja"
)

// hidden is embedded in the Go state structs of host-backed JS objects
// (Request, Response, Headers...). The state is kept behind a per-runtime
// symbol as a DynamicObject with no properties: scripts can neither read nor
// change it, and the instances themselves stay ordinary JS objects (own
// properties, symbols and accessors all work on them).
type hidden struct{}

func (hidden) Get(string) goja.Value       { return nil }
func (hidden) Set(string, goja.Value) bool { return false }
func (hidden) Has(string) bool             { return false }
func (hidden) Delete(string) bool          { return false }
func (hidden) Keys() []string              { return nil }

// attach stores st as obj's hidden state.
func (in *instance) attach(obj *goja.Object, st goja.DynamicObject) {
	_ = obj.DefineDataPropertySymbol(in.kState, in.vm.NewDynamicObject(st), goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_FALSE)
}

// stateOf returns the hidden state of v, or nil when v has none.
func (in *instance) stateOf(v goja.Value) any {
	obj, ok := v.(*goja.Object)
	if !ok {
		return nil
	}
	s, ok := obj.GetSymbol(in.kState).(*goja.Object)
	if !ok {
		return nil
	}
	return s.Export()
}

// newHost makes an ordinary object with the prototype and hidden state.
func (in *instance) newHost(proto *goja.Object, st goja.DynamicObject) *goja.Object {
	obj := in.vm.CreateObject(proto)
	in.attach(obj, st)
	return obj
}

// method defines a native method on a prototype, non-enumerable as class
// methods are.
func (in *instance) method(proto *goja.Object, name string, length int, fn func(goja.FunctionCall) goja.Value) {
	f := in.vm.ToValue(fn).(*goja.Object)
	_ = f.DefineDataProperty("name", in.vm.ToValue(name), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	_ = f.DefineDataProperty("length", in.vm.ToValue(length), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	_ = proto.DefineDataProperty(name, f, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
}

// getter defines a native accessor (getter only) on a prototype.
func (in *instance) getter(proto *goja.Object, name string, fn func(goja.FunctionCall) goja.Value) {
	f := in.vm.ToValue(fn).(*goja.Object)
	_ = f.DefineDataProperty("name", in.vm.ToValue("get "+name), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	_ = proto.DefineAccessorProperty(name, f, nil, goja.FLAG_TRUE, goja.FLAG_FALSE)
}

// toStringTag sets a prototype's Symbol.toStringTag.
func (in *instance) toStringTag(proto *goja.Object, tag string) {
	_ = proto.DefineDataPropertySymbol(goja.SymToStringTag, in.vm.ToValue(tag), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
}

// throwType panics with a TypeError (goja throws it into the script).
func (in *instance) throwType(msg string) {
	panic(in.newError(in.intr.typeError, msg))
}

// throwRange panics with a RangeError.
func (in *instance) throwRange(msg string) {
	panic(in.newError(in.intr.rangeError, msg))
}

// classProto returns the prototype of the class a global's JS defined and
// registered on internal under name.
func (in *instance) classProto(name string) *goja.Object {
	cls, _ := in.internal.Get(name).(*goja.Object)
	if cls == nil {
		panic("isolate: class " + name + " is not defined")
	}
	return cls.Get("prototype").(*goja.Object)
}
