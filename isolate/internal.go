package isolate

import (
	"unicode/utf8"

	"github.com/dop251/goja"
)

// intrinsics are language builtins natives use. The typed-array
// constructors are captured when the memory guard wraps them, before any
// user code runs; the rest are looked up on first use (looking a builtin up
// costs goja microseconds, and most runtimes never need most of them), so a
// script that replaces one of these globals before that first use affects
// only its own runtime.
type intrinsics struct {
	uint8Array       *goja.Object
	arrayBuffer      *goja.Object
	errorCtor        *goja.Object
	rangeError       *goja.Object
	url              *goja.Object
	urlSearchParams  *goja.Object
	arrayValues      goja.Callable
	isView           goja.Callable
	jsonParse        goja.Callable
	jsonStringify    goja.Callable
	reflectConstruct goja.Callable
	objectProto      *goja.Object
	builtinProtos    map[string]*goja.Object
}

// builtin returns a global's value as the language defines it.
func (in *instance) builtin(name string) *goja.Object {
	o, _ := in.vm.Get(name).(*goja.Object)
	if o == nil {
		panic(in.vm.NewTypeError("isolate: builtin " + name + " is missing"))
	}
	return o
}

// objectProto is Object.prototype.
func (in *instance) objectProto() *goja.Object {
	if in.intr.objectProto == nil {
		in.intr.objectProto = in.builtinProto("Object")
	}
	return in.intr.objectProto
}

// builtinProto returns a builtin constructor's prototype (Map.prototype...).
func (in *instance) builtinProto(name string) *goja.Object {
	if p, ok := in.intr.builtinProtos[name]; ok {
		return p
	}
	if in.intr.builtinProtos == nil {
		in.intr.builtinProtos = map[string]*goja.Object{}
	}
	p, _ := in.builtin(name).Get("prototype").(*goja.Object)
	in.intr.builtinProtos[name] = p
	return p
}

func (in *instance) method0(obj *goja.Object, name string) goja.Callable {
	fn, ok := goja.AssertFunction(obj.Get(name))
	if !ok {
		panic(in.vm.NewTypeError("isolate: builtin method " + name + " is missing"))
	}
	return fn
}

func (in *instance) errorCtor() *goja.Object {
	if in.intr.errorCtor == nil {
		in.intr.errorCtor = in.builtin("Error")
	}
	return in.intr.errorCtor
}

func (in *instance) jsonParse() goja.Callable {
	if in.intr.jsonParse == nil {
		in.intr.jsonParse = in.method0(in.builtin("JSON"), "parse")
	}
	return in.intr.jsonParse
}

func (in *instance) jsonStringify() goja.Callable {
	if in.intr.jsonStringify == nil {
		in.intr.jsonStringify = in.method0(in.builtin("JSON"), "stringify")
	}
	return in.intr.jsonStringify
}

func (in *instance) arrayValues() goja.Callable {
	if in.intr.arrayValues == nil {
		in.intr.arrayValues = in.method0(in.builtin("Array").Get("prototype").(*goja.Object), "values")
	}
	return in.intr.arrayValues
}

func (in *instance) isView() goja.Callable {
	if in.intr.isView == nil {
		in.intr.isView = in.method0(in.intr.arrayBuffer, "isView")
	}
	return in.intr.isView
}

func (in *instance) reflectConstruct() goja.Callable {
	if in.intr.reflectConstruct == nil {
		in.intr.reflectConstruct = in.method0(in.builtin("Reflect"), "construct")
	}
	return in.intr.reflectConstruct
}

// protos are the prototypes of the host-backed classes, for objects the
// host makes (the incoming Request, Response.json()...).
type protos struct {
	blob         *goja.Object
	file         *goja.Object
	formData     *goja.Object
	headers      *goja.Object
	searchParams *goja.Object
	request      *goja.Object
	response     *goja.Object
	ctx          *goja.Object
}

// installInternal puts the natives the globals' JS shares on in.internal.
func installInternal(in *instance) error {
	vm := in.vm
	set := func(name string, fn func(goja.FunctionCall) goja.Value) {
		_ = in.internal.Set(name, fn)
	}
	_ = in.internal.Set("kState", in.kState)
	_ = in.internal.Set("kCall", in.kCall)
	set("encodeUTF8", func(c goja.FunctionCall) goja.Value {
		return in.newUint8Array([]byte(c.Argument(0).String()))
	})
	set("decodeUTF8", func(c goja.FunctionCall) goja.Value {
		b, ok := c.Argument(0).Export().([]byte)
		if !ok {
			panic(vm.NewTypeError("decodeUTF8: expected a Uint8Array"))
		}
		return vm.ToValue(decodeUTF8(b))
	})
	return nil
}

// newUint8Array wraps b (not copied) in a Uint8Array.
func (in *instance) newUint8Array(b []byte) goja.Value {
	ab := in.vm.NewArrayBuffer(b)
	u8, err := in.vm.New(in.intr.uint8Array, in.vm.ToValue(ab))
	if err != nil {
		panic(err)
	}
	return u8
}

// decodeUTF8 decodes b as the WHATWG UTF-8 decoder does: a leading BOM is
// dropped and every invalid sequence becomes U+FFFD.
func decodeUTF8(b []byte) string {
	if len(b) >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF {
		b = b[3:]
	}
	if utf8.Valid(b) {
		return string(b)
	}
	out := make([]rune, 0, len(b))
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		out = append(out, r)
		b = b[n:]
	}
	return string(out)
}

// installJSHelpers gives the globals' JS that builds on other globals
// internal.ensure(name), which installs a global by name (abort.js builds on
// EventTarget, whatever the script put under that name), and
// internal.domException(name, message). They are installed by the first
// global that needs them, not with every runtime.
func installJSHelpers(in *instance) {
	if in.internal.Get("ensure") != nil {
		return
	}
	_ = in.internal.Set("ensure", func(c goja.FunctionCall) goja.Value {
		in.ensure(c.Argument(0).String())
		return goja.Undefined()
	})
	_ = in.internal.Set("domException", func(c goja.FunctionCall) goja.Value {
		return in.domException(c.Argument(0).String(), c.Argument(1).String())
	})
}

// installReportError gives the globals' JS internal.reportError(e, where).
func installReportError(in *instance) error {
	return in.internal.Set("reportError", func(fc goja.FunctionCall) goja.Value {
		in.reportError(fc.Argument(0), fc.Argument(1).String())
		return goja.Undefined()
	})
}

// reportError logs an exception that nothing can catch any more (thrown by
// an event listener, a FinalizationRegistry callback...): the request goes
// on, as the platform's "report the exception" says.
func (in *instance) reportError(v goja.Value, where string) {
	se := in.valueError(v)
	id := ""
	if in.cur != nil {
		id = in.cur.req.ID
	}
	in.log.Error("uncaught exception in "+where, "request_id", id, "error", se.Error(), "stack", se.Stack)
}

// typeErr makes a TypeError for natives to throw (panic with) or reject with.
func (in *instance) typeErr(msg string) *goja.Object {
	return in.vm.NewTypeError(msg)
}

// rangeErr makes a RangeError.
func (in *instance) rangeErr(msg string) *goja.Object {
	if in.intr.rangeError == nil {
		in.intr.rangeError = in.builtin("RangeError")
	}
	obj, err := in.vm.New(in.intr.rangeError, in.vm.ToValue(msg))
	if err != nil {
		panic(err)
	}
	return obj
}

// resolved is Promise.resolve(v): v itself when it is a promise, else a
// promise that adopts it (following thenables).
func (in *instance) resolved(v goja.Value) *goja.Object {
	if obj, ok := v.(*goja.Object); ok {
		if _, ok := obj.Export().(*goja.Promise); ok {
			return obj
		}
	}
	p, resolve, _ := in.vm.NewPromise()
	_ = resolve(v)
	return in.vm.ToValue(p).(*goja.Object)
}
