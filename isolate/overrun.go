package isolate

import (
	"errors"
	"time"
)

// Overrun throttling. A JS turn cannot be preempted except by killing it,
// and Go's scheduler gives a CPU-bound goroutine 10 ms slices: a deployment
// whose requests each spin until the CPU limit kills them keeps its
// runtimes' goroutines running back to back, and every other deployment's
// requests wait behind them (on one core, a hello world fell from ~10,000
// to ~70 requests/s while another deployment looped; see docs/BENCHMARKS.md).
// The CPU those requests burn is wasted, since they fail, so a pool keeps an
// allowance for it: OverrunBurst (at least five CPU limits) of CPU time,
// refilled at OverrunShare of one core. Requests that break the CPU, memory
// or wall limit draw on it; once it is spent the deployment is throttled:
// a request starts only while the allowance covers the worst case (a CPU
// limit each) of it and the deployment's requests already running, so at
// most one runs while the allowance is low and none while it is in debt,
// and the rest wait in the pool's queue (503 after QueueTimeout), holding
// no CPU. Sustained, the deployment's failing requests get OverrunShare of a
// core. It leaves the throttle when the allowance is full again.
// Deployments that stay within their limits never notice.

// overrun is a pool's allowance. Guarded by Pool.mu.
type overrun struct {
	burst    time.Duration
	share    float64       // refill rate: CPU seconds per second
	level    time.Duration // what is left; negative while in debt
	last     time.Time     // when level was last brought up to date
	throttle bool
	timer    *time.Timer // hands out waiting requests once level is back
}

// refill brings the allowance up to now.
func (o *overrun) refill(now time.Time) {
	if o.last.IsZero() {
		o.level, o.last = o.burst, now
		return
	}
	o.level += time.Duration(float64(now.Sub(o.last)) * o.share)
	o.last = now
	if o.level >= o.burst {
		o.level = o.burst
	}
}

// isOverrun reports whether a runtime was broken by one of the limits whose
// CPU the allowance accounts for.
func isOverrun(err error) bool {
	return errors.Is(err, ErrCPUTime) || errors.Is(err, ErrMemoryLimit) || errors.Is(err, ErrWallTime)
}

// chargeOverrun draws a limit-breaking call's CPU time from the allowance.
// Called by the runtime's goroutine when the call ends.
func (p *Pool) chargeOverrun(cpu time.Duration, broken error) {
	if p.cfg.OverrunShare <= 0 || !isOverrun(broken) {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	o := &p.overrun
	o.refill(time.Now())
	o.level -= cpu
	if o.level < 0 && !o.throttle {
		o.throttle = true
		p.stats.throttles.Add(1)
		p.log.Warn("deployment throttled: its requests keep breaking their limits; they now run one at a time, within its overrun allowance",
			"deployment", p.cfg.Name, "cause", broken.Error(), "allowance", p.cfg.OverrunBurst, "share", p.cfg.OverrunShare)
	}
}

// admit reports whether a request may be handed a runtime now. p.mu held.
func (p *Pool) admit() bool {
	o := &p.overrun
	if !o.throttle {
		return true
	}
	now := time.Now()
	o.refill(now)
	if o.level >= o.burst {
		o.throttle = false
		p.log.Info("deployment no longer throttled", "deployment", p.cfg.Name)
		return true
	}
	if busy := p.stats.busy.Load(); o.level >= 0 && (busy == 0 || time.Duration(busy+1)*p.cfg.Limits.CPUTime <= o.level) {
		return true
	}
	p.armOverrunTimer(now)
	return false
}

// armOverrunTimer schedules handing out waiting requests when the allowance
// is back above zero (or, with a request still running, to look again).
// p.mu held.
func (p *Pool) armOverrunTimer(now time.Time) {
	o := &p.overrun
	wait := 10 * time.Millisecond
	if o.level < 0 {
		wait = max(wait, time.Duration(float64(-o.level)/o.share))
	}
	if o.timer == nil {
		o.timer = time.AfterFunc(wait, p.handOut)
		return
	}
	o.timer.Reset(wait)
}

// handOut gives idle runtimes to waiting requests as far as admit allows.
func (p *Pool) handOut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for !p.closed && len(p.idle) > 0 && p.activeWaiters() > 0 && p.admit() {
		w := p.popWaiter()
		in := p.idle[len(p.idle)-1]
		p.idle[len(p.idle)-1] = nil
		p.idle = p.idle[:len(p.idle)-1]
		p.stats.busy.Add(1)
		w.ch <- in
	}
}
