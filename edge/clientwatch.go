package edge

import (
	"context"
	"errors"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/valyala/fasthttp"
)

// Noticing a client that leaves while its handler runs.
//
// fasthttp reads a connection only between requests: while a handler runs,
// nothing reads it, so a client that closes its socket goes unseen until
// the response is written (the RequestCtx's context ends only at server
// shutdown, and fasthttp has no notice of a closed connection). Serve wraps
// every accepted connection in a watchConn. A request whose handler is still
// running clientWatchDelay after it first waited (the context given to
// Pool.Do is a clientCtx, whose Done arms the watch: a handler answering in
// its dispatch turn never calls it) has its connection read ahead on a
// goroutine, as net/http's background read does:
//
//   - bytes that arrive (a pipelined request, a TLS record) are kept, at most
//     readAheadMax of them, and handed to fasthttp's next Read first, in
//     order; past that the watch stops (the client is plainly there);
//   - an end of input or a reset means the client left: the clientCtx is
//     cancelled, which aborts request.signal (AbortError) and makes Pool.Do
//     return, and the front door answers 499 and closes the connection;
//   - when the handler answers, the watch is stopped before fasthttp reads
//     again: the pending read is cut short through the read deadline, and the
//     read deadline fasthttp last set is put back.
//
// The watch clears the read deadline while it runs (a handler may run past
// ReadTimeout); every deadline set meanwhile is recorded and applied when
// the watch stops. A streamed request body is read by the handler from the
// same connection, so such a request is only watched once its body has been
// read to the end.
//
// An end of input cannot tell a client that closed its socket from one that
// only shut down its write side and still waits for the answer; like nginx,
// hyper (Deno) and Go's net/http, edgefn takes it as the client leaving,
// unless Config.HalfClose is set (then only a reset counts).
//
// Below TLS the watch sees records, not requests: a close_notify alert is
// kept for tls.Conn like any byte, and the end of input after it is noticed
// as for plain HTTP.

// clientWatchDelay is how long a request waits before its connection is
// watched: requests that answer sooner pay no goroutine, read or timer wake.
const clientWatchDelay = 20 * time.Millisecond

// readAheadMax bounds the bytes a watch reads ahead of fasthttp.
const readAheadMax = 4 << 10

// StatusClientClosedRequest is the status edgefn records (access log,
// metrics, live tail) for a request whose client closed the connection
// before the response started: nginx's 499.
const StatusClientClosedRequest = 499

// errClientClosed is the cause of a clientCtx cancelled because its client
// left; the request's AbortSignal reason names it.
var errClientClosed = errors.New("the client closed the connection before the response")

// aLongTimeAgo is a read deadline that cuts a pending read short.
var aLongTimeAgo = time.Unix(1, 0)

// connRegistry finds the watchConn under a connection fasthttp wrapped
// (its per-IP counting wrapper has no way to unwrap it), by the remote
// address, which a TCP connection returns as the same pointer every time.
type connRegistry struct{ m sync.Map } // *net.TCPAddr -> *watchConn

// watchListener wraps each accepted connection in a watchConn.
type watchListener struct {
	net.Listener
	conns     *connRegistry
	halfClose bool
}

func (l *watchListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	w := &watchConn{Conn: c, halfClose: l.halfClose, conns: l.conns}
	if a, ok := c.RemoteAddr().(*net.TCPAddr); ok {
		w.key = a
		l.conns.m.Store(a, w)
	}
	return w, nil
}

// find returns the watchConn under c, or nil (a connection not accepted by
// a watchListener, or none: benchmarks drive the handler without one).
func (r *connRegistry) find(c net.Conn) *watchConn {
	for c != nil {
		switch t := c.(type) {
		case *watchConn:
			return t
		case interface{ NetConn() net.Conn }: // *tls.Conn
			c = t.NetConn()
		default:
			if r == nil {
				return nil
			}
			if a, ok := c.RemoteAddr().(*net.TCPAddr); ok {
				if w, ok := r.m.Load(a); ok {
					return w.(*watchConn)
				}
			}
			return nil
		}
	}
	return nil
}

// watchConn is an accepted connection that can be read ahead while its
// handler runs (see the top of this file).
type watchConn struct {
	net.Conn
	halfClose bool
	conns     *connRegistry
	key       *net.TCPAddr

	// busy is set while a watch runs or read-ahead bytes or an error wait
	// for Read: only then does Read take the lock.
	busy atomic.Bool

	// deadline is the read deadline last set (Unix nanoseconds, 0 for
	// none), applied when a watch ends.
	deadline atomic.Int64

	mu        sync.Mutex
	cur       *clientCtx // the request armed for watching; nil between requests
	timer     *time.Timer
	watching  bool // the watch goroutine is in a Read of the connection
	stopping  bool // and has been told to stop
	exited    chan struct{}
	ahead     []byte // read ahead, not yet returned by Read
	aheadErr  error  // what the read-ahead ended with, returned once ahead is drained
	closed    bool
	closeOnce sync.Once
}

func (c *watchConn) Read(p []byte) (int, error) {
	if !c.busy.Load() {
		return c.Conn.Read(p)
	}
	c.mu.Lock()
	c.stopLocked() // no read may race the watch's
	if len(c.ahead) > 0 {
		n := copy(p, c.ahead)
		c.ahead = c.ahead[n:]
		if len(c.ahead) == 0 {
			c.ahead = nil
		}
		c.setBusy()
		c.mu.Unlock()
		return n, nil
	}
	if err := c.aheadErr; err != nil {
		c.mu.Unlock()
		return 0, err
	}
	c.setBusy()
	c.mu.Unlock()
	return c.Conn.Read(p)
}

// SetReadDeadline records t and applies it, unless a watch runs: then the
// watch applies it when it stops. fasthttp sets a deadline before each
// request, so without a watch this takes no lock. (A watch starts only once
// nothing else reads the connection, so nothing else sets its deadline
// then; one that raced it would at worst end the watch early.)
func (c *watchConn) SetReadDeadline(t time.Time) error {
	var ns int64
	if !t.IsZero() {
		ns = t.UnixNano()
	}
	c.deadline.Store(ns)
	if !c.busy.Load() {
		return c.Conn.SetReadDeadline(t)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.watching {
		return nil
	}
	return c.Conn.SetReadDeadline(t)
}

// readDeadline returns the read deadline last set.
func (c *watchConn) readDeadline() time.Time {
	if ns := c.deadline.Load(); ns != 0 {
		return time.Unix(0, ns)
	}
	return time.Time{}
}

func (c *watchConn) SetDeadline(t time.Time) error {
	if err := c.SetReadDeadline(t); err != nil {
		return err
	}
	return c.Conn.SetWriteDeadline(t)
}

func (c *watchConn) Close() error {
	err := net.ErrClosed
	c.closeOnce.Do(func() {
		c.mu.Lock()
		c.closed = true
		c.cur = nil
		if c.timer != nil {
			c.timer.Stop()
		}
		c.mu.Unlock()
		if c.key != nil {
			c.conns.m.CompareAndDelete(c.key, c)
		}
		err = c.Conn.Close()
	})
	return err
}

// setBusy updates busy from the state. c.mu held.
func (c *watchConn) setBusy() {
	c.busy.Store(c.watching || len(c.ahead) > 0 || c.aheadErr != nil)
}

// arm has cc's connection watched from clientWatchDelay on (again, for a
// request armed before: its streamed body has just been read to the end).
// Called with cc.mu held, before cc finishes.
func (c *watchConn) arm(cc *clientCtx) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return
	}
	c.cur = cc
	if c.timer == nil {
		c.timer = time.AfterFunc(clientWatchDelay, c.startWatch)
	} else {
		c.timer.Reset(clientWatchDelay)
	}
}

// disarm ends cc's watch: when it returns, no goroutine reads the
// connection but fasthttp's.
func (c *watchConn) disarm(cc *clientCtx) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cur != cc {
		return
	}
	c.cur = nil
	c.timer.Stop()
	c.stopLocked()
}

// stopLocked stops a running watch and waits for it to end. c.mu held (it
// is released while waiting).
func (c *watchConn) stopLocked() {
	for c.watching {
		if !c.stopping {
			c.stopping = true
			_ = c.Conn.SetReadDeadline(aLongTimeAgo)
		}
		ch := c.exited
		c.mu.Unlock()
		<-ch
		c.mu.Lock()
	}
}

// startWatch runs on the timer's goroutine, which becomes the watch.
func (c *watchConn) startWatch() {
	c.mu.Lock()
	if c.cur == nil || c.watching || c.closed || c.aheadErr != nil || len(c.ahead) >= readAheadMax ||
		c.cur.state.Load()&ctxBodyPending != 0 {
		c.mu.Unlock()
		return
	}
	c.watching, c.stopping = true, false
	c.exited = make(chan struct{})
	c.busy.Store(true)
	_ = c.Conn.SetReadDeadline(time.Time{})
	c.mu.Unlock()
	c.watch()
}

// watch reads the connection until the client sends too much, leaves, or
// the watch is stopped.
func (c *watchConn) watch() {
	buf := make([]byte, 512)
	for {
		n, err := c.Conn.Read(buf)
		c.mu.Lock()
		c.ahead = append(c.ahead, buf[:n]...)
		var left *clientCtx
		var ne net.Error
		switch {
		case err == nil:
		case errors.As(err, &ne) && ne.Timeout(), errors.Is(err, net.ErrClosed):
			// Stopped (or a deadline passed, or the connection was closed
			// here): nothing learnt about the client.
		default:
			c.aheadErr = err
			if err != io.EOF || !c.halfClose {
				left = c.cur
			}
		}
		end := err != nil || c.stopping || len(c.ahead) >= readAheadMax
		if end {
			c.watching, c.stopping = false, false
			if !c.closed {
				_ = c.Conn.SetReadDeadline(c.readDeadline())
			}
			close(c.exited)
			c.setBusy()
		}
		c.mu.Unlock()
		if left != nil {
			left.clientLeft()
		}
		if end {
			return
		}
	}
}

// clientCtx is the context a front-door request runs under (Pool.Do's): it
// is cancelled, with errClientClosed as its cause, when the client leaves
// before the response. Nothing is made until something waits on Done (the
// request went async): then the context is made and the connection armed.
// After the response it is never cancelled, so waitUntil work is not cut
// short by a client that leaves later. It shares an allocation with the
// request (frontRequest); a request that never waits costs one atomic
// compare-and-swap (finish).
type clientCtx struct {
	rctx  *fasthttp.RequestCtx // valid until finish; nil without a connection
	conns *connRegistry
	state atomic.Uint32 // ctxStarted, ctxFinished, ctxBodyPending
	mu    sync.Mutex
	s     *clientState // made by the first Done
}

// clientState is a clientCtx's part made when the request first waits.
type clientState struct {
	ctx     context.Context
	cancel  context.CancelCauseFunc
	watched *watchConn
	left    bool // the client left before the response
}

const (
	ctxStarted     = 1 << iota // Done was called: c.s is set
	ctxFinished                // the response was decided (finish ran)
	ctxBodyPending             // the request body streams and has not been read to its end: no watch yet
)

// clientCtxKey makes Value return the clientCtx itself (for callers that
// detach from the client: service bindings).
type clientCtxKey struct{}

func (c *clientCtx) Deadline() (time.Time, bool) { return time.Time{}, false }

func (c *clientCtx) Done() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.s == nil {
		s := &clientState{}
		s.ctx, s.cancel = context.WithCancelCause(context.Background())
		c.s = s
		// finish takes c.mu once it sees ctxStarted, so it waits for the
		// arming below; if it ran first, nothing is armed.
		if c.state.Or(ctxStarted)&ctxFinished == 0 && c.rctx != nil {
			if w := c.conns.find(c.rctx.Conn()); w != nil {
				s.watched = w
				w.arm(c)
			}
		}
	}
	return c.s.ctx.Done()
}

func (c *clientCtx) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.s == nil {
		return nil
	}
	return c.s.ctx.Err()
}

func (c *clientCtx) Value(key any) any {
	if key == (clientCtxKey{}) {
		return c
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.s == nil {
		return nil
	}
	// context.Cause finds the cause through the inner context's value.
	return c.s.ctx.Value(key)
}

// clientLeft cancels the request: its client is gone.
func (c *clientCtx) clientLeft() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.s == nil || c.s.left || c.state.Load()&ctxFinished != 0 {
		return
	}
	c.s.left = true
	c.s.cancel(errClientClosed)
}

// bodyRead is called when the streamed request body reached its end: the
// connection may now be watched.
func (c *clientCtx) bodyRead() {
	if c.state.And(^uint32(ctxBodyPending))&ctxBodyPending == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.s != nil && c.s.watched != nil && c.state.Load()&ctxFinished == 0 {
		c.s.watched.arm(c)
	}
}

// finish ends the request's watch (the handler answered, failed, or the
// client left) and reports whether the client left. After it, fasthttp
// alone reads the connection.
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
	c.state.Or(ctxFinished)
	w := c.s.watched
	c.s.watched = nil
	left = c.s.left
	c.mu.Unlock()
	if w != nil {
		w.disarm(c)
	}
	return left
}
