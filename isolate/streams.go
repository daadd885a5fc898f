package isolate

import (
	"strconv"

	"github.com/dop251/goja"
)

// streamGlobals are the globals js/streams.js defines (WHATWG Streams).
var streamGlobals = []string{
	"ReadableStream", "ReadableStreamDefaultReader", "ReadableStreamBYOBReader",
	"ReadableStreamDefaultController", "ReadableByteStreamController", "ReadableStreamBYOBRequest",
	"WritableStream", "WritableStreamDefaultWriter", "WritableStreamDefaultController",
	"TransformStream", "TransformStreamDefaultController",
	"ByteLengthQueuingStrategy", "CountQueuingStrategy",
}

// installStreams provides the natives js/streams.js needs: ArrayBuffer
// transfer and detach checks (goja has no ArrayBuffer.prototype.transfer)
// and concatenation of body chunks.
func installStreams(in *instance) error {
	set := func(name string, fn func(goja.FunctionCall) goja.Value) {
		_ = in.internal.Set(name, fn)
	}
	set("transferBuffer", func(fc goja.FunctionCall) goja.Value {
		ab, ok := fc.Argument(0).Export().(goja.ArrayBuffer)
		if !ok {
			in.throwType("streams: expected an ArrayBuffer")
		}
		if ab.Detached() {
			in.throwType("streams: the ArrayBuffer is detached")
		}
		b := ab.Bytes()
		ab.Detach()
		return in.vm.ToValue(in.vm.NewArrayBuffer(b))
	})
	set("isDetached", func(fc goja.FunctionCall) goja.Value {
		ab, ok := fc.Argument(0).Export().(goja.ArrayBuffer)
		return in.vm.ToValue(ok && ab.Detached())
	})
	set("concatBytes", func(fc goja.FunctionCall) goja.Value {
		arr, ok := fc.Argument(0).(*goja.Object)
		if !ok {
			in.throwType("streams: expected an array of chunks")
		}
		n := int(arr.Get("length").ToInteger())
		parts := make([][]byte, 0, n)
		total := int64(0)
		for i := 0; i < n; i++ {
			o, ok := arr.Get(strconv.Itoa(i)).(*goja.Object)
			var b []byte
			if ok {
				b, ok = in.viewBytes(o)
			}
			if !ok {
				in.throwType("body: stream chunks must be Uint8Array")
			}
			total += int64(len(b))
			if total > in.limits.MemoryLimit {
				in.throwRange("body: the stream's data exceeds the memory limit (" + strconv.FormatInt(in.limits.MemoryLimit>>20, 10) + " MiB)")
			}
			parts = append(parts, b)
		}
		out := make([]byte, 0, total)
		for _, p := range parts {
			out = append(out, p...)
		}
		return in.newUint8Array(out)
	})
	return nil
}

// transformWrapper is embedded in the state of a class whose instances
// wrap a TransformStream driven from Go (TextEncoderStream,
// TextDecoderStream, CompressionStream, DecompressionStream).
type transformWrapper struct {
	props
	ts *goja.Object // the TransformStream doing the work
}

func (w *transformWrapper) wrapper() *transformWrapper { return w }

// transformer is such a class's side of its TransformStream:
// transform(chunk, controller), flush(controller) and, when not nil,
// cancel(reason).
type transformer struct {
	transform, flush, cancel func(goja.FunctionCall) goja.Value
}

// defineTransformClass defines name, a class whose instances wrap a
// TransformStream: construct makes an instance's state and its transformer
// from the constructor's arguments. members, when not nil, adds the
// class's own members to the prototype (this is the brand check they
// use); readable, writable and Symbol.toStringTag follow.
func defineTransformClass[S interface {
	hostState
	wrapper() *transformWrapper
}](in *instance, name string, length int, construct func(fc goja.ConstructorCall) (S, transformer), members func(p *goja.Object, this func(goja.Value) S)) {
	in.ensure("ReadableStream")
	newTS := in.streamHook("newTransformStream")
	sides := in.streamHook("transformSides")
	_, p := in.nativeClass(name, length, func(fc goja.ConstructorCall) hostState {
		st, t := construct(fc)
		cancel := goja.Undefined()
		if t.cancel != nil {
			cancel = in.vm.ToValue(t.cancel)
		}
		ts, err := newTS(goja.Undefined(), in.vm.ToValue(t.transform), in.vm.ToValue(t.flush), cancel)
		if err != nil {
			panic(err)
		}
		st.wrapper().ts = ts.(*goja.Object)
		return st
	})
	this := func(v goja.Value) S {
		st, ok := in.stateOf(v).(S)
		if !ok {
			in.throwType("Illegal invocation: not a " + name)
		}
		return st
	}
	if members != nil {
		members(p, this)
	}
	side := func(i int) func(goja.FunctionCall) goja.Value {
		return func(fc goja.FunctionCall) goja.Value {
			pair, err := sides(goja.Undefined(), this(fc.This).wrapper().ts)
			if err != nil {
				panic(err)
			}
			return pair.(*goja.Object).Get([]string{"0", "1"}[i])
		}
	}
	in.getter(p, "readable", side(0))
	in.getter(p, "writable", side(1))
	in.toStringTag(p, name)
}
