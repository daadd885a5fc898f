package isolate

import (
	"github.com/dop251/goja"
)

// installContext provides what the per-request ctx (ExecutionContext)
// needs: waitUntil keeps the request's instance running its promise after
// the response went out, bounded by Limits.WaitUntil.
func installContext(in *instance) error {
	resolve, _ := goja.AssertFunction(in.intr.promise.Get("resolve"))
	return in.internal.Set("waitUntil", func(fc goja.FunctionCall) goja.Value {
		c := in.cur
		if c == nil || c.ended || c.token != uint64(fc.Argument(0).ToInteger()) {
			in.log.Warn("waitUntil called after its request ended; the promise is ignored")
			return goja.Undefined()
		}
		p, err := resolve(in.intr.promise, fc.Argument(1))
		if err != nil {
			panic(err)
		}
		c.waitUntil++
		in.thenCall(c, p.(*goja.Object), func(goja.Value) {
			c.waitUntil--
		}, func(reason goja.Value) {
			c.waitUntil--
			se := in.valueError(reason)
			in.log.Error("waitUntil promise rejected", "request_id", c.req.ID, "error", se.Error(), "stack", se.Stack)
		})
		return goja.Undefined()
	})
}
