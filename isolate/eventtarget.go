package isolate

import (
	"github.com/dop251/goja"
)

// installEventTarget provides what js/eventtarget.js (Event, CustomEvent,
// EventTarget) needs from Go: the clock for Event.timeStamp and a way to
// report an exception a listener threw, which the DOM says must not reach
// the code that dispatched the event.
func installEventTarget(in *instance) error {
	installJSHelpers(in)
	_ = in.internal.Set("now", func(goja.FunctionCall) goja.Value { return in.vm.ToValue(in.now()) })
	return installReportError(in)
}
