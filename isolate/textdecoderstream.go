package isolate

import (
	"github.com/dop251/goja"
)

// textDecoderStreamState is a TextDecoderStream's state.
type textDecoderStreamState struct {
	transformWrapper
	dec *textDecoder
}

// installTextDecoderStream defines TextDecoderStream: a TransformStream
// from bytes to strings, decoded natively.
func installTextDecoderStream(in *instance) error {
	defineTransformClass(in, "TextDecoderStream", 0, func(fc goja.ConstructorCall) (*textDecoderStreamState, transformer) {
		enc, fatal, ignoreBOM := in.decoderArgs("TextDecoderStream", fc.Argument(0), fc.Argument(1))
		st := &textDecoderStreamState{dec: newTextDecoder(enc, fatal, ignoreBOM)}
		emit := func(c goja.Value, s string, err error) {
			if err != nil {
				panic(in.typeErr("TextDecoderStream: " + err.Error()))
			}
			if s != "" {
				in.callMethod(c, "enqueue", in.vm.ToValue(s))
			}
		}
		transform := func(fc goja.FunctionCall) goja.Value {
			b, ok := in.bufferSource(fc.Argument(0))
			if !ok {
				in.throwType("TextDecoderStream: chunks must be ArrayBuffer or ArrayBuffer views, got " + describeValue(in.vm, fc.Argument(0)))
			}
			s, err := st.dec.decode(b, false)
			emit(fc.Argument(1), s, err)
			return goja.Undefined()
		}
		flush := func(fc goja.FunctionCall) goja.Value {
			s, err := st.dec.decode(nil, true)
			emit(fc.Argument(0), s, err)
			return goja.Undefined()
		}
		return st, transformer{transform: transform, flush: flush}
	}, func(p *goja.Object, this func(goja.Value) *textDecoderStreamState) {
		in.getter(p, "encoding", func(fc goja.FunctionCall) goja.Value { return in.vm.ToValue(this(fc.This).dec.encoding) })
		in.getter(p, "fatal", func(fc goja.FunctionCall) goja.Value { return in.vm.ToValue(this(fc.This).dec.fatal) })
		in.getter(p, "ignoreBOM", func(fc goja.FunctionCall) goja.Value { return in.vm.ToValue(this(fc.This).dec.ignoreBOM) })
	})
	return nil
}

// bufferSource returns the bytes of an ArrayBuffer or ArrayBuffer view
// (not copied).
func (in *instance) bufferSource(v goja.Value) ([]byte, bool) {
	obj, ok := v.(*goja.Object)
	if !ok {
		return nil, false
	}
	if ab, ok := obj.Export().(goja.ArrayBuffer); ok {
		return ab.Bytes(), true
	}
	return in.viewBytes(obj)
}

// callMethod calls obj[name](args...), throwing what it throws.
func (in *instance) callMethod(obj goja.Value, name string, args ...goja.Value) goja.Value {
	o, ok := obj.(*goja.Object)
	if !ok {
		in.throwType("isolate: " + name + ": not an object")
	}
	fn, ok := goja.AssertFunction(o.Get(name))
	if !ok {
		in.throwType("isolate: " + name + " is not a function")
	}
	r, err := fn(o, args...)
	if err != nil {
		panic(err)
	}
	return r
}

// truthy is ToBoolean of a property value (nil when absent).
func truthy(v goja.Value) bool { return v != nil && v.ToBoolean() }
