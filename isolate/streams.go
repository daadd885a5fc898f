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
