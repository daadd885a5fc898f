package isolate

import (
	"github.com/dop251/goja"
)

// ctxState is the per-request ctx a handler receives (Workers'
// ExecutionContext, also the Vercel/Netlify context). It carries the token
// of its call: work handed to a ctx whose request ended is ignored.
type ctxState struct {
	props
	token uint64
}

// installContext defines the ExecutionContext prototype: waitUntil keeps
// the request's runtime running its promise after the response went out,
// bounded by Limits.WaitUntil.
func installContext(in *instance) error {
	ctor, p := in.nativeClass("ExecutionContext", 0, func(fc goja.ConstructorCall) hostState {
		in.throwType("Illegal constructor: ExecutionContext is made by edgefn for each request")
		return nil
	})
	// Not a global: handlers receive instances only.
	_ = in.vm.GlobalObject().Delete("ExecutionContext")
	_ = ctor
	in.protos.ctx = p
	in.method(p, "waitUntil", 1, func(fc goja.FunctionCall) goja.Value {
		st, ok := in.stateOf(fc.This).(*ctxState)
		if !ok {
			in.throwType("Illegal invocation: waitUntil must be called on the ctx object")
		}
		c := in.cur
		if c == nil || c.ended || c.token != st.token {
			in.log.Warn("waitUntil called after its request ended; the promise is ignored")
			return goja.Undefined()
		}
		c.waitUntil++
		in.thenCall(c, in.resolved(fc.Argument(0)), func(goja.Value) {
			c.waitUntil--
		}, func(reason goja.Value) {
			c.waitUntil--
			se := in.valueError(reason)
			in.log.Error("waitUntil promise rejected", "request_id", c.req.ID, "error", se.Error(), "stack", se.Stack)
		})
		return goja.Undefined()
	})
	in.method(p, "passThroughOnException", 0, func(fc goja.FunctionCall) goja.Value {
		// edgefn has no origin to fall through to: exceptions become 500s.
		return goja.Undefined()
	})
	return nil
}

// newContext makes the ctx for a call; route parameters are its params.
func (in *instance) newContext(c *call) *goja.Object {
	st := &c.objs.ctx
	*st = ctxState{token: c.token}
	obj := in.newHost(in.protos.ctx, st)
	if c.req.Params != nil {
		st.Set("params", in.vm.ToValue(c.req.Params))
	}
	return obj
}
