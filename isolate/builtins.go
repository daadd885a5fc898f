package isolate

import "github.com/dop251/goja"

// installBuiltinFixes mends goja's builtins where they depart from the
// language spec in ways real code meets. Each fix is one native wrapper
// installed with every runtime (cheaper than checking lazily): the
// toLocaleString family and localeCompare (intl.go), Symbol.asyncIterator,
// %TypedArray%.from.
func installBuiltinFixes(in *instance) error {
	// %TypedArray%.from(source) must accept a string (GetMethod converts
	// it to an object); goja throws "Value is not an object", which breaks
	// the common Uint8Array.from(atob(s), (c) => c.charCodeAt(0)).
	installLocaleMethods(in)
	// goja has no Symbol.asyncIterator. esbuild's lowered for-await looks
	// for Symbol.asyncIterator, then Symbol.for("Symbol.asyncIterator"):
	// defining the former as the latter lets a script's own
	// [Symbol.asyncIterator]() methods, streams.js and the lowered code
	// agree on one key.
	symbol := in.builtin("Symbol")
	if _, ok := symbol.Get("asyncIterator").(*goja.Symbol); !ok {
		sym, err := in.method0(symbol, "for")(symbol, in.vm.ToValue("Symbol.asyncIterator"))
		if err != nil {
			return err
		}
		_ = symbol.DefineDataProperty("asyncIterator", sym, goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_FALSE)
	}
	typedArray := in.intr.uint8Array.Prototype()
	from, ok := goja.AssertFunction(typedArray.Get("from"))
	if !ok {
		return nil
	}
	in.replace(typedArray, "from", 1, func(fc goja.FunctionCall) goja.Value {
		args := fc.Arguments
		if len(args) > 0 {
			if _, isObj := args[0].(*goja.Object); !isObj && !goja.IsUndefined(args[0]) && !goja.IsNull(args[0]) {
				args = append([]goja.Value{args[0].ToObject(in.vm)}, args[1:]...)
			}
		}
		v, err := from(fc.This, args...)
		if err != nil {
			panic(err)
		}
		return v
	})
	return nil
}
