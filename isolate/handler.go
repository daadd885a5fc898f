package isolate

import (
	"errors"
	"fmt"
	"math/big"
	"reflect"
	"slices"
	"strings"

	"github.com/dop251/goja"
)

// handler calls the user's request handler in the shape the script has.
type handler interface {
	shape() Shape
	// invoke calls the handler for the request and returns what it
	// returned (a Response, a promise of one, or something wrong).
	invoke(in *instance, c *call, req goja.Value) (goja.Value, error)
}

type moduleHandler struct {
	obj       *goja.Object
	fetch     goja.Callable
	scheduled goja.Callable
	queue     goja.Callable
}

func (h *moduleHandler) shape() Shape { return ShapeModule }

func (h *moduleHandler) invoke(in *instance, c *call, req goja.Value) (goja.Value, error) {
	return h.fetch(h.obj, in.args(req, in.env, in.newContext(c))...)
}

type functionHandler struct {
	fn goja.Callable
}

func (h *functionHandler) shape() Shape { return ShapeFunction }

func (h *functionHandler) invoke(in *instance, c *call, req goja.Value) (goja.Value, error) {
	return h.fn(goja.Undefined(), in.args(req, in.newContext(c))...)
}

type routesHandler struct {
	methods map[string]goja.Callable
	allow   []string
}

func (h *routesHandler) shape() Shape { return ShapeRoutes }

func (h *routesHandler) invoke(in *instance, c *call, req goja.Value) (goja.Value, error) {
	fn := h.methods[c.req.Method]
	if fn == nil && c.req.Method == "HEAD" {
		fn = h.methods["GET"]
	}
	if fn == nil {
		return nil, &MethodNotAllowedError{Method: c.req.Method, Allow: h.allow}
	}
	return fn(goja.Undefined(), in.args(req, in.newContext(c))...)
}

type serviceWorkerHandler struct{}

func (h *serviceWorkerHandler) shape() Shape { return ShapeServiceWorker }

func (h *serviceWorkerHandler) invoke(in *instance, c *call, req goja.Value) (goja.Value, error) {
	dispatch, _ := goja.AssertFunction(in.internal.Get("dispatchFetch"))
	return dispatch(goja.Undefined(), req, in.newContext(c))
}

// routesGlobal is the export under which a generated project entry lists
// its file routes.
const routesGlobal = "__edgefn_routes"

// ErrNoRoute: a router script has no route of the requested id.
var ErrNoRoute = errors.New("isolate: no such route in the script")

type routerHandler struct {
	routes map[string]handler
}

func (h *routerHandler) shape() Shape { return ShapeRouter }

func (h *routerHandler) invoke(in *instance, c *call, req goja.Value) (goja.Value, error) {
	r := h.routes[c.req.Route]
	if r == nil {
		return nil, fmt.Errorf("%w: %q", ErrNoRoute, c.req.Route)
	}
	return r.invoke(in, c, req)
}

// resolveHandler finds the handler the script exports, in order of the
// shapes' specificity.
func (in *instance) resolveHandler() (handler, error) {
	vm := in.vm
	mod, _ := vm.Get(moduleGlobal).(*goja.Object)
	if mod != nil {
		_ = vm.GlobalObject().Set(moduleGlobal, goja.Undefined())
		if rt, ok := mod.Get(routesGlobal).(*goja.Object); ok {
			rh := &routerHandler{routes: map[string]handler{}}
			for _, id := range rt.Keys() {
				sub, ok := rt.Get(id).(*goja.Object)
				var h handler
				if ok {
					h = in.resolveModule(sub)
				}
				if h == nil {
					return nil, fmt.Errorf("%w in %s (route %s): %s", ErrNoHandler, in.script.name, id, acceptedShapes)
				}
				rh.routes[id] = h
			}
			return rh, nil
		}
		if h := in.resolveModule(mod); h != nil {
			return h, nil
		}
	}
	if len(in.swFetch) > 0 {
		return &serviceWorkerHandler{}, nil
	}
	return nil, fmt.Errorf("%w in %s: %s", ErrNoHandler, in.script.name, acceptedShapes)
}

// resolveModule finds the handler in one module's exports, or nil.
func (in *instance) resolveModule(mod *goja.Object) handler {
	if def, ok := mod.Get("default").(*goja.Object); ok {
		if fn, ok := goja.AssertFunction(def); ok {
			// An object with fetch is a module even if it is also
			// callable (a class instance never is; a function with a
			// fetch property is unusual enough to be treated as one).
			if f, ok := goja.AssertFunction(def.Get("fetch")); ok {
				return in.moduleHandler(def, f)
			}
			return &functionHandler{fn: fn}
		}
		if f, ok := goja.AssertFunction(def.Get("fetch")); ok {
			return in.moduleHandler(def, f)
		}
	}
	rh := &routesHandler{methods: map[string]goja.Callable{}}
	for _, m := range routeMethods {
		if fn, ok := goja.AssertFunction(mod.Get(m)); ok {
			rh.methods[m] = fn
			rh.allow = append(rh.allow, m)
		}
	}
	if len(rh.allow) == 0 {
		return nil
	}
	if rh.methods["HEAD"] == nil && rh.methods["GET"] != nil {
		rh.allow = append(rh.allow, "HEAD")
	}
	if rh.methods["OPTIONS"] == nil {
		rh.allow = append(rh.allow, "OPTIONS")
	}
	slices.Sort(rh.allow)
	return rh
}

func (in *instance) moduleHandler(obj *goja.Object, fetch goja.Callable) *moduleHandler {
	h := &moduleHandler{obj: obj, fetch: fetch}
	h.scheduled, _ = goja.AssertFunction(obj.Get("scheduled"))
	h.queue, _ = goja.AssertFunction(obj.Get("queue"))
	return h
}

// dispatch runs the handler for c: it builds the JS Request, calls the
// handler and settles what it returns. It runs inside a turn.
func (in *instance) dispatch(c *call) error {
	h := in.handler
	if rt, ok := h.(*routerHandler); ok {
		h = rt.routes[c.req.Route]
	}
	if rh, ok := h.(*routesHandler); ok && c.req.Method == "OPTIONS" && rh.methods["OPTIONS"] == nil {
		in.respond(c, &Response{Status: 204, Header: []HeaderField{{Name: "allow", Value: strings.Join(rh.allow, ", ")}}})
		return nil
	}
	req := in.newIncoming(c)
	v, err := in.handler.invoke(in, c, req)
	in.argBuf = [3]goja.Value{} // let the request's objects go with it
	if err != nil {
		var mna *MethodNotAllowedError
		if errors.As(err, &mna) || errors.Is(err, ErrNoRoute) {
			in.fail(c, err)
			return nil
		}
		in.fail(c, in.scriptError(err))
		return nil
	}
	in.settle(c, v)
	return nil
}

// settle delivers v (a Response or a promise of one) as c's response once
// it is known.
func (in *instance) settle(c *call, v goja.Value) {
	if p := promiseOf(v); p != nil {
		switch p.State() {
		case goja.PromiseStateFulfilled:
			v = p.Result()
		case goja.PromiseStateRejected:
			in.fail(c, in.valueError(p.Result()))
			in.markHandled(v)
			return
		default:
			in.thenCall(c, v.(*goja.Object), func(v goja.Value) { in.settle(c, v) }, func(reason goja.Value) {
				in.fail(c, in.valueError(reason))
			})
			return
		}
	}
	r, err := in.toResponse(c, v)
	if err != nil {
		in.fail(c, err)
		return
	}
	in.respond(c, r)
}

var promiseType = reflect.TypeOf((*goja.Promise)(nil))

// promiseOf returns the promise v is, or nil. It checks the type first:
// Export allocates, and most handlers return a Response, not a promise.
func promiseOf(v goja.Value) *goja.Promise {
	obj, ok := v.(*goja.Object)
	if !ok || obj.ExportType() != promiseType {
		return nil
	}
	p, _ := obj.Export().(*goja.Promise)
	return p
}

// markHandled attaches a no-op rejection handler so that a rejection the
// host already reported is not reported again as unhandled.
func (in *instance) markHandled(p goja.Value) {
	obj, ok := p.(*goja.Object)
	if !ok {
		return
	}
	if then, ok := goja.AssertFunction(obj.Get("then")); ok {
		_, _ = then(obj, goja.Undefined(), in.vm.ToValue(func(goja.FunctionCall) goja.Value { return goja.Undefined() }))
	}
}

// thenCall attaches Go callbacks to a promise; they run on the loop, within
// the turn that settles the promise, and only while c is the current call.
func (in *instance) thenCall(c *call, p *goja.Object, onOK, onErr func(goja.Value)) {
	then, ok := goja.AssertFunction(p.Get("then"))
	if !ok {
		in.fail(c, fmt.Errorf("%w: got a thenable without then()", ErrBadResponse))
		return
	}
	ok1 := in.vm.ToValue(func(fc goja.FunctionCall) goja.Value {
		if c == in.cur && !c.ended {
			onOK(fc.Argument(0))
		}
		return goja.Undefined()
	})
	err1 := in.vm.ToValue(func(fc goja.FunctionCall) goja.Value {
		if c == in.cur && !c.ended {
			onErr(fc.Argument(0))
		}
		return goja.Undefined()
	})
	if _, err := then(p, ok1, err1); err != nil {
		in.fail(c, in.scriptError(err))
	}
}

// describeValue names a JS value's type for error messages.
func describeValue(vm *goja.Runtime, v goja.Value) string {
	switch {
	case v == nil || goja.IsUndefined(v):
		return "undefined"
	case goja.IsNull(v):
		return "null"
	}
	if obj, ok := v.(*goja.Object); ok {
		if _, ok := goja.AssertFunction(obj); ok {
			return "a function"
		}
		if ctor, ok := obj.Get("constructor").(*goja.Object); ok {
			if name := ctor.Get("name"); name != nil && name.String() != "" && name.String() != "Object" {
				n := name.String()
				// "a Uint8Array", "a URL": U reads as a consonant there.
				if strings.ContainsRune("AEIO", rune(n[0])) {
					return "an " + n
				}
				return "a " + n
			}
		}
		return "a plain object"
	}
	kind := "value"
	switch v.Export().(type) {
	case string:
		kind = "string"
	case bool:
		kind = "boolean"
	case int64, float64:
		kind = "number"
	case *big.Int:
		kind = "bigint"
	}
	if _, ok := v.(*goja.Symbol); ok {
		kind = "symbol"
	}
	return fmt.Sprintf("a %s (%s)", kind, inspect(vm, v, 0))
}
