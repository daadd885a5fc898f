package isolate

import (
	"weak"

	"github.com/dop251/goja"
)

// A goja object is a Go allocation that nothing but the runtime's own
// references keep alive, so Go's weak pointers give WeakRef true weak
// semantics: once a script lets go of the target, a garbage collection
// clears the reference.

// weakRefState is a WeakRef's state (and that of the weak references
// globals' JS holds through internal.weakRef).
type weakRefState struct {
	props
	target weak.Pointer[goja.Object]
}

// deref returns the target, or nil once it was collected. A target read
// is kept alive to the end of the turn (the spec's KeepDuringJob).
func (in *instance) deref(st *weakRefState) *goja.Object {
	obj := st.target.Value()
	if obj != nil {
		in.keep = append(in.keep, obj)
	}
	return obj
}

func (in *instance) newWeakRef(obj *goja.Object) *weakRefState {
	in.keep = append(in.keep, obj)
	return &weakRefState{target: weak.Make(obj)}
}

// installWeakRef defines WeakRef, and internal.weakRef/weakDeref for the
// globals' JS (AbortSignal.any holds its dependent signals weakly).
func installWeakRef(in *instance) error {
	vm := in.vm
	_, p := in.nativeClass("WeakRef", 1, func(fc goja.ConstructorCall) hostState {
		obj, ok := fc.Argument(0).(*goja.Object)
		if !ok {
			in.throwType("WeakRef: the target must be an object, got " + describeValue(vm, fc.Argument(0)))
		}
		return in.newWeakRef(obj)
	})
	in.method(p, "deref", 0, func(fc goja.FunctionCall) goja.Value {
		st, ok := in.stateOf(fc.This).(*weakRefState)
		if !ok {
			in.throwType("Illegal invocation: WeakRef.prototype.deref called on an object that is not a WeakRef")
		}
		if obj := in.deref(st); obj != nil {
			return obj
		}
		return goja.Undefined()
	})
	in.toStringTag(p, "WeakRef")
	_ = in.internal.Set("weakRef", func(fc goja.FunctionCall) goja.Value {
		return vm.NewDynamicObject(in.newWeakRef(fc.Argument(0).(*goja.Object)))
	})
	_ = in.internal.Set("weakDeref", func(fc goja.FunctionCall) goja.Value {
		if obj := in.deref(in.stateOf(fc.Argument(0)).(*weakRefState)); obj != nil {
			return obj
		}
		return goja.Undefined()
	})
	return nil
}
