package isolate

import (
	"unicode/utf8"

	"github.com/dop251/goja"
)

// intrinsics are the language's own constructors as they were before user
// code ran: user code may replace the globals, natives must not follow.
type intrinsics struct {
	uint8Array      *goja.Object
	errorCtor       *goja.Object
	typeError       *goja.Object
	rangeError      *goja.Object
	promise         *goja.Object
	url             *goja.Object
	urlSearchParams *goja.Object
	arrayValues     goja.Callable
	isView          goja.Callable
	jsonParse       goja.Callable
	jsonStringify   goja.Callable
}

// protos are the prototypes of the host-backed classes, for objects the
// host makes (the incoming Request, Response.json()...).
type protos struct {
	headers  *goja.Object
	request  *goja.Object
	response *goja.Object
	ctx      *goja.Object
}

// installInternal puts the natives the globals' JS shares on in.internal.
func installInternal(in *instance) error {
	vm := in.vm
	in.intr = intrinsics{
		uint8Array: vm.Get("Uint8Array").(*goja.Object),
		errorCtor:  vm.Get("Error").(*goja.Object),
		typeError:  vm.Get("TypeError").(*goja.Object),
		rangeError: vm.Get("RangeError").(*goja.Object),
		promise:    vm.Get("Promise").(*goja.Object),
	}
	arrayProto := vm.Get("Array").(*goja.Object).Get("prototype").(*goja.Object)
	in.intr.arrayValues, _ = goja.AssertFunction(arrayProto.Get("values"))
	in.intr.isView, _ = goja.AssertFunction(vm.Get("ArrayBuffer").(*goja.Object).Get("isView"))
	jsonObj := vm.Get("JSON").(*goja.Object)
	in.intr.jsonParse, _ = goja.AssertFunction(jsonObj.Get("parse"))
	in.intr.jsonStringify, _ = goja.AssertFunction(jsonObj.Get("stringify"))
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

// newError makes an error object of one of the intrinsic error types, for
// natives to panic with (goja throws it as a JS exception).
func (in *instance) newError(ctor *goja.Object, msg string) *goja.Object {
	obj, err := in.vm.New(ctor, in.vm.ToValue(msg))
	if err != nil {
		panic(err)
	}
	return obj
}
