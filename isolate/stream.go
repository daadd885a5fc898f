package isolate

import (
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/dop251/goja"
)

// bodyStream carries a handler's ReadableStream body to the host chunk by
// chunk. The host's goroutine asks for a chunk (Next); the loop reads one
// from the stream's reader and hands it back. The call stays on its
// instance until the stream ends or is cancelled.
type bodyStream struct {
	in     *instance
	c      *call
	reader *goja.Object
	read   goja.Callable

	pulling bool // loop only: a read() is outstanding

	chunks chan []byte   // capacity 1
	done   chan struct{} // closed when the stream ended or failed
	once   sync.Once
	err    error // io.EOF or the failure; set before done is closed
}

// openStream takes a reader on a ReadableStream body.
func (in *instance) openStream(c *call, body goja.Value) (*bodyStream, error) {
	obj, ok := body.(*goja.Object)
	if !ok {
		return nil, fmt.Errorf("%w: unsupported body type", ErrBadResponse)
	}
	getReader, ok := goja.AssertFunction(obj.Get("getReader"))
	if !ok {
		return nil, fmt.Errorf("%w: unsupported body type %s", ErrBadResponse, describeValue(in.vm, body))
	}
	rv, err := getReader(obj)
	if err != nil {
		return nil, fmt.Errorf("%w: its body stream cannot be read: %w", ErrBadResponse, in.scriptError(err))
	}
	reader := rv.(*goja.Object)
	read, ok := goja.AssertFunction(reader.Get("read"))
	if !ok {
		return nil, fmt.Errorf("%w: its body stream reader has no read()", ErrBadResponse)
	}
	s := &bodyStream{in: in, c: c, reader: reader, read: read, chunks: make(chan []byte, 1), done: make(chan struct{})}
	c.stream = s
	return s, nil
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

// Close implements BodyStream: it cancels the stream unless it ended.
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
		s.finish(errors.New("isolate: stream cancelled"))
		if cancel, ok := goja.AssertFunction(s.reader.Get("cancel")); ok {
			_, _ = cancel(s.reader, s.in.vm.ToValue("the client went away"))
		}
		return nil
	})
}

// pull runs on the loop: one read() of the stream.
func (s *bodyStream) pull() error {
	if s.c.stream != s || s.pulling {
		return nil
	}
	v, err := s.read(s.reader)
	if err != nil {
		s.finish(s.in.scriptError(err))
		return nil
	}
	s.pulling = true
	s.in.thenCall(s.c, v.(*goja.Object), func(res goja.Value) {
		s.pulling = false
		obj, ok := res.(*goja.Object)
		if !ok {
			s.finish(fmt.Errorf("%w: its body stream's read() resolved to %s", ErrBadResponse, describeValue(s.in.vm, res)))
			return
		}
		if obj.Get("done").ToBoolean() {
			s.finish(io.EOF)
			return
		}
		chunk, err := s.in.chunkBytes(obj.Get("value"))
		if err != nil {
			s.finish(err)
			return
		}
		s.chunks <- chunk
	}, func(reason goja.Value) {
		s.pulling = false
		s.finish(s.in.valueError(reason))
	})
	return nil
}

// chunkBytes copies a stream chunk out of the VM.
func (in *instance) chunkBytes(v goja.Value) ([]byte, error) {
	switch b := v.Export().(type) {
	case []byte:
		return append([]byte(nil), b...), nil
	case goja.ArrayBuffer:
		return append([]byte(nil), b.Bytes()...), nil
	case string:
		return []byte(b), nil
	}
	return nil, fmt.Errorf("%w: its body stream produced %s; chunks must be Uint8Array", ErrBadResponse, describeValue(in.vm, v))
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
