package isolate

import (
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/dop251/goja"
)

// ErrStreamCancelled is what a streamed body's Next returns after Close
// cancelled it.
var ErrStreamCancelled = errors.New("isolate: the body stream was cancelled")

// bodyStream carries a handler's ReadableStream body to the host chunk by
// chunk. The host's goroutine asks for a chunk (Next); the loop reads one
// from the stream and hands it back. Nothing is read before the host asks,
// so a slow client holds the handler's stream back (its pull() is not
// called while its queue is full). The call stays on its instance until
// the stream ends, fails or is cancelled.
type bodyStream struct {
	in     *instance
	c      *call
	reader goja.Value   // the stream's internal reader (js/streams.js)
	req    *goja.Object // the read request handed to every read: chunk/close/error

	pulling bool // loop only: a read is outstanding

	chunks chan []byte   // capacity 1: the answer to the outstanding read
	done   chan struct{} // closed when the stream ended, failed or was cancelled
	once   sync.Once
	err    error // io.EOF or the failure; set before done is closed
}

// openStream locks a ReadableStream body for the host.
func (in *instance) openStream(c *call, body goja.Value) (*bodyStream, error) {
	open := in.streamHook("openHostReader")
	r, err := open(goja.Undefined(), body)
	if err != nil {
		return nil, fmt.Errorf("%w: its body stream cannot be read: %w", ErrBadResponse, in.scriptError(err))
	}
	s := &bodyStream{in: in, c: c, reader: r, chunks: make(chan []byte, 1), done: make(chan struct{})}
	req := in.vm.NewObject()
	_ = req.Set("chunk", func(fc goja.FunctionCall) goja.Value {
		s.pulling = false
		chunk, err := in.chunkBytes(fc.Argument(0))
		if err != nil {
			s.fail(err)
			return goja.Undefined()
		}
		select {
		case s.chunks <- chunk:
		default: // the host stopped waiting (the stream was finished)
		}
		return goja.Undefined()
	})
	_ = req.Set("close", func(goja.FunctionCall) goja.Value {
		s.pulling = false
		s.finish(io.EOF)
		return goja.Undefined()
	})
	_ = req.Set("error", func(fc goja.FunctionCall) goja.Value {
		s.pulling = false
		s.fail(in.valueError(fc.Argument(0)))
		return goja.Undefined()
	})
	s.req = req
	c.stream = s
	return s, nil
}

// streamHook returns one of the functions js/streams.js puts on internal,
// installing the streams globals first if the script has not touched them.
func (in *instance) streamHook(name string) goja.Callable {
	in.ensure("ReadableStream")
	return in.internalFn(name)
}

// Next implements BodyStream.
func (s *bodyStream) Next() ([]byte, error) {
	select {
	case <-s.done:
		return nil, s.err
	default:
	}
	s.in.post(s.c, s.pull)
	select {
	case b := <-s.chunks:
		return b, nil
	case <-s.done:
		// A chunk may have raced the end.
		select {
		case b := <-s.chunks:
			return b, nil
		default:
		}
		return nil, s.err
	}
}

// Close implements BodyStream: unless the stream ended, it cancels it (the
// client went away or the write failed): the handler's underlying source
// sees cancel(reason).
func (s *bodyStream) Close() {
	select {
	case <-s.done:
		return
	default:
	}
	s.in.post(s.c, func() error {
		if s.c.stream != s {
			return nil
		}
		s.finish(ErrStreamCancelled)
		reason, err := s.in.vm.New(s.in.errorCtor(), s.in.vm.ToValue("the client disconnected before the response body was sent"))
		if err != nil {
			return nil
		}
		cancel := s.in.streamHook("hostCancel")
		_, _ = cancel(goja.Undefined(), s.reader, reason)
		s.in.abortRequestSignal(s.c, s.in.domException("AbortError", "the client disconnected before the response body was sent"))
		return nil
	})
}

// pull runs on the loop: one read of the stream.
func (s *bodyStream) pull() error {
	if s.c.stream != s || s.pulling {
		return nil
	}
	s.pulling = true
	read := s.in.streamHook("hostRead")
	if _, err := read(goja.Undefined(), s.reader, s.req); err != nil {
		s.pulling = false
		s.fail(s.in.scriptError(err))
	}
	return nil
}

// chunkBytes copies a body chunk out of the VM (the host writes it from
// another goroutine while the script may reuse its buffer).
func (in *instance) chunkBytes(v goja.Value) ([]byte, error) {
	if obj, ok := v.(*goja.Object); ok {
		switch b := obj.Export().(type) {
		case []byte:
			return append([]byte(nil), b...), nil
		case goja.ArrayBuffer:
			return append([]byte(nil), b.Bytes()...), nil
		}
		if b, ok := in.viewBytes(obj); ok {
			return append([]byte(nil), b...), nil
		}
	}
	return nil, fmt.Errorf("%w: its body stream produced %s; chunks must be Uint8Array (encode strings with TextEncoder)", ErrBadResponse, describeValue(in.vm, v))
}

// fail ends the stream with an error and logs it: the host aborts the
// response (the client sees a truncated body, never a clean end).
func (s *bodyStream) fail(err error) {
	select {
	case <-s.done:
		return
	default:
	}
	attrs := []any{"request_id", s.c.req.ID, "error", err.Error()}
	var se *ScriptError
	if errors.As(err, &se) && se.Stack != "" {
		attrs = append(attrs, "stack", se.Stack)
	}
	s.in.log.Error("response body stream failed; the response was cut off", attrs...)
	s.finish(err)
}

// finish ends the stream with err (io.EOF when it completed) and lets the
// call end.
func (s *bodyStream) finish(err error) {
	s.once.Do(func() {
		s.err = err
		close(s.done)
	})
	if s.c.stream == s {
		s.c.stream = nil
	}
}
