package isolate

import (
	"container/heap"
	"math"
	"time"

	"github.com/dop251/goja"
)

// maxTimersPerCall bounds the timers one request may have armed at once.
const maxTimersPerCall = 10000

// minInterval is the shortest setInterval period: HTML clamps timers nested
// deeper than five levels (every interval after its fifth run) to 4 ms, and a
// 0 ms interval would otherwise spin the loop.
const minInterval = 4 * time.Millisecond

type jsTimer struct {
	id       int64
	fn       goja.Callable
	args     []goja.Value
	interval time.Duration // > 0 for setInterval
	timer    *time.Timer
	due      time.Duration // monotonic() at which it is next due
}

// timerQueue orders a call's timers as HTML runs them: by the time they
// are due, then by the order they were set (ids grow). Go's timers post
// their fires to the loop in whatever order their goroutines get there,
// so two timers due close together (a 1 ms and a 5 ms one on a machine
// that stalled for 5 ms) could otherwise run in either order. Entries are
// left in place when a timer is cleared or rescheduled and skipped when
// they surface (stale: the timer's due time or presence has changed).
type timerQueue []timerEntry

type timerEntry struct {
	due time.Duration
	id  int64
	t   *jsTimer
}

// before reports whether e runs before f.
func (e timerEntry) before(f timerEntry) bool {
	return e.due < f.due || e.due == f.due && e.id < f.id
}

func (q timerQueue) Len() int           { return len(q) }
func (q timerQueue) Less(i, j int) bool { return q[i].before(q[j]) }
func (q timerQueue) Swap(i, j int)      { q[i], q[j] = q[j], q[i] }
func (q *timerQueue) Push(x any)        { *q = append(*q, x.(timerEntry)) }
func (q *timerQueue) Pop() any {
	old := *q
	e := old[len(old)-1]
	old[len(old)-1] = timerEntry{}
	*q = old[:len(old)-1]
	return e
}

// installTimers defines setTimeout, clearTimeout, setInterval and
// clearInterval. Timers belong to the request that set them: they run while
// the request (or its waitUntil work) is in progress and are cancelled when
// it ends.
func installTimers(in *instance) error {
	vm := in.vm
	set := func(repeat bool) func(goja.FunctionCall) goja.Value {
		name := "setTimeout"
		if repeat {
			name = "setInterval"
		}
		return func(fc goja.FunctionCall) goja.Value {
			c := in.timerCall(name)
			fn, ok := goja.AssertFunction(fc.Argument(0))
			if !ok {
				panic(vm.NewTypeError(name + ": the callback must be a function"))
			}
			d := delayOf(fc.Argument(1))
			t := &jsTimer{fn: fn}
			if len(fc.Arguments) > 2 {
				t.args = append([]goja.Value(nil), fc.Arguments[2:]...)
			}
			if repeat {
				t.interval = max(d, minInterval)
				d = t.interval
			}
			in.startTimer(c, d, t)
			return vm.ToValue(t.id)
		}
	}
	clear := func(fc goja.FunctionCall) goja.Value {
		c := in.cur
		if c == nil {
			return goja.Undefined()
		}
		id := fc.Argument(0).ToInteger()
		if t := c.timers[id]; t != nil {
			t.timer.Stop()
			delete(c.timers, id)
		}
		return goja.Undefined()
	}
	g := vm.GlobalObject()
	for name, fn := range map[string]func(goja.FunctionCall) goja.Value{
		"setTimeout": set(false), "setInterval": set(true), "clearTimeout": clear, "clearInterval": clear,
	} {
		if err := g.DefineDataProperty(name, in.native(name, 1, fn), goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE); err != nil {
			return err
		}
	}
	return nil
}

// timerCall returns the call a new timer belongs to, or throws when none
// may be set: at global scope, or past the per-request limit.
func (in *instance) timerCall(what string) *call {
	c := in.cur
	if c == nil || c.ended {
		panic(in.typeErr(what + ": timers can only be set while a request is handled, not at global scope"))
	}
	if len(c.timers) >= maxTimersPerCall {
		panic(in.rangeErr(what + ": too many timers (the limit is 10000 per request)"))
	}
	return c
}

// startTimer arms t to fire after d on c's loop.
func (in *instance) startTimer(c *call, d time.Duration, t *jsTimer) {
	in.nextTimer++
	t.id = in.nextTimer
	if c.timers == nil {
		c.timers = make(map[int64]*jsTimer)
	}
	c.timers[t.id] = t
	t.due = monotonic() + d
	heap.Push(&c.timerQ, timerEntry{due: t.due, id: t.id, t: t})
	t.timer = time.AfterFunc(d, func() {
		in.post(c, func() error { return in.fireTimer(c, t) })
	})
}

// fireTimer runs on the loop when t's Go timer fired. It first runs every
// timer of c that comes before t in HTML's order (due earlier, or as early
// and set first): those are due too, and their own fires may not have
// reached the loop yet. A fire finding its timer already run (cleared, or
// an interval already moved on) does nothing.
func (in *instance) fireTimer(c *call, t *jsTimer) error {
	if c.timers[t.id] != t || t.due > monotonic() {
		return nil
	}
	limit := timerEntry{due: t.due, id: t.id}
	for len(c.timerQ) > 0 {
		e := c.timerQ[0]
		if limit.before(e) {
			break
		}
		heap.Pop(&c.timerQ)
		if c.timers[e.id] != e.t || e.t.due != e.due {
			continue // stale
		}
		if err := in.runTimer(c, e.t); err != nil {
			return err
		}
		if c.ended {
			return nil
		}
	}
	return nil
}

// runTimer runs one due timer's callback, rescheduling an interval first.
func (in *instance) runTimer(c *call, t *jsTimer) error {
	if t.interval > 0 {
		t.due = monotonic() + t.interval
		heap.Push(&c.timerQ, timerEntry{due: t.due, id: t.id, t: t})
		t.timer.Reset(t.interval)
	} else {
		delete(c.timers, t.id)
	}
	_, err := t.fn(goja.Undefined(), t.args...)
	return err
}

// delayOf converts a timer delay argument (ms) as browsers do: NaN,
// negative and absent mean 0; beyond 2^31-1 ms means 1 ms.
func delayOf(v goja.Value) time.Duration {
	if v == nil || goja.IsUndefined(v) {
		return 0
	}
	ms := v.ToFloat()
	if math.IsNaN(ms) || ms < 0 {
		return 0
	}
	if ms > math.MaxInt32 {
		return time.Millisecond
	}
	return time.Duration(ms * float64(time.Millisecond))
}
