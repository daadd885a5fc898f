package isolate

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dop251/goja"
)

// Memory guard for builtins that allocate in one native step. goja has no
// heap limit: 'x'.repeat(2 ** 40) or new Uint8Array(2 ** 40) would ask Go
// for a terabyte at once, and Go ends the process when that fails. Each
// wrapper checks the size about to be allocated against the deployment's
// memory limit and throws a RangeError instead. Gradual growth (a string
// doubled in a loop, an array grown element by element) is stopped by the
// heap guard below, which interrupts the turn.
//
// The wrappers are Go natives installed with every runtime (a JS Proxy per
// typed-array constructor cost several times more).

// typedArrays are the constructors that allocate their whole buffer.
var typedArrays = []string{"ArrayBuffer", "SharedArrayBuffer", "Int8Array", "Uint8Array", "Uint8ClampedArray",
	"Int16Array", "Uint16Array", "Int32Array", "Uint32Array", "Float32Array", "Float64Array", "BigInt64Array", "BigUint64Array"}

const fillChunk = 1 << 16

func installGuard(in *instance) error {
	_ = in.internal.Set("killPending", func(goja.FunctionCall) goja.Value {
		return in.vm.ToValue(in.killPending())
	})
	limit := in.limits.MemoryLimit
	maxChars := limit / 2     // UTF-16 worst case
	maxElements := limit / 16 // a goja value slot
	tooBig := func(what string, n int64, unit string, max int64) {
		panic(in.rangeErr(fmt.Sprintf("%s: %d %s exceed the memory limit (at most %d %s within %d MiB)",
			what, n, unit, max, unit, limit>>20)))
	}
	toInt := func(v goja.Value) int64 {
		f := v.ToFloat()
		switch {
		case math.IsNaN(f):
			return 0
		case f > math.MaxInt64/2:
			return math.MaxInt64 / 2
		case f < math.MinInt64/2:
			return math.MinInt64 / 2
		}
		return int64(f)
	}
	strLen := func(v goja.Value) int64 {
		if v == nil || goja.IsUndefined(v) || goja.IsNull(v) {
			return 0
		}
		if s, ok := v.(goja.String); ok {
			return int64(s.Length())
		}
		return int64(len(v.String()))
	}
	lengthOf := func(v goja.Value) int64 {
		obj, ok := v.(*goja.Object)
		if !ok {
			return 0
		}
		return toInt(obj.Get("length"))
	}
	arg := func(args []goja.Value, i int) goja.Value {
		if i < len(args) {
			return args[i]
		}
		return goja.Undefined()
	}

	strProto := in.builtin("String").Get("prototype").(*goja.Object)
	in.wrap(strProto, "repeat", func(this goja.Value, args []goja.Value) {
		if n := toInt(arg(args, 0)) * strLen(this); n > maxChars {
			tooBig("String.prototype.repeat", n, "characters", maxChars)
		}
	})
	for _, name := range []string{"padStart", "padEnd"} {
		in.wrap(strProto, name, func(this goja.Value, args []goja.Value) {
			if n := toInt(arg(args, 0)); n > maxChars {
				tooBig("String.prototype."+name, n, "characters", maxChars)
			}
		})
	}
	arrayCtor := in.builtin("Array")
	arrayProto := arrayCtor.Get("prototype").(*goja.Object)
	in.wrap(arrayProto, "join", func(this goja.Value, args []goja.Value) {
		n := lengthOf(this)
		if n > maxElements {
			tooBig("Array.prototype.join", n, "elements", maxElements)
		}
		sep := int64(1)
		if s := arg(args, 0); !goja.IsUndefined(s) {
			sep = strLen(s)
		}
		if chars := max(0, n-1) * sep; chars > maxChars {
			tooBig("Array.prototype.join", chars, "characters", maxChars)
		}
	})
	in.wrap(arrayCtor, "from", func(this goja.Value, args []goja.Value) {
		if obj, ok := arg(args, 0).(*goja.Object); ok && obj.GetSymbol(goja.SymIterator) == nil {
			if n := lengthOf(obj); n > maxElements {
				tooBig("Array.from", n, "elements", maxElements)
			}
		}
	})
	// fill writes every slot in a native loop: bound it, and run it in
	// chunks so a CPU-limit interrupt is seen between them.
	fill := in.method0(arrayProto, "fill")
	in.replace(arrayProto, "fill", 1, func(fc goja.FunctionCall) goja.Value {
		n := lengthOf(fc.This)
		rel := func(v goja.Value, def int64) int64 {
			if goja.IsUndefined(v) {
				return def
			}
			k := toInt(v)
			if k < 0 {
				return max(n+k, 0)
			}
			return min(k, n)
		}
		start, end := rel(fc.Argument(1), 0), rel(fc.Argument(2), n)
		if end-start > maxElements {
			tooBig("Array.prototype.fill", end-start, "elements", maxElements)
		}
		if end-start <= fillChunk {
			v, err := fill(fc.This, fc.Argument(0), in.vm.ToValue(start), in.vm.ToValue(end))
			if err != nil {
				panic(err)
			}
			return v
		}
		for k := start; k < end && !in.killPending(); k += fillChunk {
			if _, err := fill(fc.This, fc.Argument(0), in.vm.ToValue(k), in.vm.ToValue(min(k+fillChunk, end))); err != nil {
				panic(err)
			}
		}
		return fc.This
	})

	// Buffers and typed arrays allocate their whole size up front.
	g := in.vm.GlobalObject()
	for _, name := range typedArrays {
		orig, ok := g.Get(name).(*goja.Object)
		if !ok {
			continue
		}
		bpe := int64(1)
		if v := orig.Get("BYTES_PER_ELEMENT"); v != nil && !goja.IsUndefined(v) {
			bpe = v.ToInteger()
		}
		switch name {
		case "ArrayBuffer":
			in.intr.arrayBuffer = orig
		case "Uint8Array":
			in.intr.uint8Array = orig
		}
		isBuffer := name == "ArrayBuffer" || name == "SharedArrayBuffer"
		var wrapper *goja.Object
		wrapper = in.vm.ToValue(func(fc goja.ConstructorCall) *goja.Object {
			var n int64
			switch a := arg(fc.Arguments, 0).(type) {
			case *goja.Object:
				if !isBuffer {
					if _, isAB := a.Export().(goja.ArrayBuffer); !isAB && a.GetSymbol(goja.SymIterator) == nil {
						n = lengthOf(a) * bpe
					}
				}
			default:
				if !goja.IsUndefined(a) {
					n = toInt(a) * bpe
				}
			}
			if isBuffer {
				if opts, ok := arg(fc.Arguments, 1).(*goja.Object); ok {
					if m := opts.Get("maxByteLength"); m != nil && !goja.IsUndefined(m) {
						n = max(n, toInt(m))
					}
				}
			}
			if n > limit {
				tooBig(name, n, "bytes", limit)
			}
			if fc.NewTarget == nil || fc.NewTarget == wrapper {
				obj, err := in.vm.New(orig, fc.Arguments...)
				if err != nil {
					panic(err)
				}
				return obj
			}
			v, err := in.reflectConstruct()(goja.Undefined(), orig, in.vm.NewArray(toAny(fc.Arguments)...), fc.NewTarget)
			if err != nil {
				panic(err)
			}
			return v.(*goja.Object)
		}).(*goja.Object)
		proto := orig.Get("prototype")
		_ = wrapper.DefineDataProperty("prototype", proto, goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_FALSE)
		_ = wrapper.DefineDataProperty("name", in.vm.ToValue(name), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
		_ = wrapper.DefineDataProperty("length", orig.Get("length"), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
		_ = wrapper.SetPrototype(orig) // statics: from, of, isView, BYTES_PER_ELEMENT
		_ = proto.(*goja.Object).DefineDataProperty("constructor", wrapper, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
		_ = g.DefineDataProperty(name, wrapper, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	}
	return nil
}

func toAny(vs []goja.Value) []any {
	out := make([]any, len(vs))
	for i, v := range vs {
		out[i] = v
	}
	return out
}

// wrap replaces obj[name] with a native that runs check, then the original.
func (in *instance) wrap(obj *goja.Object, name string, check func(this goja.Value, args []goja.Value)) {
	origV := obj.Get(name).(*goja.Object)
	orig, _ := goja.AssertFunction(origV)
	in.replace(obj, name, int(origV.Get("length").ToInteger()), func(fc goja.FunctionCall) goja.Value {
		check(fc.This, fc.Arguments)
		v, err := orig(fc.This, fc.Arguments...)
		if err != nil {
			panic(err)
		}
		return v
	})
}

// replace defines obj[name] as a builtin method would be: writable,
// configurable, not enumerable, with its name and length.
func (in *instance) replace(obj *goja.Object, name string, length int, fn func(goja.FunctionCall) goja.Value) {
	f := in.vm.ToValue(fn).(*goja.Object)
	_ = f.DefineDataProperty("name", in.vm.ToValue(name), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	_ = f.DefineDataProperty("length", in.vm.ToValue(length), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	_ = obj.DefineDataProperty(name, f, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
}

// heapGuard watches the process heap while JS runs. goja has no per-runtime
// heap limit, so a script that keeps what it allocates (a string doubled in a
// loop, an array grown without end) is found by the growth of the live heap
// during its turn: each turn running when the live heap has grown by more
// than its MemoryLimit since the turn began (or the in-use heap by four
// times that) is interrupted with ErrMemoryLimit, and its runtime discarded.
// Turns shorter than one tick are never looked at.
type heapGuard struct {
	mu        sync.Mutex
	instances map[*instance]*turnMark
	once      sync.Once
	active    atomic.Int64
	kick      chan struct{}
	log       *slog.Logger
}

type turnMark struct {
	start time.Duration // turnStart of the turn it describes
	live  uint64        // live heap when the guard first saw the turn
	inUse uint64
}

// guardTick is how often the heap is read while some turn runs.
const guardTick = 2 * time.Millisecond

var guard = heapGuard{instances: map[*instance]*turnMark{}, kick: make(chan struct{}, 1)}

// SetGuardLogger sets where the heap guard reports the turns it stops.
func SetGuardLogger(l *slog.Logger) {
	guard.mu.Lock()
	guard.log = l
	guard.mu.Unlock()
}

func (g *heapGuard) start() {
	g.once.Do(func() { go g.watch() })
}

func (g *heapGuard) add(in *instance) {
	g.mu.Lock()
	g.instances[in] = &turnMark{}
	g.mu.Unlock()
}

func (g *heapGuard) remove(in *instance) {
	g.mu.Lock()
	delete(g.instances, in)
	g.mu.Unlock()
}

// enter and exit bracket every JS turn, so the watcher sleeps while no JS
// runs.
func (g *heapGuard) enter() {
	if g.active.Add(1) == 1 {
		select {
		case g.kick <- struct{}{}:
		default:
		}
	}
}

func (g *heapGuard) exit() { g.active.Add(-1) }

func (g *heapGuard) watch() {
	samples := []metrics.Sample{
		{Name: "/gc/heap/live:bytes"},
		{Name: "/memory/classes/heap/objects:bytes"},
	}
	for {
		if g.active.Load() == 0 {
			<-g.kick
		}
		time.Sleep(guardTick)
		sampleCPU()
		metrics.Read(samples)
		live, inUse := samples[0].Value.Uint64(), samples[1].Value.Uint64()
		if g.check(live, inUse) {
			// Give the memory of the discarded runtimes back soon.
			go debug.FreeOSMemory()
		}
	}
}

// check marks new turns and interrupts turns over their limit; it reports
// whether it interrupted any.
func (g *heapGuard) check(live, inUse uint64) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	killed := false
	for in, m := range g.instances {
		in.imu.Lock()
		start := in.turnStart
		in.imu.Unlock()
		if start == 0 {
			continue
		}
		if m.start != start {
			*m = turnMark{start: start, live: live, inUse: inUse}
			continue
		}
		limit := uint64(in.limits.MemoryLimit)
		if live > m.live+limit || inUse > m.inUse+4*limit {
			if in.kill(ErrMemoryLimit, 0) {
				killed = true
				if g.log != nil {
					g.log.LogAttrs(context.Background(), slog.LevelWarn, "script stopped by the heap guard",
						slog.Uint64("live_growth", live-min(live, m.live)), slog.Uint64("limit", limit))
				}
			}
		}
	}
	return killed
}
