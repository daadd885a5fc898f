package isolate

import "github.com/dop251/goja"

// installBuiltinFixes mends goja's builtins where they depart from the
// language spec in ways real code meets: the toLocaleString family and
// localeCompare (intl.go), Symbol.asyncIterator, %TypedArray%.from. Builtins
// cannot install lazily as globals do, so the first two are installed only
// in runtimes whose script mentions them (Script.usesLocale,
// usesAsyncIter, usesFrom; a name built at run time, obj["toLocale" + s],
// is not seen).
func installBuiltinFixes(in *instance) error {
	// %TypedArray%.from(source) must accept a string (GetMethod converts
	// it to an object); goja throws "Value is not an object", which breaks
	// the common Uint8Array.from(atob(s), (c) => c.charCodeAt(0)).
	if in.script == nil || in.script.usesLocale {
		installLocaleMethods(in)
	}
	// goja has no Symbol.asyncIterator. esbuild's lowered for-await looks
	// for Symbol.asyncIterator, then Symbol.for("Symbol.asyncIterator"):
	// defining the former as the latter lets a script's own
	// [Symbol.asyncIterator]() methods, streams.js and the lowered code
	// agree on one key.
	// (Touching Symbol makes goja build it and every well-known symbol: a
	// hundred allocations, paid only by scripts that name asyncIterator.)
	if in.script == nil || in.script.usesAsyncIter {
		symbol := in.builtin("Symbol")
		if _, ok := symbol.Get("asyncIterator").(*goja.Symbol); !ok {
			sym, err := in.method0(symbol, "for")(symbol, in.vm.ToValue("Symbol.asyncIterator"))
			if err != nil {
				return err
			}
			_ = symbol.DefineDataProperty("asyncIterator", sym, goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_FALSE)
		}
	}
	if in.script != nil && !in.script.usesFrom {
		return nil
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
