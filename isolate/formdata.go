package isolate

import (
	"time"

	"github.com/dop251/goja"
)

// formDataEntry is one FormData entry: value is a string or a File.
type formDataEntry struct {
	name  string
	value goja.Value
}

// formDataState is a FormData's state.
type formDataState struct {
	props
	entries []formDataEntry
}

func (in *instance) formDataThis(v goja.Value, name string) *formDataState {
	st, ok := in.stateOf(v).(*formDataState)
	if !ok {
		in.throwType("FormData." + name + ": this is not a FormData")
	}
	return st
}

// formValue converts an entry value as the spec says: a Blob becomes a File
// (named "blob" unless a filename is given), a File is renamed when a
// filename is given, anything else becomes a string.
func (in *instance) formValue(what string, v goja.Value, filename goja.Value, hasFilename bool) goja.Value {
	if b := in.blobOf(v); b != nil {
		f, isFile := in.stateOf(v).(*fileState)
		name := "blob"
		if isFile {
			name = f.name
		}
		if hasFilename {
			name = filename.String()
		} else if isFile {
			return v
		}
		lm := time.Now().UnixMilli()
		if isFile {
			lm = f.lastModified
		}
		return in.newFile(b.data, name, b.typ, lm)
	}
	if hasFilename {
		in.throwType(what + ": a filename can only be given with a Blob value")
	}
	return in.vm.ToValue(v.String())
}

// newFormData makes a FormData the host creates (body.formData()).
func (in *instance) newFormData(entries []formEntry) *goja.Object {
	in.ensure("FormData")
	st := &formDataState{entries: make([]formDataEntry, len(entries))}
	for i, e := range entries {
		var v goja.Value
		if e.isFile {
			v = in.newFile(e.data, e.filename, e.typ, time.Now().UnixMilli())
		} else {
			v = in.vm.ToValue(e.value)
		}
		st.entries[i] = formDataEntry{name: e.name, value: v}
	}
	return in.newHost(in.protos.formData, st)
}

// formEntries converts a FormData's entries for encoding.
func (in *instance) formEntries(st *formDataState) []formEntry {
	out := make([]formEntry, len(st.entries))
	for i, e := range st.entries {
		if f, ok := in.stateOf(e.value).(*fileState); ok {
			out[i] = formEntry{name: e.name, isFile: true, filename: f.name, typ: f.typ, data: f.data}
		} else {
			out[i] = formEntry{name: e.name, value: e.value.String()}
		}
	}
	return out
}

// installFormData defines FormData.
func installFormData(in *instance) error {
	in.ensure("File")
	vm := in.vm
	_, p := in.nativeClass("FormData", 0, func(fc goja.ConstructorCall) hostState {
		if v := fc.Argument(0); !goja.IsUndefined(v) {
			in.throwType("FormData: constructing from an HTML form is not supported (there are no forms here); call new FormData() and append()")
		}
		return &formDataState{}
	})
	in.protos.formData = p
	args := func(fc goja.FunctionCall, what string) (string, goja.Value) {
		if len(fc.Arguments) < 2 {
			in.throwType(what + ": 2 arguments required, but only " + itoa(len(fc.Arguments)) + " present")
		}
		name := fc.Argument(0).String()
		return name, in.formValue(what, fc.Argument(1), fc.Argument(2), len(fc.Arguments) > 2 && !goja.IsUndefined(fc.Argument(2)))
	}
	in.method(p, "append", 2, func(fc goja.FunctionCall) goja.Value {
		st := in.formDataThis(fc.This, "append")
		name, v := args(fc, "FormData.append")
		st.entries = append(st.entries, formDataEntry{name: name, value: v})
		return goja.Undefined()
	})
	in.method(p, "set", 2, func(fc goja.FunctionCall) goja.Value {
		st := in.formDataThis(fc.This, "set")
		name, v := args(fc, "FormData.set")
		for i, e := range st.entries {
			if e.name == name {
				st.entries[i].value = v
				rest := st.entries[:i+1]
				for _, f := range st.entries[i+1:] {
					if f.name != name {
						rest = append(rest, f)
					}
				}
				clear(st.entries[len(rest):])
				st.entries = rest
				return goja.Undefined()
			}
		}
		st.entries = append(st.entries, formDataEntry{name: name, value: v})
		return goja.Undefined()
	})
	need1 := func(fc goja.FunctionCall, what string) string {
		if len(fc.Arguments) < 1 {
			in.throwType(what + ": 1 argument required, but only 0 present")
		}
		return fc.Argument(0).String()
	}
	in.method(p, "get", 1, func(fc goja.FunctionCall) goja.Value {
		st := in.formDataThis(fc.This, "get")
		name := need1(fc, "FormData.get")
		for _, e := range st.entries {
			if e.name == name {
				return e.value
			}
		}
		return goja.Null()
	})
	in.method(p, "getAll", 1, func(fc goja.FunctionCall) goja.Value {
		st := in.formDataThis(fc.This, "getAll")
		name := need1(fc, "FormData.getAll")
		var out []any
		for _, e := range st.entries {
			if e.name == name {
				out = append(out, e.value)
			}
		}
		return vm.NewArray(out...)
	})
	in.method(p, "has", 1, func(fc goja.FunctionCall) goja.Value {
		st := in.formDataThis(fc.This, "has")
		name := need1(fc, "FormData.has")
		for _, e := range st.entries {
			if e.name == name {
				return vm.ToValue(true)
			}
		}
		return vm.ToValue(false)
	})
	in.method(p, "delete", 1, func(fc goja.FunctionCall) goja.Value {
		st := in.formDataThis(fc.This, "delete")
		name := need1(fc, "FormData.delete")
		kept := st.entries[:0]
		for _, e := range st.entries {
			if e.name != name {
				kept = append(kept, e)
			}
		}
		clear(st.entries[len(kept):])
		st.entries = kept
		return goja.Undefined()
	})
	in.definePairIterators(p, func(v goja.Value, what string) []namedValue {
		entries := in.formDataThis(v, what).entries
		out := make([]namedValue, len(entries))
		for i, e := range entries {
			out[i] = namedValue{e.name, e.value}
		}
		return out
	})
	in.method(p, "forEach", 1, func(fc goja.FunctionCall) goja.Value {
		st := in.formDataThis(fc.This, "forEach")
		cb, ok := goja.AssertFunction(fc.Argument(0))
		if !ok {
			in.throwType("FormData.forEach: the callback must be a function")
		}
		for i := 0; i < len(st.entries); i++ {
			e := st.entries[i]
			if _, err := cb(fc.Argument(1), e.value, vm.ToValue(e.name), fc.This); err != nil {
				panic(err)
			}
		}
		return goja.Undefined()
	})
	in.toStringTag(p, "FormData")
	in.bodyExtractors = append(in.bodyExtractors, func(obj *goja.Object) (body, string, bool) {
		st, ok := in.stateOf(obj).(*formDataState)
		if !ok {
			return body{}, "", false
		}
		boundary := newBoundary()
		return body{kind: bodyBytes, bytes: encodeMultipart(in.formEntries(st), boundary)}, "multipart/form-data; boundary=" + boundary, true
	})
	return nil
}
