package goja

import "github.com/dop251/goja/unistring"

// NewNativeClass (edgefn patch 14) returns a constructor implemented by
// ctor, which makes the instance itself. ToValue(func(ConstructorCall)
// *Object) makes an instance (a property lookup of newTarget's prototype
// and an object) before every call, which a constructor returning its own
// object throws away. newTarget is the constructor for `new C()`, the
// derived class for `super()`, and nil for a call without new. proto
// becomes the constructor's prototype property, with its constructor set
// back, as for a built-in class.
func (r *Runtime) NewNativeClass(ctor func(args []Value, newTarget *Object) *Object, name string, length int, proto *Object) *Object {
	v := &Object{runtime: r}
	f := r.newNativeFuncAndConstruct(v, func(call FunctionCall) Value {
		return ctor(call.Arguments, nil)
	}, func(args []Value, newTarget *Object) *Object {
		if newTarget == nil {
			newTarget = v
		}
		return ctor(args, newTarget)
	}, nil, unistring.NewFromString(name), intToValue(int64(length)))
	f._putProp("prototype", proto, true, false, false)
	proto.self._putProp("constructor", v, true, false, true)
	return v
}
