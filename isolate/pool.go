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

// Binding is a host service bound into a handler's env under a name (a KV
// namespace, a queue, another deployment). The implementations live in this
// package; each wraps a small interface the embedder satisfies.
type Binding interface {
	// value builds the binding's JS object in one runtime.
	value(in *instance) (goja.Value, error)
}

// PoolConfig configures a Pool.
type PoolConfig struct {
	// Name identifies the deployment (and version) in logs.
	Name string
	// Script is the compiled handler every runtime runs.
	Script *Script
	// MinIdle runtimes are kept warm even when no request comes. Default 1;
	// 0 lets an idle pool shrink to nothing.
	MinIdle int
	// MaxSize bounds the runtimes (each serves one request at a time).
	// Default 64.
	MaxSize int
	// IdleTimeout closes runtimes beyond MinIdle that served nothing for
	// this long. Default 60s.
	IdleTimeout time.Duration
	// QueueSize bounds the requests waiting for a busy pool. Default 1024.
	QueueSize int
	// QueueTimeout bounds how long a request waits for a runtime before it
	// fails with ErrOverloaded. Default 5s.
	QueueTimeout time.Duration
	// Limits bound each request (zero fields take DefaultLimits).
	Limits Limits
	// Vars are the deployment's environment variables and secrets: env.KEY
	// and process.env.KEY.
	Vars map[string]string
	// Bindings are host services in env by name.
	Bindings map[string]Binding
	// Fetch configures outbound fetch(): the SSRF guard's allow-list,
	// timeout and subrequest caps (zero fields take DefaultFetchConfig).
	Fetch FetchConfig
	// Logger receives console output and script errors. Nil discards.
	Logger *slog.Logger
	// OverrunBurst is how much CPU time requests that break the CPU,
	// memory or wall limit may burn before the deployment is throttled (see
	// overrun.go); at least five CPU limits. Default 250ms.
	OverrunBurst time.Duration
	// OverrunShare is the share of one core such requests may use once the
	// burst is spent: the allowance refills at this rate. Default 0.05;
	// negative turns throttling off.
	OverrunShare float64
	// UserAgent is navigator.userAgent. Default "edgefn" (the binary sets
	// "edgefn/<version>").
	UserAgent string
}

// DefaultPoolConfig returns the defaults; Script must still be set.
func DefaultPoolConfig() PoolConfig {
	return PoolConfig{
		MinIdle:      1,
		MaxSize:      64,
		IdleTimeout:  60 * time.Second,
		QueueSize:    1024,
		QueueTimeout: 5 * time.Second,
		Limits:       DefaultLimits(),
		OverrunBurst: 250 * time.Millisecond,
		OverrunShare: 0.05,
		Fetch:        DefaultFetchConfig(),
		UserAgent:    "edgefn",
	}
}

func (c *PoolConfig) validate() error {
	switch {
	case c.Script == nil:
		return errors.New("isolate: pool config: Script is required")
	case c.MinIdle < 0:
		return fmt.Errorf("isolate: pool config: MinIdle %d is negative", c.MinIdle)
	case c.MaxSize < 1:
		return fmt.Errorf("isolate: pool config: MaxSize %d must be at least 1", c.MaxSize)
	case c.MinIdle > c.MaxSize:
		return fmt.Errorf("isolate: pool config: MinIdle %d exceeds MaxSize %d", c.MinIdle, c.MaxSize)
	case c.IdleTimeout <= 0:
		return fmt.Errorf("isolate: pool config: IdleTimeout %v must be positive", c.IdleTimeout)
	case c.QueueSize < 0:
		return fmt.Errorf("isolate: pool config: QueueSize %d is negative", c.QueueSize)
	case c.QueueTimeout < 0:
		return fmt.Errorf("isolate: pool config: QueueTimeout %v is negative", c.QueueTimeout)
	case c.OverrunBurst < 0:
		return fmt.Errorf("isolate: pool config: OverrunBurst %v is negative", c.OverrunBurst)
	case c.OverrunShare > 1:
		return fmt.Errorf("isolate: pool config: OverrunShare %v is above 1 (one core)", c.OverrunShare)
	}
	for k := range c.Bindings {
		if _, clash := c.Vars[k]; clash {
			return fmt.Errorf("isolate: pool config: %q is both a variable and a binding", k)
		}
	}
	if err := c.Fetch.validate(); err != nil {
		return err
	}
	return c.Limits.validate()
}

// Pool keeps warm runtimes of one script and hands each request to one of
// them. It grows on demand up to MaxSize, shrinks back to MinIdle when idle,
// and queues requests (bounded, with a deadline) when every runtime is busy.
type Pool struct {
	cfg     PoolConfig
	log     *slog.Logger
	fetcher *fetcher // outbound fetch(): the transport the runtimes share

	mu      sync.Mutex
	idle    []*instance // LIFO: the most recently used is warmest
	size    int         // live and starting instances
	waiters []*waiter   // FIFO
	closed  bool
	lastErr error // the last failure to start an instance
	janitor *time.Timer
	overrun overrun

	wg sync.WaitGroup

	stats poolCounters
}

type waiter struct {
	ch        chan *instance // capacity 1
	cancelled bool           // guarded by Pool.mu
}

type poolCounters struct {
	requests  atomic.Int64
	started   atomic.Int64
	discarded atomic.Int64
	rejected  atomic.Int64
	busy      atomic.Int64
	cpuNanos  atomic.Int64
	throttles atomic.Int64
}

// PoolStats is a snapshot of a pool's state and counters.
type PoolStats struct {
	Size      int   // live runtimes
	Idle      int   // runtimes waiting for work
	Busy      int64 // runtimes serving a request
	Waiting   int   // requests queued for a runtime
	Requests  int64 // requests handed to a runtime, ever
	Started   int64 // runtimes started, ever (cold starts)
	Discarded int64 // runtimes discarded after a limit or a broken state
	Rejected  int64 // requests refused with ErrOverloaded
	CPU       time.Duration
	Throttled bool  // requests run one at a time: they kept breaking limits
	Throttles int64 // times the deployment was throttled, ever
}

// NewPool starts a pool and warms MinIdle runtimes in the background.
func NewPool(cfg PoolConfig) (*Pool, error) {
	def := DefaultPoolConfig()
	if cfg.MaxSize == 0 {
		cfg.MaxSize = def.MaxSize
	}
	if cfg.IdleTimeout == 0 {
		cfg.IdleTimeout = def.IdleTimeout
	}
	if cfg.QueueSize == 0 {
		cfg.QueueSize = def.QueueSize
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = def.UserAgent
	}
	if cfg.QueueTimeout == 0 {
		cfg.QueueTimeout = def.QueueTimeout
	}
	if cfg.OverrunBurst == 0 {
		cfg.OverrunBurst = def.OverrunBurst
	}
	if cfg.OverrunShare == 0 {
		cfg.OverrunShare = def.OverrunShare
	}
	cfg.Limits = cfg.Limits.withDefaults()
	cfg.Fetch = cfg.Fetch.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	f, err := newFetcher(cfg.Fetch)
	if err != nil {
		return nil, fmt.Errorf("isolate: pool config: Fetch.%w", err)
	}
	p := &Pool{cfg: cfg, log: log, fetcher: f}
	p.overrun.burst, p.overrun.share = max(cfg.OverrunBurst, 5*cfg.Limits.CPUTime), cfg.OverrunShare
	guard.start()
	p.mu.Lock()
	for i := 0; i < cfg.MinIdle; i++ {
		p.grow()
	}
	p.mu.Unlock()
	return p, nil
}

// Script returns the script the pool runs.
func (p *Pool) Script() *Script { return p.cfg.Script }

// Limits returns the pool's limits, defaults filled in.
func (p *Pool) Limits() Limits { return p.cfg.Limits }

// Do runs the handler for req on a warm runtime and returns its response.
// It waits for a runtime up to QueueTimeout (ErrOverloaded after), and
// returns ctx's error if ctx ends first; the handler may go on running then,
// bounded by its limits.
func (p *Pool) Do(ctx context.Context, req *Request) (*Response, error) {
	return p.do(ctx, &call{ctx: ctx, req: req})
}

// do runs a call on a runtime and waits for its result. The calling
// goroutine runs the dispatch turn itself: a handler that answers without
// async work costs no goroutine hand-off. When work remains after that
// turn, the runtime's own goroutine takes the call over.
func (p *Pool) do(ctx context.Context, c *call) (*Response, error) {
	in, err := p.acquire(ctx)
	if err != nil {
		if c.done != nil {
			close(c.done)
		}
		return nil, err
	}
	p.stats.requests.Add(1)
	in.begin(c)
	if in.callDone(c) {
		in.endCall(c)
		out := c.out
		if !p.put(in) {
			close(in.calls)
		}
		return out.res, out.err
	}
	if c.responded {
		// waitUntil work or a streamed body goes on without the caller.
		out := c.out
		in.calls <- c
		return out.res, out.err
	}
	c.res = make(chan result, 1)
	in.calls <- c
	select {
	case r := <-c.res:
		return r.res, r.err
	case <-ctx.Done():
		return nil, fmt.Errorf("isolate: %s: %w", p.cfg.Name, ctx.Err())
	}
}

// Warm starts runtimes until n are idle or starting (bounded by MaxSize).
func (p *Pool) Warm(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for !p.closed && p.size < p.cfg.MaxSize && len(p.idle)+p.starting() < n {
		p.grow()
	}
}

// starting approximates the instances not yet idle or busy.
func (p *Pool) starting() int {
	return p.size - len(p.idle) - int(p.stats.busy.Load())
}

// acquire takes an idle instance, or waits for one.
func (p *Pool) acquire(ctx context.Context) (*instance, error) {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil, ErrClosed
	}
	if n := len(p.idle); n > 0 && p.admit() {
		in := p.idle[n-1]
		p.idle[n-1] = nil
		p.idle = p.idle[:n-1]
		p.stats.busy.Add(1)
		p.mu.Unlock()
		return in, nil
	}
	if len(p.idle) == 0 && p.size < p.cfg.MaxSize && (!p.overrun.throttle || p.size == 0) {
		p.grow()
	}
	if p.activeWaiters() >= p.cfg.QueueSize {
		p.mu.Unlock()
		p.stats.rejected.Add(1)
		return nil, fmt.Errorf("%w (%s: %d requests queued)", ErrOverloaded, p.cfg.Name, p.cfg.QueueSize)
	}
	w := &waiter{ch: make(chan *instance, 1)}
	p.waiters = append(p.waiters, w)
	p.mu.Unlock()

	t := time.NewTimer(p.cfg.QueueTimeout)
	defer t.Stop()
	var err error
	select {
	case in := <-w.ch:
		if in == nil {
			return nil, p.closedOrErr()
		}
		return in, nil
	case <-t.C:
		err = fmt.Errorf("%w (%s: waited %v)", ErrOverloaded, p.cfg.Name, p.cfg.QueueTimeout)
		p.mu.Lock()
		if p.overrun.throttle {
			err = fmt.Errorf("%w (%s: waited %v; the deployment is throttled: its requests keep breaking their limits)", ErrOverloaded, p.cfg.Name, p.cfg.QueueTimeout)
		}
		p.mu.Unlock()
		p.stats.rejected.Add(1)
	case <-ctx.Done():
		err = fmt.Errorf("isolate: %s: %w", p.cfg.Name, ctx.Err())
	}
	p.mu.Lock()
	w.cancelled = true
	p.mu.Unlock()
	// An instance may have been handed over while we gave up: pass it on.
	select {
	case in := <-w.ch:
		if in != nil && !p.put(in) {
			close(in.calls)
		}
	default:
	}
	return nil, err
}

func (p *Pool) closedOrErr() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return ErrClosed
	}
	if p.lastErr != nil {
		return p.lastErr
	}
	return ErrClosed
}

func (p *Pool) activeWaiters() int {
	n := 0
	for _, w := range p.waiters {
		if !w.cancelled {
			n++
		}
	}
	return n
}

// popWaiter removes and returns the oldest waiter still waiting. p.mu held.
func (p *Pool) popWaiter() *waiter {
	for len(p.waiters) > 0 {
		w := p.waiters[0]
		p.waiters[0] = nil
		p.waiters = p.waiters[1:]
		if !w.cancelled {
			return w
		}
	}
	return nil
}

// grow starts one instance in the background. p.mu held.
func (p *Pool) grow() {
	p.size++
	p.wg.Add(1)
	go p.run()
}

// run is an instance's goroutine for its whole life: build the runtime,
// offer it to the pool, serve calls.
func (p *Pool) run() {
	defer p.wg.Done()
	in, err := newInstance(p.cfg.Script, p, &p.cfg, p.log)
	if err != nil {
		p.log.Error("cannot start a runtime", "deployment", p.cfg.Name, "error", err)
		p.mu.Lock()
		p.size--
		p.lastErr = err
		if p.size == 0 {
			// Nothing will ever serve the queue: fail it now.
			for w := p.popWaiter(); w != nil; w = p.popWaiter() {
				w.ch <- nil
			}
		}
		p.mu.Unlock()
		return
	}
	p.stats.started.Add(1)
	guard.add(in)
	defer guard.remove(in)
	p.stats.busy.Add(1) // put counts it back out
	if !p.put(in) {
		return
	}
	in.loop()
}

// put takes an instance back after a call (or after it started). It
// reports whether the instance should keep running; when it returns false
// the instance's goroutine must exit.
func (p *Pool) put(in *instance) bool {
	p.stats.busy.Add(-1)
	p.mu.Lock()
	if in.broken != nil || p.closed {
		p.size--
		if in.broken != nil {
			p.stats.discarded.Add(1)
			if !p.closed && (p.size < p.cfg.MinIdle || p.activeWaiters() > 0) {
				p.grow()
			}
		}
		p.mu.Unlock()
		if in.broken != nil {
			p.log.Warn("runtime discarded", "deployment", p.cfg.Name, "reason", in.broken.Error())
		}
		return false
	}
	if p.activeWaiters() > 0 && p.admit() {
		w := p.popWaiter()
		p.stats.busy.Add(1)
		p.mu.Unlock()
		w.ch <- in
		return true
	}
	in.lastUsed = time.Now()
	p.idle = append(p.idle, in)
	p.armJanitor()
	p.mu.Unlock()
	return true
}

// armJanitor schedules the shrinking of idle instances. p.mu held.
func (p *Pool) armJanitor() {
	if p.janitor != nil || len(p.idle) <= p.cfg.MinIdle {
		return
	}
	p.janitor = time.AfterFunc(p.cfg.IdleTimeout, p.shrink)
}

// shrink closes instances idle past IdleTimeout, keeping MinIdle.
func (p *Pool) shrink() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.janitor = nil
	if p.closed {
		return
	}
	cutoff := time.Now().Add(-p.cfg.IdleTimeout)
	// idle is LIFO: the oldest are first.
	n := 0
	for n < len(p.idle)-p.cfg.MinIdle && p.idle[n].lastUsed.Before(cutoff) {
		close(p.idle[n].calls)
		p.idle[n] = nil
		n++
	}
	if n > 0 {
		p.idle = append(p.idle[:0], p.idle[n:]...)
		p.size -= n
	}
	p.armJanitor()
}

// Stats returns a snapshot of the pool's counters.
func (p *Pool) Stats() PoolStats {
	p.mu.Lock()
	s := PoolStats{Size: p.size, Idle: len(p.idle), Waiting: p.activeWaiters(), Throttled: p.overrun.throttle}
	p.mu.Unlock()
	s.Busy = p.stats.busy.Load()
	s.Requests = p.stats.requests.Load()
	s.Started = p.stats.started.Load()
	s.Discarded = p.stats.discarded.Load()
	s.Rejected = p.stats.rejected.Load()
	s.CPU = time.Duration(p.stats.cpuNanos.Load())
	s.Throttles = p.stats.throttles.Load()
	return s
}

// Close stops the pool: queued requests fail with ErrClosed, idle runtimes
// stop, busy ones stop after their current request. It waits for every
// runtime to stop. Close is idempotent.
func (p *Pool) Close() {
	p.mu.Lock()
	if !p.closed {
		p.closed = true
		for w := p.popWaiter(); w != nil; w = p.popWaiter() {
			w.ch <- nil
		}
		for _, in := range p.idle {
			close(in.calls)
		}
		p.size -= len(p.idle)
		p.idle = nil
		if p.janitor != nil {
			p.janitor.Stop()
			p.janitor = nil
		}
		if p.overrun.timer != nil {
			p.overrun.timer.Stop()
		}
	}
	p.mu.Unlock()
	p.wg.Wait()
	p.fetcher.close()
}
