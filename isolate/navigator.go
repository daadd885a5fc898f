package isolate

import (
	"cmp"

	"github.com/dop251/goja"
)

// navigatorState is the navigator's state (there is one per runtime).
type navigatorState struct{ props }

// installNavigator defines navigator (WorkerNavigator's members that make
// sense here): userAgent is PoolConfig.UserAgent ("edgefn/<version>");
// hardwareConcurrency is 1, since a handler runs on one thread, as on
// Workers; the language is en-US, the locale Intl formats for.
func installNavigator(in *instance) error {
	vm := in.vm
	making := false
	ctor, p := in.nativeClass("Navigator", 0, func(goja.ConstructorCall) hostState {
		if !making {
			in.throwType("Illegal constructor: use the global navigator")
		}
		return &navigatorState{}
	})
	this := func(v goja.Value, what string) {
		if _, ok := in.stateOf(v).(*navigatorState); !ok {
			in.throwType("Illegal invocation: Navigator." + what + " used on an object that is not a Navigator")
		}
	}
	languages := vm.NewArray("en-US")
	if _, err := in.method0(in.builtin("Object"), "freeze")(goja.Undefined(), languages); err != nil {
		return err
	}
	for name, v := range map[string]goja.Value{
		"userAgent":           vm.ToValue(cmp.Or(in.cfg.UserAgent, "edgefn")),
		"hardwareConcurrency": vm.ToValue(1),
		"language":            vm.ToValue("en-US"),
		"languages":           languages,
	} {
		name, v := name, v
		in.getter(p, name, func(fc goja.FunctionCall) goja.Value {
			this(fc.This, name)
			return v
		})
	}
	in.toStringTag(p, "Navigator")
	making = true
	nav, err := vm.New(ctor)
	making = false
	if err != nil {
		return err
	}
	return vm.GlobalObject().DefineDataProperty("navigator", nav, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
}
