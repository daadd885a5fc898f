package isolate

import (
	"strings"

	"github.com/dop251/goja"
)

// blobState is a Blob's state. A Blob is immutable, so its bytes (Go
// memory no script can write) are shared by slices, by bodies made from it
// and by the Files of a parsed form.
type blobState struct {
	props
	data []byte
	typ  string
}

func (b *blobState) blob() *blobState { return b }

// blobber is a Blob or a File.
type blobber interface {
	hostState
	blob() *blobState
}

// blobOf returns the blob behind v, or nil when v is not a Blob.
func (in *instance) blobOf(v goja.Value) *blobState {
	if b, ok := in.stateOf(v).(blobber); ok {
		return b.blob()
	}
	return nil
}

// normBlobType is the spec's type normalisation: lower-cased, or "" when
// it holds a character outside U+0020-U+007E.
func normBlobType(t string) string {
	for i := 0; i < len(t); i++ {
		if t[i] < 0x20 || t[i] > 0x7E {
			return ""
		}
	}
	return strings.ToLower(t)
}

// blobParts concatenates a BlobPart sequence: ArrayBuffers, views, Blobs
// and strings (UTF-8; with endings "native", line breaks become "\n").
func (in *instance) blobParts(what string, v goja.Value, native bool) []byte {
	if v == nil || goja.IsUndefined(v) {
		return nil
	}
	obj, ok := v.(*goja.Object)
	if !ok || obj.GetSymbol(goja.SymIterator) == nil || goja.IsUndefined(obj.GetSymbol(goja.SymIterator)) {
		in.throwType(what + ": the parts must be an iterable (an array of strings, ArrayBuffers, views or Blobs)")
	}
	var parts [][]byte
	total := int64(0)
	in.iterate(obj, func(part goja.Value) {
		var b []byte
		if b2 := in.blobOf(part); b2 != nil {
			b = b2.data
		} else if bs, ok := in.bufferSource(part); ok {
			b = bs
		} else {
			s := part.String()
			if native {
				s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
			}
			b = []byte(s)
		}
		total += int64(len(b))
		if total > in.limits.MemoryLimit {
			in.throwRange(what + ": the parts exceed the memory limit")
		}
		parts = append(parts, b)
	})
	if len(parts) == 1 {
		return append([]byte(nil), parts[0]...)
	}
	out := make([]byte, 0, total)
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// iterate calls fn for every value of a JS iterable.
func (in *instance) iterate(obj *goja.Object, fn func(goja.Value)) {
	if in.isArray(obj) {
		// A plain array: no iterator protocol needed.
		n := int(obj.Get("length").ToInteger())
		for i := 0; i < n; i++ {
			fn(obj.Get(itoa(i)))
		}
		return
	}
	iterFn, ok := goja.AssertFunction(obj.GetSymbol(goja.SymIterator))
	if !ok {
		in.throwType("the value is not iterable")
	}
	itv, err := iterFn(obj)
	if err != nil {
		panic(err)
	}
	it, ok := itv.(*goja.Object)
	if !ok {
		in.throwType("the iterator is not an object")
	}
	next, ok := goja.AssertFunction(it.Get("next"))
	if !ok {
		in.throwType("the iterator has no next()")
	}
	for {
		r, err := next(it)
		if err != nil {
			panic(err)
		}
		ro, ok := r.(*goja.Object)
		if !ok {
			in.throwType("the iterator result is not an object")
		}
		if truthy(ro.Get("done")) {
			return
		}
		v := ro.Get("value")
		if v == nil {
			v = goja.Undefined()
		}
		fn(v)
	}
}

// isArray reports whether obj is a JS Array (whose iteration the script
// has not replaced).
func (in *instance) isArray(obj *goja.Object) bool {
	return obj.ClassName() == "Array" && obj.GetSymbol(goja.SymIterator) == in.arrayValuesFn()
}

// arrayValuesFn is Array.prototype.values (the default array iterator).
func (in *instance) arrayValuesFn() goja.Value {
	return in.builtin("Array").Get("prototype").(*goja.Object).Get("values")
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	var b [20]byte
	n := len(b)
	for i > 0 {
		n--
		b[n] = byte('0' + i%10)
		i /= 10
	}
	return string(b[n:])
}

// blobOptions reads a BlobPropertyBag: type and endings.
func (in *instance) blobOptions(what string, v goja.Value) (typ string, native bool) {
	if v == nil || goja.IsUndefined(v) || goja.IsNull(v) {
		return "", false
	}
	o, ok := v.(*goja.Object)
	if !ok {
		in.throwType(what + ": options must be an object")
	}
	if t := o.Get("type"); t != nil && !goja.IsUndefined(t) {
		typ = normBlobType(t.String())
	}
	if e := o.Get("endings"); e != nil && !goja.IsUndefined(e) {
		switch e.String() {
		case "transparent":
		case "native":
			native = true
		default:
			in.throwType(what + `: endings must be "transparent" or "native", got ` + quoteJS(e.String()))
		}
	}
	return typ, native
}

// newBlob makes a Blob the host creates (slice(), body.blob()).
func (in *instance) newBlob(data []byte, typ string) *goja.Object {
	in.ensure("Blob")
	return in.newHost(in.protos.blob, &blobState{data: data, typ: typ})
}

// relIndex clamps a relative index (negative counts from the end) as
// Blob.slice does.
func relIndex(v goja.Value, size, def int64) int64 {
	if v == nil || goja.IsUndefined(v) {
		return def
	}
	f := v.ToFloat()
	if f != f {
		return 0
	}
	var i int64
	switch {
	case f > float64(size):
		i = size
	case f < -float64(size):
		i = -size
	default:
		i = int64(f)
	}
	if i < 0 {
		return max(size+i, 0)
	}
	return min(i, size)
}

// installBlob defines Blob.
func installBlob(in *instance) error {
	vm := in.vm
	_, p := in.nativeClass("Blob", 0, func(fc goja.ConstructorCall) hostState {
		typ, native := in.blobOptions("Blob", fc.Argument(1))
		return &blobState{data: in.blobParts("Blob", fc.Argument(0), native), typ: typ}
	})
	in.protos.blob = p
	this := func(v goja.Value, name string) *blobState {
		b := in.blobOf(v)
		if b == nil {
			in.throwType("Blob." + name + ": this is not a Blob")
		}
		return b
	}
	in.getter(p, "size", func(fc goja.FunctionCall) goja.Value { return vm.ToValue(len(this(fc.This, "size").data)) })
	in.getter(p, "type", func(fc goja.FunctionCall) goja.Value { return vm.ToValue(this(fc.This, "type").typ) })
	in.method(p, "slice", 0, func(fc goja.FunctionCall) goja.Value {
		b := this(fc.This, "slice")
		size := int64(len(b.data))
		start := relIndex(fc.Argument(0), size, 0)
		end := relIndex(fc.Argument(1), size, size)
		typ := ""
		if t := fc.Argument(2); !goja.IsUndefined(t) {
			typ = normBlobType(t.String())
		}
		if end < start {
			end = start
		}
		return in.newBlob(b.data[start:end:end], typ)
	})
	in.method(p, "text", 0, func(fc goja.FunctionCall) goja.Value {
		b := this(fc.This, "text")
		return in.resolved(vm.ToValue(decodeUTF8(b.data)))
	})
	in.method(p, "arrayBuffer", 0, func(fc goja.FunctionCall) goja.Value {
		b := this(fc.This, "arrayBuffer")
		return in.resolved(vm.ToValue(vm.NewArrayBuffer(append([]byte(nil), b.data...))))
	})
	in.method(p, "bytes", 0, func(fc goja.FunctionCall) goja.Value {
		b := this(fc.This, "bytes")
		return in.resolved(in.newUint8Array(append([]byte(nil), b.data...)))
	})
	in.method(p, "stream", 0, func(fc goja.FunctionCall) goja.Value {
		b := this(fc.This, "stream")
		s, err := in.streamHook("streamFromBytes")(goja.Undefined(), in.newUint8Array(append([]byte(nil), b.data...)))
		if err != nil {
			panic(err)
		}
		return s
	})
	in.toStringTag(p, "Blob")
	in.bodyExtractors = append(in.bodyExtractors, func(obj *goja.Object) (body, string, bool) {
		b := in.blobOf(obj)
		if b == nil {
			return body{}, "", false
		}
		return body{kind: bodyBytes, bytes: b.data, shared: true}, b.typ, true
	})
	return nil
}
