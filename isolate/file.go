package isolate

import (
	"time"

	"github.com/dop251/goja"
)

// fileState is a File's state: a Blob with a name and a modification time.
type fileState struct {
	blobState
	name         string
	lastModified int64 // ms since the epoch
}

// newFile makes a File the host creates (FormData entries, parsed forms).
func (in *instance) newFile(data []byte, name, typ string, lastModified int64) *goja.Object {
	in.ensure("File")
	return in.newHost(in.protos.file, &fileState{blobState: blobState{data: data, typ: typ}, name: name, lastModified: lastModified})
}

// installFile defines File, a subclass of Blob.
func installFile(in *instance) error {
	in.ensure("Blob")
	vm := in.vm
	ctor, p := in.nativeClass("File", 2, func(fc goja.ConstructorCall) hostState {
		if len(fc.Arguments) < 2 {
			in.throwType("File: 2 arguments required (the parts and the name)")
		}
		typ, native := in.blobOptions("File", fc.Argument(2))
		st := &fileState{name: fc.Argument(1).String(), lastModified: time.Now().UnixMilli()}
		if o, ok := fc.Argument(2).(*goja.Object); ok {
			if lm := o.Get("lastModified"); lm != nil && !goja.IsUndefined(lm) {
				st.lastModified = lm.ToInteger()
			}
		}
		st.data = in.blobParts("File", fc.Argument(0), native)
		st.typ = typ
		return st
	})
	blobCtor := in.internal.Get("Blob").(*goja.Object)
	_ = ctor.SetPrototype(blobCtor)
	_ = p.SetPrototype(in.protos.blob)
	in.protos.file = p
	this := func(v goja.Value, name string) *fileState {
		st, ok := in.stateOf(v).(*fileState)
		if !ok {
			in.throwType("File." + name + ": this is not a File")
		}
		return st
	}
	in.getter(p, "name", func(fc goja.FunctionCall) goja.Value { return vm.ToValue(this(fc.This, "name").name) })
	in.getter(p, "lastModified", func(fc goja.FunctionCall) goja.Value {
		return vm.ToValue(this(fc.This, "lastModified").lastModified)
	})
	in.getter(p, "webkitRelativePath", func(fc goja.FunctionCall) goja.Value {
		this(fc.This, "webkitRelativePath")
		return vm.ToValue("")
	})
	in.toStringTag(p, "File")
	return nil
}
