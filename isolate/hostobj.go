package isolate

import (
	"reflect"
	"strings"

	"github.com/dop251/goja"
)

// props is embedded in the Go state structs of host-backed JS objects
// (Request, Response, Headers...) and makes them goja DynamicObjects: a
// Response made by `new Response()` *is* its Go state, with no JS-side
// property map to fill (a tenth of the cost of an ordinary object with a
// hidden property). props holds the string-keyed own properties scripts add
// (itty-router sets request.params). Such objects cannot hold symbol-keyed or
// accessor own properties: instances of subclasses (class X extends Request)
// are ordinary objects instead, with the state behind a per-runtime symbol.
type props struct {
	keys []string
	vals map[string]goja.Value
}

func (p *props) Get(k string) goja.Value {
	if p.vals == nil {
		return nil
	}
	return p.vals[k]
}

func (p *props) Set(k string, v goja.Value) bool {
	if p.vals == nil {
		p.vals = make(map[string]goja.Value)
	}
	if _, ok := p.vals[k]; !ok {
		p.keys = append(p.keys, k)
	}
	p.vals[k] = v
	return true
}

func (p *props) Has(k string) bool {
	_, ok := p.vals[k]
	return ok
}

func (p *props) Delete(k string) bool {
	if _, ok := p.vals[k]; ok {
		delete(p.vals, k)
		for i, key := range p.keys {
			if key == k {
				p.keys = append(p.keys[:i], p.keys[i+1:]...)
				break
			}
		}
	}
	return true
}

func (p *props) Keys() []string { return p.keys }

// hostState is a Go state struct behind a host-backed object.
type hostState interface {
	goja.DynamicObject
	isHostState()
}

func (*props) isHostState() {}

// attach stores st as obj's hidden state (for ordinary objects: subclass
// instances).
func (in *instance) attach(obj *goja.Object, st hostState) {
	_ = obj.SetSymbol(in.kState, in.vm.NewDynamicObject(st))
}

// stateOf returns the state behind v, or nil when v has none.
func (in *instance) stateOf(v goja.Value) any {
	obj, ok := v.(*goja.Object)
	if !ok {
		return nil
	}
	if obj == in.lastHost {
		return in.lastState
	}
	if t := obj.ExportType(); t != nil && t.Kind() == reflect.Pointer {
		if st, ok := obj.Export().(hostState); ok {
			return st
		}
		return nil
	}
	s, ok := obj.GetSymbol(in.kState).(*goja.Object)
	if !ok {
		return nil
	}
	st, _ := s.Export().(hostState)
	return st
}

// newHost makes a host-backed object with the prototype.
func (in *instance) newHost(proto *goja.Object, st hostState) *goja.Object {
	obj := in.vm.NewDynamicObject(st)
	_ = obj.SetPrototype(proto)
	in.lastHost, in.lastState = obj, st
	return obj
}

// nativeClass defines a class implemented in Go: construct builds the
// state from the constructor's arguments. It returns the constructor and
// its prototype. (goja gives a native constructor no way to tell a call
// without new from `new X()`, so the former constructs too.)
func (in *instance) nativeClass(name string, length int, construct func(fc goja.ConstructorCall) hostState) (*goja.Object, *goja.Object) {
	var ctor *goja.Object
	proto := in.vm.NewObject()
	// The constructor makes its own object (NewNativeClass: no instance is
	// made beforehand to be thrown away): a host object for `new X()`, an
	// ordinary one with the state attached for a subclass's super().
	ctor = in.vm.NewNativeClass(func(args []goja.Value, newTarget *goja.Object) *goja.Object {
		st := construct(goja.ConstructorCall{Arguments: args, NewTarget: newTarget})
		if newTarget == nil || newTarget == ctor {
			return in.newHost(proto, st)
		}
		p, ok := newTarget.Get("prototype").(*goja.Object)
		if !ok {
			p = proto
		}
		obj := in.vm.CreateObject(p)
		in.attach(obj, st)
		return obj
	}, name, length, proto)
	_ = in.vm.GlobalObject().DefineDataProperty(name, ctor, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	_ = in.internal.Set(name, ctor)
	return ctor, proto
}

// native makes fn a JS function with a name and length, as a builtin has.
// goja names a Go func after its symbol ("github.com/edgefn/edgefn/isolate.
// installTimers.func1"), which scripts would read and stack traces show.
func (in *instance) native(name string, length int, fn func(goja.FunctionCall) goja.Value) *goja.Object {
	f := in.vm.ToValue(fn).(*goja.Object)
	_ = f.DefineDataProperty("name", in.vm.ToValue(name), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	_ = f.DefineDataProperty("length", in.vm.ToValue(length), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	return f
}

// method defines a native method on a prototype, non-enumerable as class
// methods are.
func (in *instance) method(proto *goja.Object, name string, length int, fn func(goja.FunctionCall) goja.Value) {
	_ = proto.DefineDataProperty(name, in.native(name, length, fn), goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
}

// renameNatives gives the functions on obj that a library made from Go
// funcs (named after their Go symbols) the names of their properties, as
// builtins are named: "append", "get href", "set href".
func (in *instance) renameNatives(obj *goja.Object) {
	describe, _ := goja.AssertFunction(in.builtin("Object").Get("getOwnPropertyDescriptor"))
	rename := func(f goja.Value, name string) {
		fo, ok := f.(*goja.Object)
		if !ok || fo == nil {
			return
		}
		if n := fo.Get("name"); n != nil && isGoSymbol(n.String()) {
			_ = fo.DefineDataProperty("name", in.vm.ToValue(name), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
		}
	}
	for _, key := range obj.GetOwnPropertyNames() {
		d, err := describe(goja.Undefined(), obj, in.vm.ToValue(key))
		if err != nil {
			continue
		}
		desc, ok := d.(*goja.Object)
		if !ok {
			continue
		}
		for _, part := range []struct{ field, prefix string }{{"value", ""}, {"get", "get "}, {"set", "set "}} {
			if v := desc.Get(part.field); v != nil {
				rename(v, part.prefix+key)
			}
		}
	}
}

// isGoSymbol reports whether a function name is a Go symbol goja made up.
func isGoSymbol(name string) bool {
	return strings.Contains(name, "/") || strings.Contains(name, ".func")
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
	panic(in.typeErr(msg))
}

// throwRange panics with a RangeError.
func (in *instance) throwRange(msg string) {
	panic(in.rangeErr(msg))
}
