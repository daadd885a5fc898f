package isolate

import (
	"errors"
	"fmt"
	"io"
	"math"
	"mime"

	"github.com/dop251/goja"
)

// bodyKind says where a Request's or Response's body is.
type bodyKind uint8

const (
	bodyNone     bodyKind = iota
	bodyString            // str
	bodyBytes             // bytes (never shared with script memory)
	bodyHost              // the incoming request's body, still in the host
	bodyJSStream          // stream: a JS ReadableStream
	bodyFetched           // fetched: a fetch() response's body, still on the connection
)

// body is the Fetch spec's body of a Request or Response.
type body struct {
	kind    bodyKind
	str     string
	bytes   []byte
	host    *Request
	stream  goja.Value
	fetched *fetchedBody
	used    bool
	// shared: bytes are also held elsewhere (a Blob's, a clone's); a
	// reader gets a copy, never the bytes themselves.
	shared bool
}

// The ways a body can be consumed.
const (
	asText = iota
	asJSON
	asArrayBuffer
	asBytes
	asBlob
	asFormData
)

// extractBody converts a BodyInit into a body and the Content-Type it
// implies ("" for none). Types defined by other globals (Blob, FormData,
// ReadableStream) register extractors on in.bodyExtractors.
func (in *instance) extractBody(v goja.Value) (body, string) {
	if v == nil || goja.IsUndefined(v) || goja.IsNull(v) {
		return body{}, ""
	}
	obj, isObj := v.(*goja.Object)
	if !isObj {
		return body{kind: bodyString, str: v.String()}, "text/plain;charset=UTF-8"
	}
	switch x := obj.Export().(type) {
	case goja.ArrayBuffer:
		return body{kind: bodyBytes, bytes: append([]byte(nil), x.Bytes()...)}, ""
	case []byte:
		return body{kind: bodyBytes, bytes: append([]byte(nil), x...)}, ""
	}
	if b, ok := in.viewBytes(obj); ok {
		return body{kind: bodyBytes, bytes: append([]byte(nil), b...)}, ""
	}
	for _, ex := range in.bodyExtractors {
		if b, ct, ok := ex(obj); ok {
			return b, ct
		}
	}
	if in.intr.urlSearchParams != nil && in.vm.InstanceOf(obj, in.intr.urlSearchParams) {
		return body{kind: bodyString, str: obj.String()}, "application/x-www-form-urlencoded;charset=UTF-8"
	}
	if in.isReadableStream(obj) {
		if in.streamState(obj, "isUnusable") {
			in.throwType("body: the ReadableStream is locked to a reader or was already read from")
		}
		return body{kind: bodyJSStream, stream: obj}, ""
	}
	return body{kind: bodyString, str: obj.String()}, "text/plain;charset=UTF-8"
}

// viewBytes returns the bytes an ArrayBufferView (any typed array or a
// DataView) looks at, without copying.
func (in *instance) viewBytes(obj *goja.Object) ([]byte, bool) {
	r, err := in.isView()(goja.Undefined(), obj)
	if err != nil || !r.ToBoolean() {
		return nil, false
	}
	ab, ok := obj.Get("buffer").Export().(goja.ArrayBuffer)
	if !ok {
		return nil, false
	}
	off, n := obj.Get("byteOffset").ToInteger(), obj.Get("byteLength").ToInteger()
	b := ab.Bytes()
	if off < 0 || n < 0 || off+n > int64(len(b)) {
		return nil, false
	}
	return b[off : off+n], true
}

// consume reads the whole body and returns a promise of it in the form
// asked for.
func (in *instance) consume(b *body, as int) goja.Value {
	return in.consumeTyped(b, as, "")
}

// consumeTyped is consume for the readers that need the body's content
// type (blob() and formData()).
func (in *instance) consumeTyped(b *body, as int, contentType string) goja.Value {
	p, resolve, reject := in.vm.NewPromise()
	if b.used || (b.kind == bodyJSStream && in.streamState(b.stream, "isUnusable")) {
		_ = reject(in.typeErr("Body has already been used; clone() the Request or Response to read it twice"))
		return in.vm.ToValue(p)
	}
	if b.kind != bodyNone {
		b.used = true
	}
	deliver := func(text string, bytes []byte, isText bool) {
		switch as {
		case asText:
			if !isText {
				text = decodeUTF8(bytes)
			}
			_ = resolve(text)
		case asJSON:
			if !isText {
				text = decodeUTF8(bytes)
			}
			v, err := in.jsonParse()(goja.Undefined(), in.vm.ToValue(text))
			if err != nil {
				if ex, ok := err.(*goja.Exception); ok {
					_ = reject(ex.Value())
					return
				}
				_ = reject(err)
				return
			}
			_ = resolve(v)
		case asBlob:
			if isText {
				bytes = []byte(text)
			}
			_ = resolve(in.newBlob(bytes, normBlobType(contentType)))
		case asFormData:
			if isText {
				bytes = []byte(text)
			}
			fd, err := in.parseForm(bytes, contentType)
			if err != nil {
				_ = reject(in.typeErr("formData: " + err.Error()))
				return
			}
			_ = resolve(fd)
		default:
			if isText {
				bytes = []byte(text)
			}
			if as == asBytes {
				_ = resolve(in.newUint8Array(bytes))
			} else {
				_ = resolve(in.vm.NewArrayBuffer(bytes))
			}
		}
	}
	switch b.kind {
	case bodyNone:
		deliver("", nil, true)
	case bodyString:
		deliver(b.str, nil, true)
	case bodyBytes:
		if b.shared && as != asText && as != asJSON {
			deliver("", append([]byte(nil), b.bytes...), false)
		} else {
			deliver("", b.bytes, false)
		}
	case bodyHost:
		if b.host.BodyStream == nil {
			if b.shared && as != asText && as != asJSON {
				deliver("", append([]byte(nil), b.host.Body...), false)
			} else {
				deliver("", b.host.Body, false)
			}
			break
		}
		done := in.reserve()
		limit := in.limits.MaxBodySize
		r := b.host.BodyStream
		hint := b.host.contentLength()
		go func() {
			data, err := readAllLimit(r, hint, limit)
			done(func() error {
				switch {
				case err == errBodyLimit:
					_ = reject(in.typeErr(fmt.Sprintf("request body: it exceeds the size limit of %d bytes", limit)))
				case err != nil:
					_ = reject(in.typeErr("request body: reading it failed: " + err.Error()))
				default:
					deliver("", data, false)
				}
				return nil
			})
		}()
	case bodyFetched:
		in.consumeFetched(b.fetched, reject, func(data []byte) { deliver("", data, false) })
	case bodyJSStream:
		pv, err := in.streamHook("readAllStream")(goja.Undefined(), b.stream)
		if err != nil {
			_ = reject(in.errorValue(err))
			break
		}
		in.thenAny(pv, func(v goja.Value) {
			bytes, err := in.chunkBytes(v)
			if err != nil {
				_ = reject(in.typeErr(err.Error()))
				return
			}
			deliver("", bytes, false)
		}, func(reason goja.Value) { _ = reject(reason) })
	}
	return in.vm.ToValue(p)
}

// thenAny attaches Go callbacks to a promise (no call binding).
func (in *instance) thenAny(p goja.Value, onOK, onErr func(goja.Value)) {
	obj, ok := p.(*goja.Object)
	if !ok {
		onOK(p)
		return
	}
	then, ok := goja.AssertFunction(obj.Get("then"))
	if !ok {
		onOK(p)
		return
	}
	_, err := then(obj, in.vm.ToValue(func(fc goja.FunctionCall) goja.Value {
		onOK(fc.Argument(0))
		return goja.Undefined()
	}), in.vm.ToValue(func(fc goja.FunctionCall) goja.Value {
		onErr(fc.Argument(0))
		return goja.Undefined()
	}))
	if err != nil {
		panic(err)
	}
}

// bodyStreamOf returns the body as a ReadableStream (the .body getter).
// From then on the stream owns the body.
func (in *instance) bodyStreamOf(b *body) goja.Value {
	switch b.kind {
	case bodyNone:
		return goja.Null()
	case bodyJSStream:
		return b.stream
	}
	var s goja.Value
	var err error
	switch b.kind {
	case bodyString:
		s, err = in.streamHook("streamFromBytes")(goja.Undefined(), in.newUint8Array([]byte(b.str)))
	case bodyBytes:
		// A clone may share the bytes: the stream gets its own.
		s, err = in.streamHook("streamFromBytes")(goja.Undefined(), in.newUint8Array(append([]byte(nil), b.bytes...)))
	case bodyFetched:
		s = in.fetchedStream(b.fetched)
	case bodyHost:
		if b.host.BodyStream != nil {
			s = in.hostBodyStream(b.host.BodyStream)
		} else {
			s, err = in.streamHook("streamFromBytes")(goja.Undefined(), in.newUint8Array(append([]byte(nil), b.host.Body...)))
		}
	}
	if err != nil {
		panic(err)
	}
	used := b.used
	*b = body{kind: bodyJSStream, stream: s, used: used}
	return s
}

// isReadableStream reports whether v is a ReadableStream (without
// installing the streams globals: a script that never touched them cannot
// hold one).
func (in *instance) isReadableStream(v goja.Value) bool {
	is, ok := goja.AssertFunction(in.internal.Get("isReadableStream"))
	if !ok {
		return false
	}
	r, err := is(goja.Undefined(), v)
	return err == nil && r.ToBoolean()
}

// streamState asks js/streams.js about a stream: "isDisturbed" (read
// from) or "isUnusable" (read from or locked: it can no longer be consumed
// or cloned).
func (in *instance) streamState(v goja.Value, hook string) bool {
	r, err := in.streamHook(hook)(goja.Undefined(), v)
	return err == nil && r.ToBoolean()
}

// errorValue turns an error a goja call returned into the JS value to
// reject with.
func (in *instance) errorValue(err error) goja.Value {
	var ex *goja.Exception
	if errors.As(err, &ex) {
		return ex.Value()
	}
	return in.typeErr(err.Error())
}

// bodyUsed is the Fetch spec's "body used": read whole, or its stream
// read from or locked.
func (in *instance) bodyUsed(b *body) bool {
	return b.used || (b.kind == bodyJSStream && in.streamState(b.stream, "isDisturbed"))
}

// bodyUnusable: the body can no longer be read or cloned.
func (in *instance) bodyUnusable(b *body) bool {
	return b.used || (b.kind == bodyJSStream && in.streamState(b.stream, "isUnusable"))
}

// cloneBody returns a copy of b for clone(); a stream is teed (an incoming
// streamed body becomes a stream first).
func (in *instance) cloneBody(b *body) body {
	if b.kind == bodyHost && b.host.BodyStream != nil || b.kind == bodyFetched {
		in.bodyStreamOf(b)
	}
	if b.kind != bodyJSStream {
		b.shared = true
		return *b
	}
	pair, err := in.streamHook("teeStream")(goja.Undefined(), b.stream)
	if err != nil {
		panic(err)
	}
	po := pair.(*goja.Object)
	b.stream = po.Get("0")
	return body{kind: bodyJSStream, stream: po.Get("1")}
}

// parseForm parses a body as FormData by its content type.
func (in *instance) parseForm(data []byte, contentType string) (goja.Value, error) {
	boundary, err := boundaryOf(contentType)
	if err != nil {
		return nil, err
	}
	if boundary != "" {
		entries, err := parseMultipart(data, boundary)
		if err != nil {
			return nil, err
		}
		return in.newFormData(entries), nil
	}
	if mt, _, _ := mime.ParseMediaType(contentType); mt == "application/x-www-form-urlencoded" {
		return in.newFormData(parseURLEncoded(data)), nil
	}
	if contentType == "" {
		return nil, errors.New("the body has no content type; multipart/form-data or application/x-www-form-urlencoded is needed")
	}
	return nil, fmt.Errorf("the content type %s is neither multipart/form-data nor application/x-www-form-urlencoded", quoteJS(contentType))
}

// defineBodyMixin adds bodyUsed and the readers to a prototype; bodyOf
// returns the body of `this` (throwing for a foreign this), headersOf its
// headers (for blob() and formData(), which need the content type).
func (in *instance) defineBodyMixin(p *goja.Object, bodyOf func(goja.Value) *body, headersOf func(goja.Value) *headerList) {
	reader := func(as int) func(goja.FunctionCall) goja.Value {
		return func(fc goja.FunctionCall) goja.Value { return in.consume(bodyOf(fc.This), as) }
	}
	typed := func(as int) func(goja.FunctionCall) goja.Value {
		return func(fc goja.FunctionCall) goja.Value {
			b := bodyOf(fc.This)
			ct, _ := headersOf(fc.This).get("content-type")
			return in.consumeTyped(b, as, ct)
		}
	}
	in.method(p, "blob", 0, typed(asBlob))
	in.method(p, "formData", 0, typed(asFormData))
	in.method(p, "text", 0, reader(asText))
	in.method(p, "json", 0, reader(asJSON))
	in.method(p, "arrayBuffer", 0, reader(asArrayBuffer))
	in.method(p, "bytes", 0, reader(asBytes))
	in.getter(p, "bodyUsed", func(fc goja.FunctionCall) goja.Value {
		b := bodyOf(fc.This)
		return in.vm.ToValue(in.bodyUsed(b))
	})
	in.getter(p, "body", func(fc goja.FunctionCall) goja.Value {
		return in.bodyStreamOf(bodyOf(fc.This))
	})
}

// hostReadSize is how much of a streamed request body one pull reads.
const hostReadSize = 64 << 10

// hostBodyStream makes a ReadableStream (a byte stream) over the incoming
// request's streamed body; past Limits.MaxBodySize it errors.
func (in *instance) hostBodyStream(r io.Reader) goja.Value {
	return in.readerStream(readerSource{r: r, limit: in.limits.MaxBodySize, what: "request body"})
}

// readerSource is what readerStream reads.
type readerSource struct {
	r io.Reader
	// limit bounds the bytes read (past it the stream errors); -1: none.
	limit int64
	// what names the body in errors.
	what string
	// onCancel, if set, runs on the loop when the script cancels the
	// stream (close the source there); onEnd when it reached its end or
	// failed.
	onCancel, onEnd func()
	// errValue, if set, makes the JS error a read error rejects with.
	errValue func(error) goja.Value
}

// readerStream makes a ReadableStream (a byte stream) over a Go reader:
// each pull reads the next piece on a goroutine of its own (the runtime's
// never waits on I/O) and delivers it on the loop; nothing is read before
// the script asks, so the data is never buffered whole. It must be called
// during a request: reads end with it. The incoming request's streamed
// body and fetch's response bodies use it.
func (in *instance) readerStream(src readerSource) goja.Value {
	c := in.cur
	r, limit, what := src.r, src.limit, src.what
	if limit < 0 {
		limit = math.MaxInt64
	}
	ended := func() {
		if src.onEnd != nil {
			src.onEnd()
			src.onEnd = nil
		}
	}
	var total int64
	eof, cancelled := false, false
	read := func(goja.FunctionCall) goja.Value {
		p, resolve, reject := in.vm.NewPromise()
		switch {
		case eof:
			_ = resolve(goja.Null())
		case cancelled:
			_ = reject(in.typeErr(what + ": the stream was cancelled"))
		case c == nil || c != in.cur || c.ended:
			_ = reject(in.typeErr(what + ": it can no longer be read: its request has ended"))
		default:
			done := in.reserve()
			go func() {
				buf := make([]byte, hostReadSize)
				var n int
				var err error
				for n == 0 && err == nil {
					n, err = r.Read(buf)
				}
				done(func() error {
					total += int64(n)
					switch {
					case total > limit:
						ended()
						_ = reject(in.typeErr(fmt.Sprintf("%s: it exceeds the size limit of %d bytes", what, limit)))
					case n > 0:
						eof = err == io.EOF
						if err != nil && err != io.EOF {
							// Deliver what arrived; the next read reports the error.
							r = errReader{err}
						}
						if eof {
							ended()
						}
						_ = resolve(in.newUint8Array(buf[:n:n]))
					case err == io.EOF:
						eof = true
						ended()
						_ = resolve(goja.Null())
					case src.errValue != nil:
						ended()
						_ = reject(src.errValue(err))
					default:
						ended()
						_ = reject(in.typeErr(what + ": reading it failed: " + err.Error()))
					}
					return nil
				})
			}()
		}
		return in.vm.ToValue(p)
	}
	cancel := func(goja.FunctionCall) goja.Value {
		if !cancelled {
			cancelled = true
			if src.onCancel != nil {
				src.onCancel()
			}
		}
		return goja.Undefined()
	}
	s, err := in.streamHook("streamFromHost")(goja.Undefined(), in.vm.ToValue(read), in.vm.ToValue(cancel))
	if err != nil {
		panic(err)
	}
	return s
}

// errReader returns its error from every Read.
type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// errBodyLimit: a body read whole went past Limits.MaxBodySize.
var errBodyLimit = errors.New("isolate: the body exceeds the size limit")

// readAllLimit reads r to its end into one buffer sized from hint (the
// declared length, -1 when unknown), failing past limit bytes.
func readAllLimit(r io.Reader, hint, limit int64) ([]byte, error) {
	size := int64(hostReadSize)
	if hint >= 0 {
		size = min(hint, limit) + 1 // +1: the read that sees EOF needs room
	}
	buf := make([]byte, 0, size)
	for {
		if len(buf) == cap(buf) {
			if int64(len(buf)) > limit {
				return nil, errBodyLimit
			}
			buf = append(buf, 0)[:len(buf)] // grow
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if int64(len(buf)) > limit {
			return nil, errBodyLimit
		}
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return nil, err
		}
	}
}
