package isolate

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dop251/goja"
)

// epoch anchors the monotonic clock readings taken around JS turns.
var epoch = time.Now()

func monotonic() time.Duration { return time.Since(epoch) }

var instanceIDs atomic.Uint64

// instance is one warm goja runtime. One goroutine at a time owns its VM:
// the caller that took it from the pool runs a request's dispatch turn (and
// the microtasks it drains) itself, and when the request still has async
// work after that turn (timers, Go work, a streamed body, waitUntil), it
// hands the instance to the instance's own goroutine (loop), which runs the
// rest. Every callback from other goroutines reaches the VM as a task posted
// to the loop.
type instance struct {
	pool   *Pool // nil for the probe instance made by Load
	cfg    *PoolConfig
	script *Script
	limits Limits
	log    *slog.Logger
	id     uint64
	// origin is when the runtime was made (monotonic() and wall clock):
	// performance.timeOrigin, the zero of performance.now().
	origin     time.Duration
	originWall time.Time

	vm        *goja.Runtime
	internal  *goja.Object // hidden helpers shared by the globals' JS
	kState    *goja.Symbol // key of the internal state of Request/Response/Headers...
	kCall     *goja.Symbol // key of the call token on per-request objects
	handler   handler
	env       *goja.Object
	intr      intrinsics
	protos    protos
	installed []bool // by index in globals
	// keep holds the targets WeakRefs were made with or read from in the
	// current turn: they stay alive until it ends (KeepDuringJob).
	keep []*goja.Object
	// lastHost is the host object newHost made last in the current turn,
	// lastState its state: stateOf finds it without goja's Export, which
	// allocates (the handler's Response is read back in the turn that
	// made it).
	lastHost  *goja.Object
	lastState hostState
	// platformProtos are the prototypes of the classes the installed
	// globals define, by class name (see platformProto); protosAt is
	// nInstalled when it was built.
	platformProtos       map[*goja.Object]string
	nInstalled, protosAt int
	// defaultCollator serves localeCompare without locales or options.
	defaultCollator *collator
	// bodyExtractors turn values of types other globals define (Blob,
	// FormData) into a body and its content type.
	bodyExtractors []func(obj *goja.Object) (body, string, bool)

	calls chan *call    // calls handed over after their dispatch turn; closed to stop the instance
	wake  chan struct{} // capacity 1: tasks were posted or a timer fired

	mu    sync.Mutex
	tasks []task
	spare []task

	// imu guards the limit state read by timer callbacks on other goroutines.
	imu       sync.Mutex
	turnStart time.Duration // monotonic() when the current JS turn began; 0 between turns
	turnCPU   time.Duration // CPU budget left for the current turn when it began
	cpuPaused bool          // the platform is installing a global: the clock is stopped
	turnBase  *cpuSample    // the process CPU sample read before the turn began (cpuclock.go)
	killErr   error         // the limit that interrupted the VM, if any
	// The limit timers are set lazily: a timer that fires no later than the
	// deadline that matters now is left as it is, and its callback, finding
	// that deadline not reached, sets it again for what is left. A Reset and
	// a Stop per turn and per call cost as much as the rest of a turn's
	// bookkeeping; this way a run of short turns costs none, and each timer
	// fires at most about once per limit period.
	cpuTimer  *time.Timer
	cpuAt     time.Duration // monotonic() at which cpuTimer fires; 0: not set (it fired, or was stopped)
	wallTimer *time.Timer
	wallAt    time.Duration // monotonic() at which wallTimer fires; 0: not set
	wallEnd   time.Duration // the current phase's wall deadline; 0: none (between calls, or streaming)
	wallFired atomic.Bool

	// Owner only (the goroutine holding the instance).
	cur        *call
	seq        uint64 // call token: increments per call
	broken     error  // discard the instance after the current call
	lastUsed   time.Time
	rejections []*goja.Promise
	swFetch    []goja.Value // service-worker 'fetch' listeners
	nextTimer  int64
	argBuf     [3]goja.Value // a handler call's arguments (args)
}

// args returns vs as a handler call's argument list in a buffer the
// instance keeps: a variadic call would allocate the slice per request.
// goja copies arguments onto its own stack, and a handler call never nests
// inside another, so the buffer is free again once the call started.
func (in *instance) args(vs ...goja.Value) []goja.Value {
	n := copy(in.argBuf[:], vs)
	return in.argBuf[:n]
}

type task struct {
	c  *call // nil: not tied to a request
	fn func() error
}

// call is one request's life on an instance.
type call struct {
	ctx context.Context
	req *Request
	out result // the response or error, once responded
	// res, when set (capacity 1), receives out: the caller waits on it
	// when the response was not known by the end of the dispatch turn.
	res   chan result
	done  chan struct{} // closed when the call ended (events only)
	token uint64

	kind  int // eventFetch, eventScheduled, eventQueue
	sched *ScheduledEvent
	batch *QueueBatch
	disp  map[string]QueueDisposition

	cpu       time.Duration
	responded bool
	ended     bool
	pendingIO int // async Go work and stream pulls reserved and not yet back
	waitUntil int // unsettled waitUntil promises
	timers    map[int64]*jsTimer
	timerQ    timerQueue // c's timers in the order they run (timers.go)
	stream    *bodyStream
	fetch     *callFetch // outbound fetch() state, made on the first fetch
	// signal is the incoming request's AbortSignal, once a script read it.
	signal goja.Value
	// onEnd runs when the call ends: natives register what stops their
	// off-loop work early (a cancelled context, a KV watch).
	onEnd []func()
	// objs holds what almost every fetch call makes, allocated with it.
	objs callObjects
}

// callObjects is room, in the call's own allocation, for what a fetch call
// makes on almost every request: the state of the handler's Request and
// ctx, of the first Response made while the call is current, and the Go
// Response handed to the caller, with room for a few headers and a short
// body. Nothing in it is reused: each call is a new allocation, and an
// object that outlives its request (a script keeping the Request, ctx or a
// Response in a global) keeps that call's memory alive, not a slot that
// another request gets.
type callObjects struct {
	req      requestState
	ctx      ctxState
	resp     responseState
	respUsed bool
	out      Response
	outUsed  bool
	outHdr   [2]HeaderField
	outBody  [32]byte
}

type result struct {
	res *Response
	err error
}

// newInstance builds a runtime with every global installed and the script
// run, on the calling goroutine (which then owns it).
func newInstance(s *Script, p *Pool, cfg *PoolConfig, log *slog.Logger) (*instance, error) {
	in := &instance{
		pool:       p,
		cfg:        cfg,
		script:     s,
		limits:     cfg.Limits,
		log:        log,
		id:         instanceIDs.Add(1),
		vm:         goja.New(),
		origin:     monotonic(),
		originWall: time.Now(),
		calls:      make(chan *call, 1),
		wake:       make(chan struct{}, 1),
	}
	in.cpuTimer = time.AfterFunc(time.Hour, in.onCPUTimer)
	in.cpuTimer.Stop()
	in.wallTimer = time.AfterFunc(time.Hour, in.onWallTimer)
	in.wallTimer.Stop()
	vm := in.vm
	vm.SetMaxCallStackSize(in.limits.MaxStackDepth)
	vm.SetFieldNameMapper(opaqueGo{})
	vm.SetPromiseRejectionTracker(in.trackRejection)
	in.kState = goja.NewSymbol("edgefn.state")
	in.kCall = goja.NewSymbol("edgefn.call")
	in.internal = vm.NewObject()
	if err := installGlobals(in); err != nil {
		in.stopTimers()
		return nil, err
	}
	if err := in.buildEnv(); err != nil {
		in.stopTimers()
		return nil, err
	}
	if err := in.runScript(); err != nil {
		in.stopTimers()
		return nil, err
	}
	return in, nil
}

// runScript runs the user's bundle and resolves its handler.
func (in *instance) runScript() error {
	var err error
	in.runTurn(nil, func() error {
		_, err = in.vm.RunProgram(in.script.program)
		return err
	})
	if kill := in.takeKill(); kill != nil {
		return fmt.Errorf("isolate: %s: running the script's global scope: %w", in.script.name, kill)
	}
	if err != nil {
		return fmt.Errorf("isolate: %s: the script threw at global scope: %w", in.script.name, in.scriptError(err))
	}
	h, err := in.resolveHandler()
	if err != nil {
		return err
	}
	in.handler = h
	if h.shape() != ShapeModule {
		// Only module handlers receive env; the other shapes see the
		// deployment's variables and bindings as globals (as Workers'
		// service-worker scripts do).
		for _, k := range in.env.Keys() {
			if err := in.vm.GlobalObject().DefineDataProperty(k, in.env.Get(k), goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE); err != nil {
				return fmt.Errorf("isolate: %s: binding %q as a global: %w", in.script.name, k, err)
			}
		}
	}
	return nil
}

// vars returns the deployment's variables and secrets.
func (in *instance) vars() map[string]string { return in.cfg.Vars }

// buildEnv makes the env object handed to module handlers.
func (in *instance) buildEnv() error {
	env := in.vm.NewObject()
	for k, v := range in.cfg.Vars {
		_ = env.Set(k, v)
	}
	for k, b := range in.cfg.Bindings {
		v, err := b.value(in)
		if err != nil {
			return fmt.Errorf("isolate: binding %q: %w", k, err)
		}
		_ = env.Set(k, v)
	}
	in.env = env
	return nil
}

func (in *instance) stopTimers() {
	in.imu.Lock()
	in.cpuTimer.Stop()
	in.wallTimer.Stop()
	in.cpuAt, in.wallAt, in.wallEnd = 0, 0, 0
	in.imu.Unlock()
}

// armCPU makes sure cpuTimer fires no later than at (imu held).
func (in *instance) armCPU(now, at time.Duration) {
	if in.cpuAt == 0 || in.cpuAt > at {
		in.cpuAt = at
		in.cpuTimer.Reset(at - now)
	}
}

// setWall sets the wall deadline of the current phase (0: none) and makes
// sure wallTimer fires no later than it (imu held).
func (in *instance) setWall(now, end time.Duration) {
	in.wallEnd = end
	if end != 0 && (in.wallAt == 0 || in.wallAt > end) {
		in.wallAt = end
		in.wallTimer.Reset(end - now)
	}
}

// loop finishes the calls handed to it after their dispatch turn, until the
// calls channel is closed (the pool let the instance go), handing the
// instance back to the pool after each.
func (in *instance) loop() {
	defer in.stopTimers()
	for c := range in.calls {
		in.finish(c)
		if !in.pool.put(in) {
			return
		}
	}
}

// post queues fn to run on the loop goroutine. c ties it to a call: when
// that call has ended by the time the task runs, the task is dropped.
// Safe from any goroutine.
func (in *instance) post(c *call, fn func() error) {
	in.mu.Lock()
	in.tasks = append(in.tasks, task{c: c, fn: fn})
	in.mu.Unlock()
	select {
	case in.wake <- struct{}{}:
	default:
	}
}

// reserve registers async Go work for the current call and returns the
// function that work must call exactly once, from any goroutine, with the
// continuation to run on the loop. The call does not count as hung while a
// reservation is outstanding.
func (in *instance) reserve() func(func() error) {
	c := in.cur
	if c == nil {
		return func(func() error) {}
	}
	c.pendingIO++
	var once sync.Once
	return func(fn func() error) {
		once.Do(func() {
			in.post(c, func() error {
				c.pendingIO--
				return fn()
			})
		})
	}
}

// runTasks runs every task posted so far, each as one JS turn.
func (in *instance) runTasks() {
	in.mu.Lock()
	tasks := in.tasks
	in.tasks = in.spare[:0]
	in.mu.Unlock()
	for i, t := range tasks {
		tasks[i] = task{}
		if t.c != nil && (t.c != in.cur || t.c.ended) {
			continue
		}
		if in.broken != nil {
			continue
		}
		in.runTurn(t.c, t.fn)
	}
	in.spare = tasks[:0]
}

// runTurn runs fn as one turn of JS under the CPU limit and accounts the
// time it took to c (if any). fn's error is an exception that escaped.
func (in *instance) runTurn(c *call, fn func() error) {
	budget := in.limits.CPUTime
	if c != nil {
		budget -= c.cpu
		if budget <= 0 {
			budget = time.Nanosecond
		}
	}
	base := lastCPUSample.Load()
	start := monotonic()
	in.imu.Lock()
	in.turnStart = start
	in.turnCPU = budget
	in.turnBase = base
	in.armCPU(start, start+budget)
	in.imu.Unlock()
	guard.enter()
	err := safeRun(fn)
	guard.exit()
	clear(in.keep)
	in.keep = in.keep[:0]
	in.lastHost, in.lastState = nil, nil
	in.imu.Lock()
	d := monotonic() - in.turnStart
	if d > time.Millisecond {
		d = chargeCap(in.turnBase, in.turnStart, d)
	}
	in.turnStart = 0
	kill := in.killErr
	in.imu.Unlock()
	if c != nil {
		c.cpu += d
	}
	if kill != nil {
		in.broken = kill
		if c != nil {
			in.fail(c, kill)
		}
		return
	}
	if err != nil {
		// An exception escaped a task or timer callback: nothing can catch
		// it any more. The instance may hold half-updated state: discard it.
		se := in.scriptError(err)
		if in.broken == nil {
			in.broken = se
		}
		if c != nil {
			in.fail(c, se)
		}
		return
	}
	in.reportRejections(c)
}

// safeRun runs fn, turning a Go panic from a native into an error so a bug
// in a global never takes the process down.
func safeRun(fn func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			if e, ok := r.(error); ok {
				err = fmt.Errorf("isolate: internal error: %w", e)
			} else {
				err = fmt.Errorf("isolate: internal error: %v", r)
			}
		}
	}()
	return fn()
}

// onCPUTimer fires on a timer goroutine when the current turn may have used
// up its CPU budget.
func (in *instance) onCPUTimer() {
	in.imu.Lock()
	defer in.imu.Unlock()
	in.cpuAt = 0 // this fire is spent
	if in.turnStart == 0 || in.killErr != nil || in.cpuPaused {
		return // between turns the next turn sets the timer; resuming a pause does
	}
	now := monotonic()
	elapsed := now - in.turnStart
	if elapsed < in.turnCPU {
		// Set for an earlier deadline (an earlier turn's, lazily kept):
		// this turn's budget is not spent.
		in.armCPU(now, in.turnStart+in.turnCPU)
		return
	}
	if used := chargeCap(in.turnBase, in.turnStart, elapsed); used < in.turnCPU {
		// The wall clock ran ahead of the CPU the process could have
		// given this turn (the machine is busy elsewhere): look again
		// when the budget could be spent.
		in.armCPU(now, now+max(in.turnCPU-used, time.Millisecond))
		return
	}
	in.killErr = fmt.Errorf("%w (%v)", ErrCPUTime, in.limits.CPUTime)
	in.vm.Interrupt(in.killErr)
}

// pauseCPU stops the current turn's CPU clock while the platform does work
// the script did not ask for in that amount, such as compiling and
// installing a global on first use; the returned func starts it again with
// the budget that was left. Outside a turn, or when already paused, both
// are no-ops. The wall limit keeps running.
func (in *instance) pauseCPU() (resume func()) {
	in.imu.Lock()
	if in.turnStart == 0 || in.cpuPaused {
		in.imu.Unlock()
		return func() {}
	}
	in.cpuPaused = true
	t0 := monotonic()
	in.imu.Unlock()
	return func() {
		in.imu.Lock()
		now := monotonic()
		in.turnStart += now - t0
		in.cpuPaused = false
		in.armCPU(now, in.turnStart+in.turnCPU)
		in.imu.Unlock()
	}
}

// onWallTimer fires when the current call's wall deadline passed.
func (in *instance) onWallTimer() {
	in.imu.Lock()
	in.wallAt = 0 // this fire is spent
	if now := monotonic(); in.wallEnd == 0 || now < in.wallEnd {
		// No deadline now, or a later one than the timer was set for
		// (lazily kept from an earlier call or phase): set it again.
		in.setWall(now, in.wallEnd)
		in.imu.Unlock()
		return
	}
	in.wallFired.Store(true)
	if in.turnStart != 0 && in.killErr == nil {
		in.killErr = fmt.Errorf("%w (%v)", ErrWallTime, in.limits.WallTime)
		in.vm.Interrupt(in.killErr)
	}
	in.imu.Unlock()
	select {
	case in.wake <- struct{}{}:
	default:
	}
}

// kill interrupts the VM if it is running JS; it is how the memory guard
// stops a runaway turn. It reports whether it interrupted anything.
func (in *instance) kill(err error, minTurn time.Duration) bool {
	in.imu.Lock()
	defer in.imu.Unlock()
	if in.turnStart == 0 || in.killErr != nil || monotonic()-in.turnStart < minTurn {
		return false
	}
	in.killErr = err
	in.vm.Interrupt(err)
	return true
}

// killPending reports whether a limit interrupted the current turn; long
// natives check it to stop early.
func (in *instance) killPending() bool {
	in.imu.Lock()
	defer in.imu.Unlock()
	return in.killErr != nil
}

// takeKill returns and keeps the kill error (the instance stays broken).
func (in *instance) takeKill() error {
	in.imu.Lock()
	defer in.imu.Unlock()
	return in.killErr
}

// begin starts c and runs its dispatch turn (with the microtasks it
// drains): for a handler that answers without async work, the whole call.
func (in *instance) begin(c *call) {
	in.seq++
	c.token = in.seq
	in.cur = c
	in.wallFired.Store(false)
	in.imu.Lock()
	now := monotonic()
	in.setWall(now, now+in.limits.WallTime)
	in.imu.Unlock()

	in.runTurn(c, func() error {
		if c.kind != eventFetch {
			return in.dispatchEvent(c)
		}
		return in.dispatch(c)
	})
}

// finish runs c's remaining work after its dispatch turn (tasks, timers, a
// streamed body, waitUntil) and ends it.
func (in *instance) finish(c *call) {
	phase := phaseResponse
	for !in.callDone(c) {
		phase = in.advance(c, phase)
		if in.wallFired.Swap(false) {
			if phase == phaseResponse {
				in.fail(c, fmt.Errorf("%w (%v)", ErrWallTime, in.limits.WallTime))
				if c.signal != nil {
					// Let what the request started (fetches, streams) see
					// it end; the request has failed already, so what the
					// listeners answer is not sent.
					in.runTurn(c, func() error {
						in.abortRequestSignal(c, in.domException("TimeoutError", fmt.Sprintf("the request ran out of wall time (%v)", in.limits.WallTime)))
						return nil
					})
				}
				continue
			}
			if phase == phaseWaitUntil {
				in.log.Warn("waitUntil work cut off at its time limit", "request_id", c.req.ID, "limit", in.limits.WaitUntil, "pending", c.waitUntil)
				break
			}
		}
		if in.idle(c) {
			switch {
			case !c.responded:
				in.fail(c, ErrHung)
			case c.stream != nil:
				c.stream.fail(fmt.Errorf("%w (its body stream)", ErrHung))
			default:
				in.log.Warn("waitUntil promise can never settle: nothing it waits for is pending", "request_id", c.req.ID, "pending", c.waitUntil)
				in.endCall(c)
				return
			}
			continue
		}
		<-in.wake
		in.runTasks()
	}
	in.endCall(c)
}

// The phases of a call, each with its own deadline on the wall timer.
const (
	phaseResponse  = iota // until the response: Limits.WallTime
	phaseStream           // streaming the body: no wall limit (CPU still counts)
	phaseWaitUntil        // waitUntil work: Limits.WaitUntil
)

// advance moves c to the phase its state is in, re-arming the wall timer.
func (in *instance) advance(c *call, phase int) int {
	switch {
	case !c.responded:
		return phaseResponse
	case c.stream != nil:
		if phase != phaseStream {
			in.imu.Lock()
			in.setWall(0, 0)
			in.wallFired.Store(false)
			in.imu.Unlock()
		}
		return phaseStream
	default:
		if phase != phaseWaitUntil {
			in.imu.Lock()
			now := monotonic()
			in.setWall(now, now+in.limits.WaitUntil)
			in.wallFired.Store(false)
			in.imu.Unlock()
		}
		return phaseWaitUntil
	}
}

// callDone: the response went out (or failed), every waitUntil promise
// settled and a streamed body was drained or cancelled.
func (in *instance) callDone(c *call) bool {
	return in.broken != nil || (c.responded && c.waitUntil == 0 && c.stream == nil)
}

// idle reports that nothing can make progress on c any more: no task is
// queued, no timer is armed, no async work is outstanding, and a streamed
// body (if any) has a read outstanding that nothing can satisfy.
func (in *instance) idle(c *call) bool {
	if c.pendingIO > 0 || len(c.timers) > 0 {
		return false
	}
	if c.stream != nil && !c.stream.pulling {
		return false // waiting for the host to ask for the next chunk
	}
	in.mu.Lock()
	n := len(in.tasks)
	in.mu.Unlock()
	return n == 0 && !in.wallFired.Load()
}

// endCall releases everything the call left behind: timers are cancelled,
// late callbacks are dropped, a streamed body is failed.
func (in *instance) endCall(c *call) {
	in.imu.Lock()
	in.wallEnd = 0
	in.imu.Unlock()
	c.ended = true
	for _, f := range c.onEnd {
		f()
	}
	c.onEnd = nil
	for _, t := range c.timers {
		t.timer.Stop()
	}
	c.timers, c.timerQ = nil, nil
	if c.stream != nil {
		c.stream.finish(errors.New("isolate: the request ended before its body stream finished"))
	}
	if !c.responded {
		in.fail(c, ErrHung)
	}
	if c.done != nil {
		close(c.done)
	}
	in.cur = nil
	if in.pool != nil {
		in.pool.stats.cpuNanos.Add(int64(c.cpu))
		if in.broken != nil {
			in.pool.chargeOverrun(c.cpu, in.broken)
		}
	}
	// Drop queued tasks of ended calls so they do not pin memory.
	in.mu.Lock()
	kept := in.tasks[:0]
	for _, t := range in.tasks {
		if t.c == nil {
			kept = append(kept, t)
		}
	}
	for i := len(kept); i < len(in.tasks); i++ {
		in.tasks[i] = task{}
	}
	in.tasks = kept
	in.mu.Unlock()
}

// respond delivers the call's response (once).
func (in *instance) respond(c *call, r *Response) {
	if c.responded {
		return
	}
	c.responded = true
	c.out = result{res: r}
	if c.res != nil {
		c.res <- c.out
	}
}

// fail delivers an error instead of a response, or logs it when the
// response already went out.
func (in *instance) fail(c *call, err error) {
	if c.responded {
		var se *ScriptError
		if errors.As(err, &se) {
			in.log.Error("uncaught exception after the response was sent", "request_id", c.req.ID, "error", se.Error(), "stack", se.Stack)
		}
		return
	}
	c.responded = true
	c.out = result{err: err}
	if c.res != nil {
		c.res <- c.out
	}
}

// trackRejection records promises rejected with no handler; they are
// reported after the turn (a handler attached later in the same turn
// removes them).
func (in *instance) trackRejection(p *goja.Promise, op goja.PromiseRejectionOperation) {
	switch op {
	case goja.PromiseRejectionReject:
		in.rejections = append(in.rejections, p)
	case goja.PromiseRejectionHandle:
		for i, q := range in.rejections {
			if q == p {
				in.rejections = append(in.rejections[:i], in.rejections[i+1:]...)
				break
			}
		}
	}
}

func (in *instance) reportRejections(c *call) {
	if len(in.rejections) == 0 {
		return
	}
	for _, p := range in.rejections {
		se := in.valueError(p.Result())
		id := ""
		if c != nil {
			id = c.req.ID
		}
		in.log.Error("uncaught (in promise)", "request_id", id, "error", se.Error(), "stack", se.Stack)
	}
	in.rejections = in.rejections[:0]
}

// scriptError turns an error from goja into a ScriptError with a
// source-mapped stack, or passes limit errors through.
func (in *instance) scriptError(err error) error {
	var ie *goja.InterruptedError
	if errors.As(err, &ie) {
		if e, ok := ie.Value().(error); ok {
			return e
		}
		return err
	}
	var so *goja.StackOverflowError
	if errors.As(err, &so) {
		return fmt.Errorf("%w (%d frames)", ErrStackOverflow, in.limits.MaxStackDepth)
	}
	var ex *goja.Exception
	if errors.As(err, &ex) {
		se := in.valueError(ex.Value())
		if se.Stack == "" {
			se.Stack = ex.String()
		}
		return se
	}
	return err
}

// valueError describes a thrown JS value.
func (in *instance) valueError(v goja.Value) *ScriptError {
	se := &ScriptError{}
	if v == nil || goja.IsUndefined(v) || goja.IsNull(v) {
		se.Message = fmt.Sprint(v)
		return se
	}
	if obj, ok := v.(*goja.Object); ok {
		if in.vm.InstanceOf(obj, in.errorCtor()) {
			se.Name = obj.Get("name").String()
			se.Message = obj.Get("message").String()
			if st := obj.Get("stack"); st != nil && !goja.IsUndefined(st) {
				se.Stack = st.String()
			}
			return se
		}
	}
	se.Message = inspectValue(in.vm, v)
	return se
}
