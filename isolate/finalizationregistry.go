package isolate

import (
	"runtime"
	"weak"

	"github.com/dop251/goja"
)

// finalizationRegistryState is a FinalizationRegistry's state. Its cells
// hold the held values; the targets carry a Go cleanup (runtime.AddCleanup)
// that names only the cell id and a weak pointer to this state, so neither a
// registry nor its runtime is kept alive by the objects it watches.
type finalizationRegistryState struct {
	props
	in      *instance
	cleanup goja.Callable
	cells   map[uint64]*registryCell
	next    uint64
}

type registryCell struct {
	held     goja.Value
	token    weak.Pointer[goja.Object] // the unregister token, held weakly as the spec says
	hasToken bool
	stop     runtime.Cleanup
}

// fire runs the cleanup callback for a collected target, as its own turn
// (posted from the garbage collector's goroutine). An exception is reported,
// not thrown: nothing called the callback that could catch it.
func (st *finalizationRegistryState) fire(id uint64) error {
	cell := st.cells[id]
	if cell == nil {
		return nil // unregistered meanwhile
	}
	delete(st.cells, id)
	if _, err := st.cleanup(goja.Undefined(), cell.held); err != nil {
		if st.in.killPending() {
			return err
		}
		if ex, ok := err.(*goja.Exception); ok {
			st.in.reportError(ex.Value(), "a FinalizationRegistry cleanup callback")
			return nil
		}
		return err
	}
	return nil
}

// installFinalizationRegistry defines FinalizationRegistry. Callbacks run
// some time after a collection, on the runtime's loop, while it serves a
// request (a runtime idle in the pool runs none until its next request).
func installFinalizationRegistry(in *instance) error {
	vm := in.vm
	_, p := in.nativeClass("FinalizationRegistry", 1, func(fc goja.ConstructorCall) hostState {
		cb, ok := goja.AssertFunction(fc.Argument(0))
		if !ok {
			in.throwType("FinalizationRegistry: the cleanup callback must be a function, got " + describeValue(vm, fc.Argument(0)))
		}
		return &finalizationRegistryState{in: in, cleanup: cb, cells: map[uint64]*registryCell{}}
	})
	this := func(v goja.Value, what string) *finalizationRegistryState {
		st, ok := in.stateOf(v).(*finalizationRegistryState)
		if !ok {
			in.throwType("Illegal invocation: FinalizationRegistry.prototype." + what + " called on an object that is not a FinalizationRegistry")
		}
		return st
	}
	in.method(p, "register", 2, func(fc goja.FunctionCall) goja.Value {
		st := this(fc.This, "register")
		target, ok := fc.Argument(0).(*goja.Object)
		if !ok {
			in.throwType("FinalizationRegistry.register: the target must be an object, got " + describeValue(vm, fc.Argument(0)))
		}
		held := fc.Argument(1)
		if held.SameAs(target) {
			in.throwType("FinalizationRegistry.register: the held value cannot be the target itself (it would keep the target alive)")
		}
		cell := &registryCell{held: held}
		if tok := fc.Argument(2); !goja.IsUndefined(tok) {
			obj, ok := tok.(*goja.Object)
			if !ok {
				in.throwType("FinalizationRegistry.register: the unregister token must be an object or undefined, got " + describeValue(vm, tok))
			}
			cell.token, cell.hasToken = weak.Make(obj), true
		}
		st.next++
		id := st.next
		st.cells[id] = cell
		ws := weak.Make(st)
		cell.stop = runtime.AddCleanup(target, func(id uint64) {
			if st := ws.Value(); st != nil {
				st.in.post(nil, func() error { return st.fire(id) })
			}
		}, id)
		return goja.Undefined()
	})
	in.method(p, "unregister", 1, func(fc goja.FunctionCall) goja.Value {
		st := this(fc.This, "unregister")
		tok, ok := fc.Argument(0).(*goja.Object)
		if !ok {
			in.throwType("FinalizationRegistry.unregister: the token must be an object, got " + describeValue(vm, fc.Argument(0)))
		}
		removed := false
		for id, cell := range st.cells {
			if cell.hasToken && cell.token.Value() == tok {
				cell.stop.Stop()
				delete(st.cells, id)
				removed = true
			}
		}
		return vm.ToValue(removed)
	})
	in.toStringTag(p, "FinalizationRegistry")
	return nil
}
