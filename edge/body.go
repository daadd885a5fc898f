package edge

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/edgefn/edgefn/isolate"
)

// bufferedBodyMax is the largest request body read whole before the
// handler runs; a larger body (or one of unknown length) reaches the
// handler as a stream it pulls from the connection as it reads.
const bufferedBodyMax = 64 << 10

// errBodyTooLarge: the request body exceeded the size limit while it
// streamed in.
var errBodyTooLarge = errors.New("edge: the request body exceeds the size limit")

// errBodyClosed: the body was read after its request was answered.
var errBodyClosed = errors.New("edge: the request body is no longer available: the request was answered")

// requestBody is a streamed request body handed to the isolate. It reads
// from fasthttp's connection reader, which is only valid until the
// response has been written: close marks that point and waits for a read
// in progress (cutting it short through the read deadline), and every read
// after it fails. Each read gets a fresh read deadline, so a slow but
// steady upload is not cut off by ReadTimeout while a stalled one is. Bytes
// are counted against the body limit as they arrive.
type requestBody struct {
	ctx         *fasthttp.RequestCtx
	r           io.Reader
	limit       int64
	readTimeout time.Duration

	mu       sync.Mutex // held for the whole of a Read
	n        int64
	deadline time.Time // the read deadline last set
	closed   atomic.Bool
	tooLarge atomic.Bool
	aborted  atomic.Bool
	// broken holds the error that made the client's body unreadable
	// (malformed chunked framing, a read timeout): the request is then
	// answered 400 or 408 whatever the handler made of it.
	broken atomic.Pointer[error]
}

func (b *requestBody) Read(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed.Load() {
		return 0, errBodyClosed
	}
	if b.readTimeout > 0 {
		// Pushed forward at most every tenth of the timeout: setting it
		// costs more than a read of buffered bytes.
		if now := time.Now(); b.deadline.Sub(now) < b.readTimeout*9/10 {
			b.deadline = now.Add(b.readTimeout)
			_ = b.ctx.SetReadDeadline(b.deadline)
		}
	}
	n, err := b.r.Read(p)
	if err != nil && err != io.EOF && !b.closed.Load() {
		b.broken.CompareAndSwap(nil, &err)
	}
	b.n += int64(n)
	if b.n > b.limit {
		b.tooLarge.Store(true)
		return n, errBodyTooLarge
	}
	return n, err
}

// close ends the body's use: afterwards fasthttp may drain and reuse the
// connection's reader. A read blocked on the client is interrupted, and the
// connection is then closed rather than reused.
func (b *requestBody) close() {
	if b.closed.Swap(true) {
		return
	}
	if !b.mu.TryLock() {
		b.aborted.Store(true)
		_ = b.ctx.Conn().SetReadDeadline(time.Now())
		b.mu.Lock()
	}
	b.mu.Unlock()
	if b.aborted.Load() {
		b.ctx.SetConnectionClose()
	}
}

// readBody fills req's body from the request: nothing, the whole body (small
// bodies of known length), or a stream (the rest). It returns a non-nil
// requestBody when the body streams; the caller must close it once the
// response is written. The error is errBodyTooLarge or a read error.
func (n *Node) readBody(ctx *fasthttp.RequestCtx, req *isolate.Request, limit int64) (*requestBody, error) {
	r := &ctx.Request
	cl := r.Header.ContentLength()
	if cl == 0 || cl == -2 {
		return nil, nil
	}
	if int64(cl) > limit {
		return nil, errBodyTooLarge
	}
	stream := ctx.RequestBodyStream()
	if stream == nil {
		// Not streamed (a server without StreamRequestBody).
		if b := r.Body(); len(b) > 0 {
			if int64(len(b)) > limit {
				return nil, errBodyTooLarge
			}
			req.Body = append([]byte(nil), b...)
		}
		return nil, nil
	}
	if cl > 0 && cl <= bufferedBodyMax {
		if n.cfg.ReadTimeout > 0 {
			_ = ctx.SetReadDeadline(time.Now().Add(n.cfg.ReadTimeout))
		}
		buf := make([]byte, cl)
		if _, err := io.ReadFull(stream, buf); err != nil {
			return nil, fmt.Errorf("edge: reading the request body: %w", err)
		}
		req.Body = buf
		return nil, nil
	}
	rb := &requestBody{ctx: ctx, r: stream, limit: limit, readTimeout: n.cfg.ReadTimeout}
	req.BodyStream = rb
	return rb, nil
}

// streamBody writes a handler's streamed response body: fasthttp calls
// WriteTo, which sends each chunk as it is produced (one flushed HTTP chunk
// per JS chunk), and Close once the response is done, whether it completed,
// the client went away or a chunk failed to write. A stream that fails
// mid-way makes WriteTo fail, so fasthttp closes the connection without the
// final chunk: the client sees a truncated response, not a complete one.
type streamBody struct {
	ctx          *fasthttp.RequestCtx
	s            isolate.BodyStream
	writeTimeout time.Duration
	req          *requestBody // the streamed request body, closed with the response
	rest         []byte       // Read's leftover (Read is only a fallback)
	once         sync.Once
	limit        int64        // the deployment's MaxResponseSize
	log          *slog.Logger // the version's log
	id           string       // the request id, for the log
}

// errStreamFailed: the handler's response body stream failed (its error is
// logged by the isolate).
var errStreamFailed = errors.New("edge: the response body stream failed")

// errResponseTooLarge: a streamed response body grew past the deployment's
// MaxResponseSize.
var errResponseTooLarge = errors.New("edge: the response body exceeds the size limit")

// SupportsBodyWriteTo tells fasthttp to use WriteTo (chunk by chunk) for
// chunked framing.
func (b *streamBody) SupportsBodyWriteTo() bool { return true }

func (b *streamBody) WriteTo(w io.Writer) (int64, error) {
	var total int64
	for {
		chunk, err := b.s.Next()
		if err == io.EOF {
			return total, nil
		}
		if err != nil {
			// The isolate logged the stream's error through the version's
			// log, where secrets are redacted; fasthttp logs what it gets
			// here, unredacted, so it gets no script text.
			return total, errStreamFailed
		}
		if len(chunk) == 0 {
			continue
		}
		if b.limit > 0 && total+int64(len(chunk)) > b.limit {
			b.log.Error("response body exceeds the size limit; the response was cut off", "request_id", b.id, "limit", b.limit, "sent", total)
			b.Close()
			return total, fmt.Errorf("%w (%d bytes)", errResponseTooLarge, b.limit)
		}
		if b.writeTimeout > 0 {
			// Each chunk gets WriteTimeout to reach the client: a
			// long-lived stream (server-sent events) is not cut off.
			_ = b.ctx.SetWriteDeadline(time.Now().Add(b.writeTimeout))
		}
		n, err := w.Write(chunk)
		total += int64(n)
		if err != nil {
			return total, err
		}
	}
}

func (b *streamBody) Read(p []byte) (int, error) {
	for len(b.rest) == 0 {
		chunk, err := b.s.Next()
		if err == io.EOF {
			return 0, err
		}
		if err != nil {
			return 0, errStreamFailed
		}
		b.rest = chunk
	}
	n := copy(p, b.rest)
	b.rest = b.rest[n:]
	return n, nil
}

func (b *streamBody) Close() error {
	b.once.Do(func() {
		b.s.Close()
		if b.req != nil {
			b.req.close()
		}
	})
	return nil
}
