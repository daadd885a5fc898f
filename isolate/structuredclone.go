package isolate

import (
	"math/big"
	"reflect"
	"strings"

	"github.com/dop251/goja"
)

// installStructuredClone defines structuredClone (HTML's structured clone:
// StructuredSerializeWithTransfer then deserialize, done in one walk since
// both ends are the same runtime).
func installStructuredClone(in *instance) error {
	vm := in.vm
	fn := vm.ToValue(func(fc goja.FunctionCall) goja.Value {
		if len(fc.Arguments) == 0 {
			in.throwType("structuredClone: 1 argument required, but only 0 present")
		}
		sc := &cloner{in: in, memory: map[*goja.Object]goja.Value{}}
		var transfer []goja.ArrayBuffer
		switch o := fc.Argument(1).(type) {
		case *goja.Object:
			if t := o.Get("transfer"); t != nil && !goja.IsUndefined(t) {
				transfer = sc.transferList(t)
			}
		default:
			if !goja.IsUndefined(o) && !goja.IsNull(o) {
				in.throwType("structuredClone: options must be an object")
			}
		}
		out := sc.clone(fc.Argument(0))
		for _, ab := range transfer {
			ab.Detach()
		}
		return out
	}).(*goja.Object)
	_ = fn.DefineDataProperty("name", vm.ToValue("structuredClone"), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	_ = fn.DefineDataProperty("length", vm.ToValue(1), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	_ = in.internal.Set("structuredClone", fn)
	return vm.GlobalObject().DefineDataProperty("structuredClone", fn, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
}

// cloner is one structuredClone call: memory maps each object already
// cloned to its copy (shared references and cycles come out the same), path
// names where in the value the walk is, for error messages.
type cloner struct {
	in     *instance
	memory map[*goja.Object]goja.Value
	path   []string
	depth  int
	count  int
}

var (
	typeMapEntries = reflect.TypeOf([][2]any(nil))
	typeSetValues  = reflect.TypeOf([]any(nil))
	typeBigInt     = reflect.TypeOf((*big.Int)(nil))
	typePromise    = reflect.TypeOf((*goja.Promise)(nil))
	typeProxy      = reflect.TypeOf(goja.Proxy{})
	typeArrayBuf   = reflect.TypeOf(goja.ArrayBuffer{})
	typeString     = reflect.TypeOf("")
)

// fail throws a DataCloneError naming what could not be cloned and where.
func (sc *cloner) fail(what string) {
	at := ""
	if p := sc.path; len(p) > 0 {
		if len(p) > 12 {
			p = append(append(append([]string(nil), p[:4]...), "..."), p[len(p)-4:]...)
		}
		at = " (at " + strings.Join(p, "") + ")"
	}
	panic(sc.in.domException("DataCloneError", "structuredClone: "+what+" could not be cloned"+at))
}

func (sc *cloner) transferList(t goja.Value) []goja.ArrayBuffer {
	in := sc.in
	obj, ok := t.(*goja.Object)
	if !ok {
		in.throwType("structuredClone: options.transfer must be an array of transferable objects")
	}
	var list []goja.ArrayBuffer
	in.iterate(obj, func(v goja.Value) {
		o, ok := v.(*goja.Object)
		if !ok {
			in.throwType("structuredClone: options.transfer must hold objects, got " + describeValue(in.vm, v))
		}
		ab, ok := o.Export().(goja.ArrayBuffer)
		if !ok {
			panic(in.domException("DataCloneError", "structuredClone: "+describeValue(in.vm, v)+" cannot be transferred (only ArrayBuffers can)"))
		}
		if _, dup := sc.memory[o]; dup {
			panic(in.domException("DataCloneError", "structuredClone: an ArrayBuffer is listed twice in options.transfer"))
		}
		if ab.Detached() {
			panic(in.domException("DataCloneError", "structuredClone: an ArrayBuffer in options.transfer is detached"))
		}
		// The copy takes over the bytes; the original is detached once
		// the whole value has been cloned.
		sc.memory[o] = in.vm.ToValue(in.vm.NewArrayBuffer(ab.Bytes()))
		list = append(list, ab)
	})
	return list
}

func (sc *cloner) clone(v goja.Value) goja.Value {
	obj, ok := v.(*goja.Object)
	if !ok {
		if _, isSym := v.(*goja.Symbol); isSym {
			sc.fail("a symbol")
		}
		return v // primitives, bigints included
	}
	if c, ok := sc.memory[obj]; ok {
		return c
	}
	in := sc.in
	sc.count++
	if sc.count&255 == 0 && in.killPending() {
		panic(in.vm.NewGoError(ErrCPUTime)) // the limit's interrupt is on its way; stop walking
	}
	sc.depth++
	defer func() { sc.depth-- }()
	if sc.depth > in.limits.MaxStackDepth {
		sc.fail("a value nested more than " + itoa(in.limits.MaxStackDepth) + " levels deep")
	}
	if _, isFn := goja.AssertFunction(obj); isFn {
		sc.fail("a function")
	}
	vm := in.vm
	switch obj.ClassName() {
	case "Array":
		out := vm.NewArray()
		sc.memory[obj] = out
		_ = out.Set("length", obj.Get("length"))
		sc.copyProps(obj, out)
		return out
	case "Date":
		t, err := in.method0(in.builtin("Date").Get("prototype").(*goja.Object), "getTime")(obj)
		if err != nil {
			panic(err)
		}
		return sc.remember(obj, sc.construct("Date", t))
	case "RegExp":
		return sc.remember(obj, sc.construct("RegExp", obj.Get("source"), obj.Get("flags")))
	case "Boolean", "Number", "String":
		prim, err := in.method0(in.builtin(obj.ClassName()).Get("prototype").(*goja.Object), "valueOf")(obj)
		if err != nil {
			panic(err)
		}
		return sc.remember(obj, prim.ToObject(vm))
	case "Error":
		return sc.cloneError(obj)
	}
	switch obj.ExportType() {
	case typeArrayBuf:
		ab := obj.Export().(goja.ArrayBuffer)
		if ab.Detached() {
			sc.fail("a detached ArrayBuffer")
		}
		return sc.remember(obj, vm.ToValue(vm.NewArrayBuffer(append([]byte(nil), ab.Bytes()...))))
	case typeMapEntries:
		return sc.cloneCollection(obj, "Map")
	case typeSetValues:
		return sc.cloneCollection(obj, "Set")
	case typeBigInt:
		return sc.remember(obj, vm.ToValue(obj.Export()).ToObject(vm))
	case typePromise:
		sc.fail("a Promise")
	case typeProxy:
		sc.fail("a Proxy")
	case typeString: // a Symbol object (String objects are handled above)
		sc.fail("a Symbol object")
	}
	if st := in.stateOf(obj); st != nil {
		switch b := st.(type) {
		case *fileState:
			return sc.remember(obj, in.newFile(b.data, b.name, b.typ, b.lastModified))
		case *blobState:
			return sc.remember(obj, in.newBlob(b.data, b.typ))
		}
		sc.fail(describeValue(vm, obj))
	}
	proto := obj.Prototype()
	if proto != nil && proto != in.objectProto() {
		if r, err := in.isView()(goja.Undefined(), obj); err == nil && r.ToBoolean() {
			return sc.cloneView(obj)
		}
		for p := proto; p != nil; p = p.Prototype() {
			if name, ok := in.platformProto(p); ok {
				sc.fail("a" + article(name) + " " + name)
			}
			if p == in.builtinProto("WeakMap") || p == in.builtinProto("WeakSet") || p == in.builtinProto("WeakRef") {
				sc.fail(describeValue(vm, obj))
			}
		}
	}
	// An ordinary object: a plain object with its own enumerable
	// string-keyed properties (class instances lose their prototype).
	out := vm.NewObject()
	sc.memory[obj] = out
	sc.copyProps(obj, out)
	return out
}

func isIndex(k string) bool {
	for i := 0; i < len(k); i++ {
		if k[i] < '0' || k[i] > '9' {
			return false
		}
	}
	return k != ""
}

// article is "n" before a name starting with a vowel sound, else "".
func article(name string) string {
	if name != "" && strings.ContainsRune("AEIO", rune(name[0])) {
		return "n"
	}
	return ""
}

func (sc *cloner) remember(obj *goja.Object, v goja.Value) goja.Value {
	sc.memory[obj] = v
	return v
}

func (sc *cloner) construct(name string, args ...goja.Value) goja.Value {
	o, err := sc.in.vm.New(sc.in.builtin(name), args...)
	if err != nil {
		panic(err)
	}
	return o
}

// copyProps clones obj's own enumerable string-keyed properties onto out.
func (sc *cloner) copyProps(obj, out *goja.Object) {
	for _, k := range obj.Keys() {
		v := obj.Get(k)
		if v == nil {
			continue // deleted by a getter meanwhile
		}
		if isIdent(k) {
			sc.path = append(sc.path, "."+k)
		} else if isIndex(k) {
			sc.path = append(sc.path, "["+k+"]")
		} else {
			sc.path = append(sc.path, "["+quoteJS(k)+"]")
		}
		c := sc.clone(v)
		sc.path = sc.path[:len(sc.path)-1]
		_ = out.DefineDataProperty(k, c, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_TRUE)
	}
}

// cloneCollection clones a Map or a Set: its entries are read first, then
// each is cloned (the spec's order).
func (sc *cloner) cloneCollection(obj *goja.Object, kind string) goja.Value {
	in := sc.in
	out := sc.construct(kind).(*goja.Object)
	sc.memory[obj] = out
	var items []goja.Value
	forEach := in.method0(in.builtinProto(kind), "forEach")
	if _, err := forEach(obj, in.vm.ToValue(func(fc goja.FunctionCall) goja.Value {
		items = append(items, fc.Argument(1), fc.Argument(0)) // key, value
		return goja.Undefined()
	})); err != nil {
		panic(err)
	}
	add := in.method0(in.builtinProto(kind), map[string]string{"Map": "set", "Set": "add"}[kind])
	for i := 0; i < len(items); i += 2 {
		sc.path = append(sc.path, "<"+kind+" entry>")
		k := sc.clone(items[i])
		var err error
		if kind == "Map" {
			_, err = add(out, k, sc.clone(items[i+1]))
		} else {
			_, err = add(out, k)
		}
		sc.path = sc.path[:len(sc.path)-1]
		if err != nil {
			panic(err)
		}
	}
	return out
}

// cloneView clones a typed array or DataView over a clone of its buffer.
func (sc *cloner) cloneView(obj *goja.Object) goja.Value {
	buf := obj.Get("buffer").(*goja.Object)
	if ab, ok := buf.Export().(goja.ArrayBuffer); ok && ab.Detached() {
		sc.fail("a view of a detached ArrayBuffer")
	}
	b := sc.clone(buf)
	name := "DataView"
	size := obj.Get("byteLength")
	if tag := obj.GetSymbol(goja.SymToStringTag); tag != nil && !goja.IsUndefined(tag) {
		name = tag.String()
		if name != "DataView" {
			size = obj.Get("length")
		}
	}
	return sc.remember(obj, sc.construct(name, b, obj.Get("byteOffset"), size))
}

// cloneError clones an Error (name, message and stack, as V8 does), or a
// DOMException (name and message).
func (sc *cloner) cloneError(obj *goja.Object) goja.Value {
	in := sc.in
	msg := goja.Undefined()
	if d := obj.Get("message"); d != nil && !goja.IsUndefined(d) {
		msg = in.vm.ToValue(d.String())
	}
	if i, ok := lazyIndex["DOMException"]; ok && in.installed[i] {
		if r, err := in.internalFn("isDOMException")(goja.Undefined(), obj); err == nil && r.ToBoolean() {
			return sc.remember(obj, in.domException(obj.Get("name").String(), msg.String()))
		}
	}
	name := "Error"
	switch n := obj.Get("name"); {
	case n == nil:
	case n.String() == "EvalError", n.String() == "RangeError", n.String() == "ReferenceError",
		n.String() == "SyntaxError", n.String() == "TypeError", n.String() == "URIError":
		name = n.String()
	}
	var out *goja.Object
	if goja.IsUndefined(msg) {
		out = sc.construct(name).(*goja.Object)
	} else {
		out = sc.construct(name, msg).(*goja.Object)
	}
	if st := obj.Get("stack"); st != nil && !goja.IsUndefined(st) {
		_ = out.DefineDataProperty("stack", in.vm.ToValue(st.String()), goja.FLAG_TRUE, goja.FLAG_FALSE, goja.FLAG_TRUE)
	}
	return sc.remember(obj, out)
}
