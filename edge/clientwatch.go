package edge

import (
	"context"
	"errors"
	"net"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"weak"

	"github.com/valyala/fasthttp"
)

// Noticing a client that leaves while its handler runs.
//
// fasthttp reads a connection only between requests: while a handler runs,
// nothing reads it, so a client that closes its socket goes unseen until
// the response is written (the RequestCtx's context ends only at server
// shutdown, and fasthttp has no notice of a closed connection). Reading the
// connection ahead of fasthttp would mean handing the bytes back to it,
// behind a net.Conn wrapper that costs every request and hides the
// *net.TCPConn fasthttp writes large responses to with one writev. edgefn
// reads nothing: it asks the kernel for the TCP state of the connection
// (getsockopt TCP_INFO, through syscall.RawConn.Control, which takes no read
// lock and leaves deadlines alone). A peer's FIN puts the socket in
// CLOSE_WAIT and a reset in CLOSE, whatever bytes (a pipelined request, a
// TLS close_notify alert) are still unread; an open connection stays
// ESTABLISHED.
//
// The context given to Pool.Do is a clientCtx. Nothing is made until
// something waits on its Done channel (the request went async: a handler
// answering in its dispatch turn never calls it); then a timer asks for
// the state clientWatchDelay later, and again at growing intervals (at most
// clientWatchMaxInterval apart) until the response is decided. A FIN or a
// reset cancels the context with errClientClosed as its cause, which aborts
// request.signal (AbortError) and makes Pool.Do return; the front door then
// answers 499 and closes the connection.
//
// A FIN cannot tell a client that closed its socket from one that only shut
// down its writing side and still waits for the answer; like nginx, hyper
// (Deno) and Go's net/http, edgefn takes it as the client leaving, unless
// Config.HalfClose is set (then only a reset counts).
//
// The state is Linux's (tcpState in clientwatch_linux.go); elsewhere
// connections are not watched.

// clientWatchDelay is how long a request waits before its connection's
// state is first asked for: requests that answer sooner pay no timer wake
// or syscall.
const clientWatchDelay = 20 * time.Millisecond

// clientWatchMaxInterval bounds the time between two looks at the state:
// a client leaving a long request is noticed within it.
const clientWatchMaxInterval = 250 * time.Millisecond

// StatusClientClosedRequest is the status edgefn records (access log,
// metrics, live tail) for a request whose client closed the connection
// before the response started: nginx's 499.
const StatusClientClosedRequest = 499

// errClientClosed is the cause of a clientCtx cancelled because its client
// left; the request's AbortSignal reason names it.
var errClientClosed = errors.New("the client closed the connection before the response")

// TCP states (include/net/tcp_states.h).
const (
	tcpEstablished = 1
	tcpClose       = 7 // after a reset
	tcpCloseWait   = 8 // the peer sent FIN
)

// connRegistry finds the *net.TCPConn under a connection fasthttp wrapped
// in its per-IP counting type, which cannot be unwrapped: by the remote
// address, which a TCP connection returns as the same pointer every time.
// It holds the connections weakly; an entry goes when its connection is
// collected (fasthttp closes some connections without telling anyone: the
// ones over MaxConnsPerIP).
type connRegistry struct {
	m sync.Map // *net.TCPAddr -> weak.Pointer[net.TCPConn]
}

// add records an accepted connection.
func (r *connRegistry) add(c net.Conn) {
	tc, ok := c.(*net.TCPConn)
	if !ok {
		return
	}
	a, ok := tc.RemoteAddr().(*net.TCPAddr)
	if !ok {
		return
	}
	wp := weak.Make(tc)
	r.m.Store(a, wp)
	runtime.AddCleanup(tc, func(a *net.TCPAddr) { r.m.CompareAndDelete(a, wp) }, a)
}

// find returns the TCP connection under c, or nil (none, or not TCP:
// benchmarks drive the handler without a connection).
func (r *connRegistry) find(c net.Conn) *net.TCPConn {
	for c != nil {
		switch t := c.(type) {
		case *net.TCPConn:
			return t
		case interface{ NetConn() net.Conn }: // *tls.Conn
			c = t.NetConn()
		default:
			a, ok := c.RemoteAddr().(*net.TCPAddr)
			if !ok || r == nil {
				return nil
			}
			v, ok := r.m.Load(a)
			if !ok {
				return nil
			}
			tc := v.(weak.Pointer[net.TCPConn]).Value()
			if tc == nil || tc.RemoteAddr() != net.Addr(a) {
				return nil
			}
			return tc
		}
	}
	return nil
}

// watchListener records each accepted connection in the registry; the
// connection itself goes to fasthttp as it is.
type watchListener struct {
	net.Listener
	conns *connRegistry
}

func (l *watchListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	l.conns.add(c)
	return c, nil
}

// clientCtx is the context a front-door request runs under (Pool.Do's): it
// is cancelled, with errClientClosed as its cause, when the client leaves
// before the response. It shares an allocation with the request
// (frontRequest). Nothing is made until something waits on Done (the
// request went async): then its channel and the watch's timer; a request
// that never waits costs one atomic compare-and-swap (finish). After the
// response it is never cancelled, so waitUntil work is not cut short by a
// client that leaves later.
type clientCtx struct {
	rctx      *fasthttp.RequestCtx // valid until finish; nil without a connection
	conns     *connRegistry
	halfClose bool
	state     atomic.Uint32 // ctxStarted, ctxFinished

	mu    sync.Mutex
	done  chan struct{} // made by the first Done, closed when the client left
	start int64         // of the watch, Unix nanoseconds (a time.Time takes 24 bytes of every request)
	timer *time.Timer
	rc    syscall.RawConn // the watched connection, found by the first look
	// cause is cancelled with errClientClosed when the client leaves:
	// context.Cause finds it through Value (as for any context derived
	// from a cancelCtx), so the signal's reason can name it. Made then, not
	// for every request that waits.
	cause context.Context
}

const (
	ctxStarted  = 1 << iota // Done was called: done is set
	ctxFinished             // the response was decided (finish ran)
)

// clientCtxKey makes Value return the clientCtx itself (for callers that
// detach from the client: service bindings).
type clientCtxKey struct{}

func (c *clientCtx) Deadline() (time.Time, bool) { return time.Time{}, false }

func (c *clientCtx) Done() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.done == nil {
		c.done = make(chan struct{})
		// finish takes c.mu once it sees ctxStarted, so it waits for the
		// timer to be set; if it ran first, nothing is watched.
		if c.state.Or(ctxStarted)&ctxFinished == 0 && c.rctx != nil && tcpStateSupported {
			c.start = time.Now().UnixNano()
			c.timer = time.AfterFunc(clientWatchDelay, c.look)
		}
	}
	return c.done
}

func (c *clientCtx) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cause == nil {
		return nil
	}
	return context.Canceled
}

func (c *clientCtx) Value(key any) any {
	if key == (clientCtxKey{}) {
		return c
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cause == nil {
		return nil
	}
	return c.cause.Value(key)
}

// look runs on the timer's goroutine: it asks for the connection's state
// and cancels the request if the client left, or looks again later.
func (c *clientCtx) look() {
	c.mu.Lock()
	if c.state.Load()&ctxFinished != 0 {
		c.mu.Unlock()
		return
	}
	if c.rc == nil {
		// Found on the first look, not in Done, so a request that answers
		// within clientWatchDelay does not pay for it. Until finish (which
		// waits for c.mu), c.rctx is the request's.
		var rc syscall.RawConn
		if tc := c.conns.find(c.rctx.Conn()); tc != nil {
			rc, _ = tc.SyscallConn()
		}
		if rc == nil {
			c.mu.Unlock()
			return // not TCP: not watched
		}
		c.rc = rc
	}
	rc, since := c.rc, time.Duration(time.Now().UnixNano()-c.start)
	c.mu.Unlock()

	state, ok := connState(rc)
	left := ok && (state == tcpClose || state == tcpCloseWait && !c.halfClose)

	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case c.state.Load()&ctxFinished != 0:
	case left:
		cause, cancel := context.WithCancelCause(context.Background())
		cancel(errClientClosed)
		c.cause = cause
		close(c.done)
	case ok && state != tcpEstablished && state != tcpCloseWait:
		// Closing from this side, or gone: nothing more to learn.
	default:
		// A quarter of the time the request has run so far: a client
		// leaving is noticed within a fifth of its wait, at a look
		// every 250 ms at most.
		c.timer.Reset(min(max(since/4, clientWatchDelay), clientWatchMaxInterval))
	}
}

// connState returns the TCP state of rc's socket.
func connState(rc syscall.RawConn) (state uint8, ok bool) {
	err := rc.Control(func(fd uintptr) { state, ok = tcpState(fd) })
	return state, ok && err == nil
}

// finish ends the request's watch (the handler answered, failed, or the
// client left) and reports whether the client left.
func (c *clientCtx) finish() (left bool) {
	for {
		old := c.state.Load()
		if old&ctxStarted != 0 {
			break
		}
		if c.state.CompareAndSwap(old, old|ctxFinished) {
			return false // never waited: never watched
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.state.Or(ctxFinished)
	if c.timer != nil {
		c.timer.Stop()
	}
	return c.cause != nil
}
