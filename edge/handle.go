package edge

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"time"
	"unsafe"

	"github.com/valyala/fasthttp"

	"github.com/edgefn/edgefn/isolate"
)

// requestIDHeader is x-request-id in the canonical form fasthttp writes
// (SetCanonical skips normalising the name on every request).
var requestIDHeader = []byte("X-Request-Id")

// handle is the front door: route, convert, run, write back.
func (n *Node) handle(ctx *fasthttp.RequestCtx) {
	start := time.Now()
	if e := n.checkRequest(ctx); e != nil {
		id := n.ids.next()
		ctx.Response.Header.Set("x-request-id", id)
		ctx.SetConnectionClose()
		n.writeError(ctx, id, e.status, e.msg)
		n.log.Debug("request refused", "component", "http", "request_id", id, "status", e.status, "remote", ctx.RemoteIP().String(), "reason", e.msg)
		return
	}
	rs := readStrings(ctx, n.ids)
	id, host, path := rs.id, rs.host, rs.path
	// SetCanonical copies the value: a byte view of the string is enough.
	ctx.Response.Header.SetCanonical(requestIDHeader, unsafe.Slice(unsafe.StringData(id), len(id)))
	d := n.route(host, path)
	if d == nil {
		if e := n.devErr.Load(); e != nil {
			n.writeError(ctx, id, fasthttp.StatusServiceUnavailable, (*e).Error())
			return
		}
		n.writeError(ctx, id, fasthttp.StatusNotFound, "no deployment serves this host and path")
		return
	}
	v := d.acquire(func() uint32 { return n.clientBucket(ctx, d.name) })
	if v == nil {
		// The deployment was removed after routing picked it (the
		// development server's project renamed): what serves now takes it.
		if d2 := n.route(host, path); d2 != nil && d2 != d {
			d = d2
			v = d.acquire(func() uint32 { return n.clientBucket(ctx, d.name) })
		}
	}
	if v == nil {
		n.writeError(ctx, id, fasthttp.StatusServiceUnavailable, "the deployment is not running")
		return
	}
	defer v.release()
	if n.cfg.DevEndpoints && path == "/__scheduled" {
		n.devScheduled(ctx, id, d.name)
		return
	}
	if a := findAsset(v.assets, path); a != nil {
		serveAsset(ctx, a)
		n.accessLog(start, id, d.name, ctx, "asset")
		return
	}
	var route *fileRoute
	var params map[string]string
	if v.routes != nil {
		route, params = v.routes.match(path)
	}
	if v.pool == nil || (v.routes != nil && route == nil) {
		n.writeError(ctx, id, fasthttp.StatusNotFound, "no route or file serves "+path)
		n.accessLog(start, id, d.name, ctx, "")
		return
	}
	req, cc := rs.request(ctx, n.conns, n.cfg.HalfClose)
	if loopHops(req.Header) >= maxLoopHops {
		n.writeError(ctx, id, fasthttp.StatusLoopDetected, "this request went through edgefn's fetch() too many times (a deployment fetching itself?)")
		n.accessLog(start, id, d.name, ctx, "")
		return
	}
	if route != nil {
		req.Route = route.ID
		req.Params = params
	}
	limit := min(int64(n.cfg.MaxBodySize), v.pool.Limits().MaxBodySize)
	rb, err := n.readBody(ctx, req, limit)
	if err != nil {
		n.bodyError(ctx, id, err)
		n.accessLog(start, id, d.name, ctx, "")
		return
	}
	res, err := v.pool.Do(cc, req)
	left := cc.finish()
	kind := ""
	switch {
	case left:
		if res != nil && res.Stream != nil {
			res.Stream.Close()
			res.Stream = nil
		}
		n.clientClosed(ctx, id, d.name, v, start)
		kind = kindClientClosed
	case err != nil && rb != nil && rb.tooLarge.Load():
		n.bodyError(ctx, id, errBodyTooLarge)
	case err != nil && rb != nil && rb.broken.Load() != nil:
		n.bodyError(ctx, id, fmt.Errorf("edge: reading the request body: %w", *rb.broken.Load()))
	case err != nil:
		n.fail(ctx, id, d.name, v, err)
	default:
		if err := n.checkResponse(res, v.pool.Limits().MaxResponseSize); err != nil {
			if res.Stream != nil {
				res.Stream.Close()
				res.Stream = nil
			}
			n.fail(ctx, id, d.name, v, err)
			break
		}
		n.writeResponse(ctx, id, res, rb, v)
	}
	if rb != nil && (res == nil || res.Stream == nil) {
		// A streamed response closes the body once it is written.
		rb.close()
	}
	n.accessLog(start, id, d.name, ctx, kind)
}

// kindClientClosed marks, in the access log, a request whose client left
// before the response.
const kindClientClosed = "client_closed"

// clientClosed records a request whose client closed the connection before
// the response started: one log line, the client-closed metric, and status
// 499 for the access log (the connection is closed; whatever fasthttp
// writes goes nowhere, or to a client that only shut down its write side).
func (n *Node) clientClosed(ctx *fasthttp.RequestCtx, id, deployment string, v *version, start time.Time) {
	v.log.Info("client closed the connection before the response", "request_id", id, "elapsed", time.Since(start))
	n.metrics.clientClosed(deployment)
	ctx.SetConnectionClose()
	ctx.Response.Reset()
	ctx.Response.Header.SetStatusMessage([]byte(statusText(StatusClientClosedRequest)))
	ctx.Response.Header.SetCanonical(requestIDHeader, unsafe.Slice(unsafe.StringData(id), len(id)))
	n.writeError(ctx, id, StatusClientClosedRequest, errClientClosed.Error())
}

// bodyError answers a request whose body could not be taken in.
func (n *Node) bodyError(ctx *fasthttp.RequestCtx, id string, err error) {
	if errors.Is(err, errBodyTooLarge) {
		ctx.SetConnectionClose()
		n.writeError(ctx, id, fasthttp.StatusRequestEntityTooLarge, "the request body exceeds the size limit")
		return
	}
	ctx.SetConnectionClose()
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		n.writeError(ctx, id, fasthttp.StatusRequestTimeout, "the request body did not arrive in time")
		return
	}
	n.writeError(ctx, id, fasthttp.StatusBadRequest, err.Error())
}

// accessLog records a finished request: metrics, the live tail, and the
// structured access line.
func (n *Node) accessLog(start time.Time, id, deployment string, ctx *fasthttp.RequestCtx, kind string) {
	took := time.Since(start)
	status := ctx.Response.StatusCode()
	n.metrics.observe(n.metrics.dep(deployment), status, took)
	if n.tail.active() {
		n.tail.publish(TailEvent{Type: "request", Time: start, Deployment: deployment, RequestID: id,
			Method: string(ctx.Method()), URL: string(ctx.Host()) + string(ctx.RequestURI()), Status: status,
			DurationMs: float64(took.Microseconds()) / 1000})
	}
	if !n.cfg.AccessLog {
		return
	}
	attrs := []any{"request_id", id, "deployment", deployment, "method", string(ctx.Method()),
		"host", string(ctx.Host()), "path", string(ctx.Path()), "status", ctx.Response.StatusCode(),
		"duration", took, "remote", ctx.RemoteIP().String()}
	switch kind {
	case "":
	case kindClientClosed:
		attrs = append(attrs, "outcome", kind)
	default:
		attrs = append(attrs, "served", kind)
	}
	n.log.Info("request", attrs...)
}

// requestStrings are the strings of an incoming request, all slices of one
// allocation: the request id, the host (lower-case, without its port), the
// path, the absolute URL, the header names (lower-case) and values, and the
// client's address. They stay valid after fasthttp reuses its buffers, so the
// isolate and logs may keep them.
type requestStrings struct {
	id, host, path, method, url, remote string
	headers                             string // names and values, in order, back to back
}

// readStrings copies a request's strings out of fasthttp's buffers.
func readStrings(ctx *fasthttp.RequestCtx, ids *requestIDs) requestStrings {
	r := &ctx.Request
	hostHdr := r.Host()
	hostLen := len(hostHdr)
	if i := bytes.LastIndexByte(hostHdr, ':'); i >= 0 && bytes.IndexByte(hostHdr[i:], ']') < 0 {
		hostLen = i
	}
	scheme := "http://"
	if ctx.IsTLS() {
		scheme = "https://"
	}
	method := r.Header.Method()
	knownMethod := commonMethod(method)
	hsize := 0
	r.Header.VisitAll(func(k, v []byte) { hsize += len(k) + len(v) })
	var remote [64]byte
	addr := appendAddr(remote[:0], ctx.RemoteAddr())
	var idBuf [maxIDLen]byte
	id := ids.append(idBuf[:0])

	path, uri := ctx.Path(), r.RequestURI()
	b := make([]byte, 0, len(id)+hostLen+len(path)+len(scheme)+len(hostHdr)+len(uri)+
		hsize+len(addr)+len(method))
	var off [7]int
	b = append(b, id...)
	off[1] = len(b)
	for _, c := range hostHdr[:hostLen] {
		b = append(b, lower(c))
	}
	off[2] = len(b)
	b = append(b, path...)
	off[3] = len(b)
	b = append(b, scheme...)
	b = append(b, hostHdr...)
	b = append(b, uri...)
	off[4] = len(b)
	r.Header.VisitAll(func(k, v []byte) {
		for _, c := range k {
			b = append(b, lower(c))
		}
		b = append(b, v...)
	})
	off[5] = len(b)
	b = append(b, addr...)
	off[6] = len(b)
	if knownMethod == "" {
		b = append(b, method...)
	}
	// b is never written again: the strings may share its memory (as
	// strings.Builder does), saving a copy.
	all := unsafe.String(unsafe.SliceData(b), len(b))
	rs := requestStrings{
		id: all[off[0]:off[1]], host: all[off[1]:off[2]], path: all[off[2]:off[3]], url: all[off[3]:off[4]],
		headers: all[off[4]:off[5]], remote: all[off[5]:off[6]], method: knownMethod,
	}
	if knownMethod == "" {
		rs.method = all[off[6]:]
	}
	return rs
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		c += 'a' - 'A'
	}
	return c
}

// commonMethod returns m as a constant string when it is one of the usual
// methods (no allocation), else "".
func commonMethod(m []byte) string {
	switch string(m) {
	case "GET":
		return "GET"
	case "POST":
		return "POST"
	case "HEAD":
		return "HEAD"
	case "PUT":
		return "PUT"
	case "DELETE":
		return "DELETE"
	case "PATCH":
		return "PATCH"
	case "OPTIONS":
		return "OPTIONS"
	}
	return ""
}

// appendAddr appends a client address as net.Addr.String writes it
// (ip:port, [ipv6]:port), without its allocations for TCP addresses.
func appendAddr(b []byte, a net.Addr) []byte {
	if t, ok := a.(*net.TCPAddr); ok {
		ap := t.AddrPort()
		return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port()).AppendTo(b)
	}
	if a == nil {
		return b
	}
	return append(b, a.String()...)
}

// frontRequest is a request and its context, made in one allocation.
type frontRequest struct {
	req isolate.Request
	cc  clientCtx
}

// request makes the isolate.Request over the strings, and the context it
// runs under; header fields slice rs.headers in the order fasthttp visits
// them.
func (rs *requestStrings) request(ctx *fasthttp.RequestCtx, conns *connRegistry, halfClose bool) (*isolate.Request, *clientCtx) {
	r := &ctx.Request
	fields := make([]isolate.HeaderField, 0, r.Header.Len())
	off := 0
	r.Header.VisitAll(func(k, v []byte) {
		name := rs.headers[off : off+len(k)]
		off += len(k)
		fields = append(fields, isolate.HeaderField{Name: name, Value: rs.headers[off : off+len(v)]})
		off += len(v)
	})
	fr := &frontRequest{
		req: isolate.Request{
			ID:         rs.id,
			Method:     rs.method,
			URL:        rs.url,
			Header:     fields,
			RemoteAddr: rs.remote,
		},
		cc: clientCtx{rctx: ctx, conns: conns, halfClose: halfClose},
	}
	return &fr.req, &fr.cc
}

// hopByHop are headers a handler may not set on the wire: the server owns
// the connection and the framing.
var hopByHop = map[string]bool{
	"connection": true, "keep-alive": true, "transfer-encoding": true, "upgrade": true,
	"proxy-connection": true, "te": true, "trailer": true, "content-length": true,
}

// writeResponse writes a handler's response. A streamed body goes out
// chunk by chunk as the handler produces it; rb, the streamed request body
// if any, stays readable until the response is written.
func (n *Node) writeResponse(ctx *fasthttp.RequestCtx, id string, res *isolate.Response, rb *requestBody, v *version) {
	ctx.SetStatusCode(res.Status)
	h := &ctx.Response.Header
	for _, f := range res.Header {
		if hopByHop[f.Name] {
			continue
		}
		if f.Name == "content-type" {
			h.SetContentType(f.Value)
			continue
		}
		h.Add(f.Name, f.Value)
	}
	if res.Stream != nil {
		// Headers go out at once: a client waiting on a slow first chunk
		// still sees the response start.
		ctx.Response.ImmediateHeaderFlush = true
		ctx.Response.SetBodyStream(&streamBody{ctx: ctx, s: res.Stream, writeTimeout: n.cfg.WriteTimeout, req: rb,
			limit: v.pool.Limits().MaxResponseSize, log: v.log, id: id}, -1)
		return
	}
	ctx.Response.SetBodyRaw(res.Body)
}

// fail answers a request whose handler failed.
func (n *Node) fail(ctx *fasthttp.RequestCtx, id, deployment string, v *version, err error) {
	log := v.log
	status := fasthttp.StatusInternalServerError
	msg := "the handler failed"
	var mna *isolate.MethodNotAllowedError
	var se *isolate.ScriptError
	switch {
	case errors.Is(err, isolate.ErrNoRoute):
		n.writeError(ctx, id, fasthttp.StatusNotFound, "no route serves this path")
		return
	case errors.As(err, &mna):
		ctx.Response.Header.Set("allow", strings.Join(mna.Allow, ", "))
		n.writeError(ctx, id, fasthttp.StatusMethodNotAllowed, "method "+mna.Method+" not allowed")
		return
	case errors.Is(err, isolate.ErrOverloaded):
		ctx.Response.Header.Set("retry-after", "1")
		status, msg = fasthttp.StatusServiceUnavailable, "overloaded: every runtime is busy, retry shortly"
	case errors.Is(err, isolate.ErrClosed):
		ctx.Response.Header.Set("retry-after", "1")
		status, msg = fasthttp.StatusServiceUnavailable, "the deployment is restarting"
	case errors.Is(err, isolate.ErrWallTime):
		status, msg = fasthttp.StatusGatewayTimeout, err.Error()
	case errors.As(err, &se):
		msg = se.Error()
		if n.cfg.ExposeErrors && se.Stack != "" {
			msg = se.Stack
			if !strings.Contains(se.Stack, se.Message) {
				msg = se.Error() + "\n" + se.Stack
			}
		}
	default:
		msg = err.Error()
	}
	n.metrics.failure(deployment, err)
	attrs := []any{"request_id", id, "deployment", deployment, "status", status, "error", err.Error()}
	if se != nil && se.Stack != "" {
		attrs = append(attrs, "stack", se.Stack)
	}
	log.Error("request failed", attrs...)
	if !n.cfg.ExposeErrors && status == fasthttp.StatusInternalServerError && !isLimit(err) {
		msg = "the handler failed"
	}
	n.writeError(ctx, id, status, redact(v.secrets, msg))
}

// isLimit reports whether err is a limit the handler broke. Its message
// names the limit and carries nothing of the script's, so production
// answers say which limit it was.
func isLimit(err error) bool {
	for _, l := range []error{isolate.ErrCPUTime, isolate.ErrMemoryLimit, isolate.ErrStackOverflow, isolate.ErrHung,
		errResponseHeaders, errResponseTooLarge} {
		if errors.Is(err, l) {
			return true
		}
	}
	return false
}

// writeError writes a plain-text error response naming the request id.
func (n *Node) writeError(ctx *fasthttp.RequestCtx, id string, status int, msg string) {
	ctx.SetStatusCode(status)
	ctx.SetContentType("text/plain; charset=utf-8")
	ctx.SetBodyString(statusText(status) + ": " + msg + "\nrequest id: " + id + "\n")
}

// statusText is the reason phrase of status, including the one edgefn uses
// that fasthttp does not know.
func statusText(status int) string {
	if status == StatusClientClosedRequest {
		return "Client Closed Request"
	}
	return fasthttp.StatusMessage(status)
}

// devScheduled runs the deployment's scheduled() by hand (development).
func (n *Node) devScheduled(ctx *fasthttp.RequestCtx, id, deployment string) {
	spec := string(ctx.QueryArgs().Peek("cron"))
	if err := n.TriggerCron(context.Background(), deployment, spec, nil); err != nil {
		status := fasthttp.StatusInternalServerError
		if errors.Is(err, isolate.ErrNoEventHandler) {
			status = fasthttp.StatusBadRequest
		}
		n.writeError(ctx, id, status, err.Error())
		return
	}
	ctx.SetContentType("text/plain; charset=utf-8")
	ctx.SetBodyString("ran scheduled()\n")
}
