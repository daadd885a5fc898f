package isolate

import (
	"errors"
	"fmt"
	"time"
)

// Limits bound what one request may consume. Every deployment has its own;
// the zero value of a field means "use the default".
type Limits struct {
	// WallTime bounds the time from the start of a request until its
	// Response is ready. Default 30s (as on Workers). Past it the request
	// fails with ErrWallTime (HTTP 504).
	WallTime time.Duration
	// WaitUntil bounds the ctx.waitUntil work that runs after the response
	// was sent. Default 30s.
	WaitUntil time.Duration
	// CPUTime bounds the time spent running JS for one request, summed
	// over all its turns (the dispatch turn and those of the event loop; see
	// docs/ARCHITECTURE.md for the method). Default 50ms.
	CPUTime time.Duration
	// MaxStackDepth bounds JS call depth. Default 5000 frames.
	MaxStackDepth int
	// MaxBodySize is the largest request body accepted, in bytes; the
	// front door answers 413 beyond it. Default 100 MiB.
	MaxBodySize int64
	// MaxResponseSize is the largest response body a handler may send, in
	// bytes; the front door enforces it. A streamed body that grows past it
	// is cut off (the client sees a truncated response) and its stream
	// cancelled. Default 512 MiB.
	MaxResponseSize int64
	// MemoryLimit is the most memory one allocation by a builtin may ask
	// for (String.prototype.repeat, padStart, Array.prototype.join, typed
	// arrays...), and the heap growth past which running scripts are
	// interrupted. Default 128 MiB per request, as on Workers.
	MemoryLimit int64
}

// DefaultLimits returns the limits used for every zero field of Limits.
func DefaultLimits() Limits {
	return Limits{
		WallTime:      30 * time.Second,
		WaitUntil:     30 * time.Second,
		CPUTime:       50 * time.Millisecond,
		MaxStackDepth: 5000,
		MaxBodySize:   100 << 20,
		MemoryLimit:   128 << 20,

		MaxResponseSize: 512 << 20,
	}
}

// withDefaults fills zero fields from DefaultLimits.
func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.WallTime == 0 {
		l.WallTime = d.WallTime
	}
	if l.WaitUntil == 0 {
		l.WaitUntil = d.WaitUntil
	}
	if l.CPUTime == 0 {
		l.CPUTime = d.CPUTime
	}
	if l.MaxStackDepth == 0 {
		l.MaxStackDepth = d.MaxStackDepth
	}
	if l.MaxBodySize == 0 {
		l.MaxBodySize = d.MaxBodySize
	}
	if l.MemoryLimit == 0 {
		l.MemoryLimit = d.MemoryLimit
	}
	if l.MaxResponseSize == 0 {
		l.MaxResponseSize = d.MaxResponseSize
	}
	return l
}

// Validate reports the first field that is out of range (zero fields take
// their defaults).
func (l Limits) Validate() error { return l.withDefaults().validate() }

func (l Limits) validate() error {
	switch {
	case l.WallTime < 0:
		return fmt.Errorf("isolate: limits: WallTime %v is negative", l.WallTime)
	case l.WaitUntil < 0:
		return fmt.Errorf("isolate: limits: WaitUntil %v is negative", l.WaitUntil)
	case l.CPUTime < 0:
		return fmt.Errorf("isolate: limits: CPUTime %v is negative", l.CPUTime)
	case l.MaxStackDepth < 0:
		return fmt.Errorf("isolate: limits: MaxStackDepth %d is negative", l.MaxStackDepth)
	case l.MaxBodySize < 0:
		return fmt.Errorf("isolate: limits: MaxBodySize %d is negative", l.MaxBodySize)
	case l.MaxResponseSize < 0:
		return fmt.Errorf("isolate: limits: MaxResponseSize %d is negative", l.MaxResponseSize)
	case l.MemoryLimit < 0:
		return fmt.Errorf("isolate: limits: MemoryLimit %d is negative", l.MemoryLimit)
	case l.MemoryLimit != 0 && l.MemoryLimit < 1<<20:
		return fmt.Errorf("isolate: limits: MemoryLimit %d is below the 1 MiB minimum", l.MemoryLimit)
	}
	return nil
}

// Sentinel errors that callers branch on. Errors returned by Pool.Do wrap
// one of these where it applies.
var (
	// ErrOverloaded: every runtime was busy and the request waited past
	// the queue deadline, or the queue was full. Answer 503 + Retry-After.
	ErrOverloaded = errors.New("isolate: overloaded: every runtime is busy")
	// ErrClosed: the pool was closed.
	ErrClosed = errors.New("isolate: pool closed")
	// ErrWallTime: the handler did not produce a response within the wall
	// time limit. Answer 504.
	ErrWallTime = errors.New("isolate: handler exceeded its wall time limit")
	// ErrCPUTime: the handler ran JavaScript for longer than its CPU limit.
	ErrCPUTime = errors.New("isolate: handler exceeded its CPU time limit")
	// ErrMemoryLimit: the handler tried to use more memory than allowed.
	ErrMemoryLimit = errors.New("isolate: handler exceeded its memory limit")
	// ErrStackOverflow: the handler exceeded the call stack depth limit.
	ErrStackOverflow = errors.New("isolate: handler exceeded the call stack depth limit")
	// ErrHung: the handler's promise can never settle: nothing it waits for
	// (timer, I/O) is pending.
	ErrHung = errors.New("isolate: handler will never respond: its promise is pending with no timer or I/O left to settle it")
	// ErrBadResponse: the handler returned something other than a Response.
	ErrBadResponse = errors.New("isolate: handler did not return a Response")
	// ErrNoHandler: the script has none of the accepted handler shapes.
	ErrNoHandler = errors.New("isolate: no request handler")
	// ErrMethodNotAllowed: a route-handler script exports no function for
	// the request's method. Answer 405 with the Allow header.
	ErrMethodNotAllowed = errors.New("isolate: method not allowed")
)

// ScriptError is an exception thrown (or a promise rejected) by user code.
type ScriptError struct {
	// Name is the error's constructor name ("TypeError"), or "" for a thrown
	// non-Error value.
	Name string
	// Message is the error message, or the thrown value as a string.
	Message string
	// Stack is the stack trace with positions mapped to the user's sources.
	Stack string
}

func (e *ScriptError) Error() string {
	if e.Name == "" {
		return "Uncaught " + e.Message
	}
	return "Uncaught " + e.Name + ": " + e.Message
}

// MethodNotAllowedError reports which methods a route-handler script does
// export. It wraps ErrMethodNotAllowed.
type MethodNotAllowedError struct {
	Method string
	Allow  []string
}

func (e *MethodNotAllowedError) Error() string {
	return fmt.Sprintf("isolate: method %s not allowed (exported: %v)", e.Method, e.Allow)
}

// Unwrap returns ErrMethodNotAllowed.
func (e *MethodNotAllowedError) Unwrap() error { return ErrMethodNotAllowed }
