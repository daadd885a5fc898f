package isolate

import (
	"unicode/utf8"

	"github.com/dop251/goja"
)

// textEncoderState is a TextEncoder's state: it has none, but instances
// are host objects so that the brand checks of its members work.
type textEncoderState struct{ props }

// installTextEncoder defines TextEncoder (WHATWG Encoding: UTF-8 only).
func installTextEncoder(in *instance) error {
	vm := in.vm
	_, p := in.nativeClass("TextEncoder", 0, func(goja.ConstructorCall) hostState { return &textEncoderState{} })
	this := func(v goja.Value) {
		if _, ok := in.stateOf(v).(*textEncoderState); !ok {
			in.throwType("Illegal invocation: not a TextEncoder")
		}
	}
	in.getter(p, "encoding", func(fc goja.FunctionCall) goja.Value {
		this(fc.This)
		return vm.ToValue("utf-8")
	})
	in.method(p, "encode", 0, func(fc goja.FunctionCall) goja.Value {
		this(fc.This)
		s := ""
		if v := fc.Argument(0); !goja.IsUndefined(v) {
			// String() of a goja string is its USVString: a lone surrogate
			// becomes U+FFFD, as encode() requires.
			s = v.String()
		}
		return in.newUint8Array([]byte(s))
	})
	in.method(p, "encodeInto", 2, func(fc goja.FunctionCall) goja.Value {
		this(fc.This)
		if len(fc.Arguments) < 2 {
			in.throwType("TextEncoder.encodeInto: 2 arguments required (source, destination), but only " + itoa(len(fc.Arguments)) + " present")
		}
		src := fc.Argument(0).String()
		dst, ok := fc.Argument(1).(*goja.Object)
		if !ok || !vm.InstanceOf(dst, in.intr.uint8Array) {
			in.throwType("TextEncoder.encodeInto: the destination must be a Uint8Array, got " + describeValue(vm, fc.Argument(1)))
		}
		buf, _ := dst.Export().([]byte)
		read, written := encodeInto(src, buf)
		res := vm.NewObject()
		_ = res.Set("read", read)
		_ = res.Set("written", written)
		return res
	})
	in.toStringTag(p, "TextEncoder")
	return nil
}

// encodeInto writes as many whole code points of src (UTF-8) as fit into
// dst and returns the UTF-16 code units read and the bytes written.
func encodeInto(src string, dst []byte) (read, written int) {
	for _, r := range src {
		n := utf8.RuneLen(r)
		if n < 0 {
			r, n = utf8.RuneError, 3
		}
		if written+n > len(dst) {
			break
		}
		utf8.EncodeRune(dst[written:], r)
		written += n
		read++
		if r > 0xFFFF {
			read++ // a surrogate pair in JS
		}
	}
	return read, written
}
