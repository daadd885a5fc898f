package isolate

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/dop251/goja"
	"github.com/klauspost/compress/flate"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zlib"
	brotli "github.com/molecule-man/go-brrr"
)

// fetchedBody is the body of a Response that fetch() returned: the
// (decoded) connection body, read only as the script asks for it.
type fetchedBody struct {
	in   *instance
	op   *fetchOp
	rc   io.ReadCloser
	size int64 // the declared length of what the script reads, -1 when unknown

	once sync.Once
	err  error // the read error (io.EOF at the end): reads after it return it

	// buffered: the whole body is data, read with the headers (prefetch).
	buffered bool
	data     []byte

	// Loop only.
	reason   goja.Value // the signal's reason, once it aborted the read
	finished bool
}

// Read reads the body; at its end or on an error it closes the body, which
// lets the connection be reused (or drops it).
func (b *fetchedBody) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	n, err := b.rc.Read(p)
	if err != nil {
		b.err = err
		b.Close()
	}
	return n, err
}

// Close releases the connection; a read in progress fails.
func (b *fetchedBody) Close() error {
	b.once.Do(func() { _ = b.rc.Close() })
	return nil
}

// abort runs on the loop when the fetch's signal aborts while the body is
// being read: reads fail with the signal's reason.
func (b *fetchedBody) abort(reason goja.Value) {
	b.reason = reason
	b.Close()
}

// finish runs on the loop once the body was read to its end, failed or was
// cancelled: the fetch needs its abort listener no longer.
func (b *fetchedBody) finish() {
	if !b.finished {
		b.finished = true
		b.in.finishOp(b.op)
	}
}

// errValue is the JS error a failed read of the body rejects with.
func (b *fetchedBody) errValue(err error) goja.Value {
	if b.reason != nil {
		return b.reason
	}
	if ce := b.op.ctxError(b.op.url); b.op.ctx.Err() != nil {
		err = ce
	}
	return b.in.typeErr(fmt.Sprintf("fetch: reading the response body of %s failed: %v", b.op.url, err))
}

// consumeFetched reads a fetched body whole (text(), json()...) on a
// goroutine, bounded by the memory limit, and hands it to deliver.
func (in *instance) consumeFetched(b *fetchedBody, reject func(any) error, deliver func([]byte)) {
	if b.buffered {
		b.finish()
		deliver(b.data)
		return
	}
	done := in.reserve()
	limit := in.limits.MemoryLimit
	go func() {
		data, err := readAllLimit(b, b.size, limit)
		b.Close()
		done(func() error {
			b.finish()
			switch {
			case errors.Is(err, errBodyLimit) && b.reason == nil:
				_ = reject(in.typeErr(fmt.Sprintf("fetch: the response body of %s is larger than %d bytes (the memory limit); read it as a stream (response.body) instead", b.op.url, limit)))
			case err != nil:
				_ = reject(b.errValue(err))
			default:
				deliver(data)
			}
			return nil
		})
	}()
}

// fetchedStream makes the ReadableStream of a fetched body (.body).
func (in *instance) fetchedStream(b *fetchedBody) goja.Value {
	if b.buffered {
		b.finish()
		s, err := in.streamHook("streamFromBytes")(goja.Undefined(), in.newUint8Array(b.data))
		if err != nil {
			panic(err)
		}
		return s
	}
	return in.readerStream(readerSource{
		r:     b,
		limit: -1,
		what:  "fetch response body",
		onCancel: func() {
			b.Close()
			b.finish()
		},
		onEnd:    b.finish,
		errValue: b.errValue,
	})
}

// hostStream hands the body to the host as a Response's stream, read in
// Go with no JS in between (a handler that returns what it fetched): from
// then on the host owns it, and the request's end no longer cancels it.
func (b *fetchedBody) hostStream() BodyStream {
	b.finish()
	return &fetchedBodyStream{b: b}
}

// errReadCloser fails every read with its error.
type errReadCloser struct{ err error }

func (e errReadCloser) Read([]byte) (int, error) { return 0, e.err }
func (e errReadCloser) Close() error             { return nil }

// fetchedBodyStream is a fetched body as a BodyStream.
type fetchedBodyStream struct{ b *fetchedBody }

// fetchedChunk is the most one Next returns.
const fetchedChunk = 32 << 10

func (s *fetchedBodyStream) Next() ([]byte, error) {
	buf := make([]byte, fetchedChunk)
	for {
		n, err := s.b.Read(buf)
		if n > 0 {
			return buf[:n:n], nil
		}
		if err != nil {
			return nil, err
		}
	}
}

func (s *fetchedBodyStream) Close() { s.b.Close() }

// decodeBody undoes the response's Content-Encoding (gzip, deflate, br) as
// browsers do, and reports whether it did. Decoders start on the first
// read: making one reads the stream's header, and the loop never waits on
// the network.
func decodeBody(res *http.Response) (io.ReadCloser, bool) {
	enc := strings.ToLower(strings.TrimSpace(res.Header.Get("Content-Encoding")))
	switch enc {
	case "gzip", "x-gzip", "deflate", "br":
		return &decodedBody{raw: &rawBody{rc: res.Body}, enc: enc}, true
	}
	return res.Body, false
}

// decodedBody decodes a compressed body as it is read.
type decodedBody struct {
	raw *rawBody
	enc string
	r   io.Reader // nil until the first read
}

func (d *decodedBody) Read(p []byte) (int, error) {
	if d.r == nil {
		r, err := d.open()
		if err == io.EOF {
			return 0, io.EOF // an empty body, compressed or not
		}
		if err != nil {
			d.r = errReader{d.wrap(err)}
			return 0, d.wrap(err)
		}
		d.r = r
	}
	n, err := d.r.Read(p)
	if err != nil && err != io.EOF {
		err = d.wrap(err)
	}
	return n, err
}

func (d *decodedBody) open() (io.Reader, error) {
	switch d.enc {
	case "br":
		return brotli.NewReader(d.raw), nil
	case "deflate":
		// HTTP's "deflate" is zlib, but some servers send raw deflate;
		// browsers take both.
		br := bufio.NewReader(d.raw)
		h, err := br.Peek(2)
		if err != nil {
			return nil, err
		}
		if h[0]&0x0f == 8 && (uint16(h[0])<<8|uint16(h[1]))%31 == 0 {
			return zlib.NewReader(br)
		}
		return flate.NewReader(br), nil
	default:
		return gzip.NewReader(d.raw)
	}
}

// wrap names the coding in a decoder's errors, not in the connection's.
func (d *decodedBody) wrap(err error) error {
	if err == d.raw.err || errors.Is(err, errReadAfterClose) {
		return err
	}
	return fmt.Errorf("the %s-encoded body is corrupt: %w", d.enc, err)
}

func (d *decodedBody) Close() error { return d.raw.Close() }

var errReadAfterClose = errors.New("the body was closed")

// rawBody remembers the connection's read error, to tell it from the
// decoder's.
type rawBody struct {
	rc  io.ReadCloser
	err error
}

func (r *rawBody) Read(p []byte) (int, error) {
	n, err := r.rc.Read(p)
	if err != nil && err != io.EOF {
		r.err = err
	}
	return n, err
}

func (r *rawBody) Close() error { return r.rc.Close() }

// jsBodyReader streams a ReadableStream request body to the connection:
// each Read (on the transport's goroutine) asks the loop for the next chunk
// and waits for it, so the script's stream is pulled only as fast as the
// server takes it.
type jsBodyReader struct {
	in      *instance
	op      *fetchOp
	reader  goja.Value   // the stream's internal reader
	req     *goja.Object // the read request: chunk/close/error
	results chan jsRead  // capacity 1: the answer to the outstanding read
	pending []byte
	err     error
	eof     atomic.Bool
	closed  sync.Once
}

type jsRead struct {
	b   []byte
	err error
}

func (in *instance) newJSBodyReader(op *fetchOp, stream goja.Value) (*jsBodyReader, error) {
	r, err := in.streamHook("openHostReader")(goja.Undefined(), stream)
	if err != nil {
		return nil, fmt.Errorf("the request body stream cannot be read: %v", in.scriptError(err))
	}
	jr := &jsBodyReader{in: in, op: op, reader: r, results: make(chan jsRead, 1)}
	send := func(x jsRead) {
		select {
		case jr.results <- x:
		default:
		}
	}
	req := in.vm.NewObject()
	_ = req.Set("chunk", func(fc goja.FunctionCall) goja.Value {
		b, err := in.chunkBytes(fc.Argument(0))
		if err != nil {
			send(jsRead{err: fmt.Errorf("the request body stream produced %s; chunks must be Uint8Array", describeValue(in.vm, fc.Argument(0)))})
		} else {
			send(jsRead{b: b})
		}
		return goja.Undefined()
	})
	_ = req.Set("close", func(goja.FunctionCall) goja.Value {
		send(jsRead{err: io.EOF})
		return goja.Undefined()
	})
	_ = req.Set("error", func(fc goja.FunctionCall) goja.Value {
		send(jsRead{err: fmt.Errorf("the request body stream errored: %s", in.valueError(fc.Argument(0)).Error())})
		return goja.Undefined()
	})
	jr.req = req
	return jr, nil
}

func (r *jsBodyReader) Read(p []byte) (int, error) {
	for len(r.pending) == 0 {
		if r.err != nil {
			return 0, r.err
		}
		r.in.post(r.op.c, func() error {
			if _, err := r.in.streamHook("hostRead")(goja.Undefined(), r.reader, r.req); err != nil {
				r.results <- jsRead{err: fmt.Errorf("reading the request body stream: %v", r.in.scriptError(err))}
			}
			return nil
		})
		select {
		case x := <-r.results:
			r.pending, r.err = x.b, x.err
			if x.err == io.EOF {
				r.eof.Store(true)
			}
		case <-r.op.ctx.Done():
			r.err = r.op.ctx.Err()
		}
	}
	n := copy(p, r.pending)
	r.pending = r.pending[n:]
	return n, nil
}

// Close is called by the transport when it is done with the body: unless
// the stream ended, it is cancelled (the server answered early, or the
// exchange failed).
func (r *jsBodyReader) Close() error {
	r.closed.Do(func() {
		if r.eof.Load() {
			return
		}
		r.in.post(r.op.c, func() error {
			reason := r.in.typeErr("fetch: the request body was not sent in full")
			_, _ = r.in.streamHook("hostCancel")(goja.Undefined(), r.reader, reason)
			return nil
		})
	})
	return nil
}
