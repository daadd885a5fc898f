package isolate

import (
	"bytes"
	"cmp"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/dop251/goja"
)

// FetchConfig configures outbound fetch() for a pool's runtimes.
type FetchConfig struct {
	// Allow lists what the SSRF guard lets fetch reach although it is a
	// loopback, private, link-local, CGNAT, multicast or otherwise
	// special-purpose address: IP addresses ("127.0.0.1"), CIDR prefixes
	// ("10.1.0.0/16", "fd00::/8"), host names ("db.internal": whatever it
	// resolves to) and "*.domain" (its subdomains). Empty by default: only
	// public addresses are reachable.
	Allow []string
	// AllowPrivate turns the SSRF guard off (every address is reachable).
	AllowPrivate bool
	// Timeout bounds one fetch from its start until the final response's
	// headers arrive (redirect hops included). Default 30s. Reading the
	// body is bounded by the request's own lifetime, not by this.
	Timeout time.Duration
	// MaxConcurrent bounds the subrequests one request has in flight
	// (sent, headers not yet back); more wait for a slot. Default 6, as on
	// Workers.
	MaxConcurrent int
	// MaxSubrequests bounds the subrequests one request makes in all,
	// each redirect hop counting as one. Default 50, as on Workers' free
	// plan (1000 on its paid plan).
	MaxSubrequests int
	// RootCAs verifies https servers' certificates; nil uses the system's
	// roots. Set it to reach services behind a private CA.
	RootCAs *x509.CertPool
}

// DefaultFetchConfig returns the defaults used for every zero field.
func DefaultFetchConfig() FetchConfig {
	return FetchConfig{Timeout: 30 * time.Second, MaxConcurrent: 6, MaxSubrequests: 50}
}

func (f FetchConfig) withDefaults() FetchConfig {
	d := DefaultFetchConfig()
	if f.Timeout == 0 {
		f.Timeout = d.Timeout
	}
	if f.MaxConcurrent == 0 {
		f.MaxConcurrent = d.MaxConcurrent
	}
	if f.MaxSubrequests == 0 {
		f.MaxSubrequests = d.MaxSubrequests
	}
	return f
}

func (f FetchConfig) validate() error {
	switch {
	case f.Timeout < 0:
		return fmt.Errorf("isolate: pool config: Fetch.Timeout %v is negative", f.Timeout)
	case f.MaxConcurrent < 0:
		return fmt.Errorf("isolate: pool config: Fetch.MaxConcurrent %d is negative", f.MaxConcurrent)
	case f.MaxSubrequests < 0:
		return fmt.Errorf("isolate: pool config: Fetch.MaxSubrequests %d is negative", f.MaxSubrequests)
	}
	if _, err := parseFetchAllow(f.Allow); err != nil {
		return fmt.Errorf("isolate: pool config: Fetch.%w", err)
	}
	return nil
}

// CDNLoopID is edgefn's entry in the CDN-Loop header (RFC 8586) of every
// outbound fetch: each hop through a handler's fetch() appends it, and the
// front door refuses a request that has looped too often.
const CDNLoopID = "edgefn"

// maxRedirects is the Fetch spec's redirect cap.
const maxRedirects = 20

// fetcher is a pool's outbound HTTP client: one transport (connection
// pool) shared by the pool's runtimes, with the pool's SSRF policy in its
// dialer.
type fetcher struct {
	cfg       FetchConfig
	policy    *fetchPolicy
	transport *http.Transport
}

func newFetcher(cfg FetchConfig) (*fetcher, error) {
	policy, err := parseFetchAllow(cfg.Allow)
	if err != nil {
		return nil, err
	}
	policy.allowAll = cfg.AllowPrivate
	d := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	tr := &http.Transport{
		// No proxy from the environment: only cmd/edgefn reads it, and a
		// proxy would dial on the script's behalf past the guard.
		Proxy:                  nil,
		DialContext:            policy.dialContext(d),
		ForceAttemptHTTP2:      true,
		MaxIdleConns:           256,
		MaxIdleConnsPerHost:    32,
		IdleConnTimeout:        90 * time.Second,
		TLSHandshakeTimeout:    10 * time.Second,
		ExpectContinueTimeout:  time.Second,
		MaxResponseHeaderBytes: 256 << 10,
		// Decoding is ours (gzip, deflate and br, as browsers do).
		DisableCompression: true,
		TLSClientConfig:    &tls.Config{RootCAs: cfg.RootCAs, MinVersion: tls.VersionTLS12},
	}
	return &fetcher{cfg: cfg, policy: policy, transport: tr}, nil
}

func (f *fetcher) close() { f.transport.CloseIdleConnections() }

// callFetch is one request's outbound fetch bookkeeping.
type callFetch struct {
	slots chan struct{} // MaxConcurrent: a slot per exchange in flight

	mu    sync.Mutex
	count int // subrequests made (redirect hops included)

	// ops are the fetches not finished yet (loop only): the request's end
	// cancels them.
	ops map[*fetchOp]struct{}
}

// errCallEnded: the request that made the fetch ended.
var errCallEnded = errors.New("the request that made it has ended")

// fetchState returns the call's fetch bookkeeping, made on first use.
func (in *instance) fetchState(c *call) *callFetch {
	if c.fetch != nil {
		return c.fetch
	}
	cf := &callFetch{slots: make(chan struct{}, in.pool.fetcher.cfg.MaxConcurrent), ops: map[*fetchOp]struct{}{}}
	c.fetch = cf
	c.onEnd = append(c.onEnd, func() {
		for op := range cf.ops {
			op.cancel(errCallEnded)
			in.finishOp(op)
		}
	})
	return cf
}

// finishOp: op needs neither its abort listener nor cancelling at the
// request's end any more (its body was read, failed, or was handed to the
// host).
func (in *instance) finishOp(op *fetchOp) {
	delete(op.cf.ops, op)
	in.unlistenAbort(op)
}

// countSubrequest takes one of the request's subrequests, or says it has
// none left.
func (cf *callFetch) countSubrequest(max int) error {
	cf.mu.Lock()
	defer cf.mu.Unlock()
	if cf.count >= max {
		return fmt.Errorf("too many subrequests: this request already made %d, its limit ([fetch] max_subrequests in edgefn.toml)", max)
	}
	cf.count++
	return nil
}

// fetchOp is one fetch() call: its request, its cancellation and how it
// was settled.
type fetchOp struct {
	in     *instance
	c      *call
	cf     *callFetch
	ctx    context.Context
	cancel context.CancelCauseFunc

	method   string
	url      *url.URL
	header   http.Header
	redirect string
	// The request body: payload when it can be sent again (bytes, for
	// 307/308 redirects), else reader (a stream: sent once).
	payload []byte
	hasBody bool
	reader  io.Reader

	// Loop only.
	signal   *goja.Object
	unfollow func()     // stops following signal; nil when not following
	reason   goja.Value // the signal's reason once it aborted
	settled  bool
	resolve  func(any) error
	reject   func(any) error
	response *fetchedBody
}

// errAborted is the cancellation cause when the fetch's signal aborted.
var errAborted = errors.New("aborted")

// errFetchTimeout is the cause when Timeout passed before the headers.
type errFetchTimeout struct{ d time.Duration }

func (e errFetchTimeout) Error() string {
	return fmt.Sprintf("no response within %v ([fetch] timeout_ms in edgefn.toml)", e.d)
}

func installFetch(in *instance) error {
	fn := in.vm.ToValue(func(fc goja.FunctionCall) goja.Value { return in.fetch(fc) }).(*goja.Object)
	_ = fn.DefineDataProperty("name", in.vm.ToValue("fetch"), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	_ = fn.DefineDataProperty("length", in.vm.ToValue(1), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	return in.vm.GlobalObject().DefineDataProperty("fetch", fn, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
}

// fetch is the fetch(input, init) global. Every error rejects the promise
// it returns, as the spec has it; none is thrown.
func (in *instance) fetch(fc goja.FunctionCall) goja.Value {
	p, resolve, reject := in.vm.NewPromise()
	ret := in.vm.ToValue(p)
	c := in.cur
	if c == nil || c.ended || in.pool == nil || in.pool.fetcher == nil {
		_ = reject(in.typeErr("fetch: it can only be called while handling a request (not at the script's global scope)"))
		return ret
	}
	if len(fc.Arguments) == 0 {
		_ = reject(in.typeErr("fetch: 1 argument required, but only 0 present"))
		return ret
	}
	in.ensure("Request")
	var st *requestState
	if ex := in.vm.Try(func() { st = in.newRequestState(fc.Arguments) }); ex != nil {
		_ = reject(ex.Value())
		return ret
	}
	op := &fetchOp{in: in, c: c, method: st.method, redirect: st.redirect, resolve: resolve, reject: reject}
	u, err := url.Parse(st.url)
	if err != nil {
		_ = reject(in.typeErr("fetch: invalid URL " + quoteJS(st.url)))
		return ret
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		_ = reject(in.typeErr("fetch: the URL scheme " + quoteJS(u.Scheme+":") + " is not supported; only http: and https: are"))
		return ret
	}
	if u.User != nil {
		_ = reject(in.typeErr("fetch: the URL " + quoteJS(st.url) + " has credentials in it; send them in an Authorization header instead"))
		return ret
	}
	u.Fragment, u.RawFragment = "", ""
	op.url = u
	if st.signal != nil || st.follow != nil || st.followReq != nil {
		// The request's signal follows init.signal or the input request's.
		sig, ok := in.requestSignal(st).(*goja.Object)
		if ok && sig.Get("aborted").ToBoolean() {
			_ = reject(sig.Get("reason"))
			return ret
		}
		op.signal = sig
	}
	op.header = make(http.Header, len(st.headerList().fields)+2)
	for _, f := range st.headerList().fields {
		if f.Name == "host" {
			continue // the URL names the host
		}
		op.header[http.CanonicalHeaderKey(f.Name)] = append(op.header[http.CanonicalHeaderKey(f.Name)], f.Value)
	}
	// The incoming request's hops plus this one; what the script set is
	// replaced, so a loop cannot hide its count.
	var loop []string
	for _, f := range c.req.Header {
		if f.Name == "cdn-loop" {
			loop = append(loop, f.Value)
		}
	}
	op.header["Cdn-Loop"] = []string{strings.Join(append(loop, CDNLoopID), ", ")}
	if op.header.Get("User-Agent") == "" {
		// As navigator.userAgent says ("edgefn/<version>" from the binary).
		op.header.Set("User-Agent", cmp.Or(in.cfg.UserAgent, "edgefn"))
	}
	if op.header.Get("Accept-Encoding") == "" {
		op.header.Set("Accept-Encoding", "gzip, deflate, br")
	}
	if op.header.Get("Accept") == "" {
		op.header.Set("Accept", "*/*")
	}
	if err := in.takeRequestBody(op, &st.body); err != nil {
		_ = reject(in.typeErr("fetch: " + err.Error()))
		return ret
	}
	op.cf = in.fetchState(c)
	// Not derived from the incoming request's context: a fetch in waitUntil
	// outlives the response. The request's end cancels it (fetchState).
	op.ctx, op.cancel = context.WithCancelCause(context.Background())
	op.cf.ops[op] = struct{}{}
	if op.signal != nil {
		in.listenAbort(op)
	}
	done := in.reserve()
	go func() {
		res, err := op.exchange()
		done(func() error {
			in.settleFetch(op, res, err)
			return nil
		})
	}()
	return ret
}

// takeRequestBody moves the request's body into op: bytes when they are in
// memory (they can be sent again after a 307/308), else a reader that
// streams it (an incoming request's streamed body is passed through in Go;
// a JS ReadableStream is pulled chunk by chunk as the connection takes it).
func (in *instance) takeRequestBody(op *fetchOp, b *body) error {
	if b.kind == bodyNone {
		return nil
	}
	if in.bodyUnusable(b) {
		return errors.New("the request body has already been used")
	}
	op.hasBody = true
	switch b.kind {
	case bodyString:
		op.payload = []byte(b.str)
	case bodyBytes:
		op.payload = b.bytes
	case bodyHost:
		if b.host.BodyStream == nil {
			op.payload = b.host.Body
		} else {
			// The front door bounds it to the body size limit as it arrives.
			op.reader = b.host.BodyStream
		}
	case bodyFetched:
		op.reader = b.fetched
	case bodyJSStream:
		r, err := in.newJSBodyReader(op, b.stream)
		if err != nil {
			return err
		}
		op.reader = r
	}
	b.used = true
	return nil
}

// listenAbort makes op's signal cancel it: a pending fetch rejects with the
// signal's reason, a body being read errors with it. It follows the signal
// with an abort algorithm, as the Fetch standard does: no listener a script
// could see or remove.
func (in *instance) listenAbort(op *fetchOp) {
	op.unfollow = in.followSignal(op.signal, func(reason goja.Value) {
		op.reason = reason
		op.cancel(errAborted)
		if !op.settled {
			op.settled = true
			_ = op.reject(reason)
		}
		if b := op.response; b != nil {
			b.abort(reason)
		}
		in.unlistenAbort(op)
	})
}

// unlistenAbort stops following op's signal (once done, or the request
// ended): a long-lived signal must not keep old fetches alive.
func (in *instance) unlistenAbort(op *fetchOp) {
	if op.unfollow == nil {
		return
	}
	f := op.unfollow
	op.unfollow = nil
	f()
}

// fetchResult is what exchange got: the final response and where from.
type fetchResult struct {
	res        *http.Response
	url        string
	redirected bool
	// A small body of declared length is read with the headers (see
	// prefetch): buffered says so, body and bodyErr are what was read.
	buffered bool
	body     []byte
	bodyErr  error
}

// prefetchMax is the largest declared body read with the headers.
const prefetchMax = 32 << 10

// prefetch reads a small uncompressed body of declared length on the
// exchange's goroutine, before the promise settles: the script's read of it
// then costs no second goroutine and loop wake-up, and the connection goes
// back to the pool at once. It is what arrived with the headers or just
// after; a larger, compressed or unsized body is left on the connection.
func (op *fetchOp) prefetch(r *fetchResult) {
	res := r.res
	if op.method == "HEAD" || nullBodyStatus(res.StatusCode) || res.ContentLength < 0 || res.ContentLength > prefetchMax {
		return
	}
	if enc := res.Header.Get("Content-Encoding"); enc != "" && !strings.EqualFold(enc, "identity") {
		return
	}
	r.buffered = true
	r.body = make([]byte, res.ContentLength)
	_, r.bodyErr = io.ReadFull(res.Body, r.body)
	if r.bodyErr == nil {
		// Read on to the end: net/http reuses the connection only when the
		// body was read to io.EOF before it was closed.
		var one [1]byte
		if n, err := res.Body.Read(one[:]); n > 0 || (err != nil && err != io.EOF) {
			r.bodyErr = fmt.Errorf("the body is longer than its Content-Length (%d)", res.ContentLength)
		}
	}
	if r.bodyErr != nil {
		r.body = nil
		if op.ctx.Err() != nil {
			r.bodyErr = op.ctxError(op.url)
		}
	}
	res.Body.Close()
}

// exchange runs on its own goroutine: the request and every redirect hop
// up to the final response's headers.
func (op *fetchOp) exchange() (*fetchResult, error) {
	f := op.in.pool.fetcher
	timer := time.AfterFunc(f.cfg.Timeout, func() { op.cancel(errFetchTimeout{f.cfg.Timeout}) })
	defer timer.Stop()
	method, u, header := op.method, op.url, op.header
	payload, reader, hasBody := op.payload, op.reader, op.hasBody
	for hops := 0; ; hops++ {
		if err := op.cf.countSubrequest(f.cfg.MaxSubrequests); err != nil {
			return nil, err
		}
		req, err := http.NewRequestWithContext(op.ctx, method, u.String(), nil)
		if err != nil {
			return nil, fmt.Errorf("invalid request: %w", err)
		}
		req.Header = header
		if hasBody {
			if reader != nil {
				if rc, ok := reader.(io.ReadCloser); ok {
					req.Body = rc // closed by the transport when it is done with it
				} else {
					req.Body = io.NopCloser(reader)
				}
				req.ContentLength = -1
			} else {
				data := payload
				req.Body = io.NopCloser(bytes.NewReader(data))
				req.ContentLength = int64(len(data))
				req.GetBody = func() (io.ReadCloser, error) {
					return io.NopCloser(bytes.NewReader(data)), nil
				}
				if len(data) == 0 {
					req.Body = http.NoBody
				}
			}
		}
		res, err := op.roundTrip(req)
		if err != nil {
			return nil, err
		}
		loc := res.Header.Get("Location")
		if !isRedirect(res.StatusCode) || loc == "" || op.redirect == "manual" {
			r := &fetchResult{res: res, url: u.String(), redirected: hops > 0}
			op.prefetch(r)
			return r, nil
		}
		res.Body.Close()
		if op.redirect == "error" {
			return nil, fmt.Errorf("%s redirected (%d) to %s, and the request's redirect mode is \"error\"", u, res.StatusCode, loc)
		}
		if hops+1 > maxRedirects {
			return nil, fmt.Errorf("more than %d redirects, the last from %s", maxRedirects, u)
		}
		next, err := u.Parse(loc)
		if err != nil || (next.Scheme != "http" && next.Scheme != "https") {
			return nil, fmt.Errorf("%s redirected to %q, which is not an http(s) URL", u, loc)
		}
		next.Fragment, next.RawFragment = "", ""
		if next.User != nil {
			return nil, fmt.Errorf("%s redirected to a URL with credentials in it", u)
		}
		header = header.Clone()
		// The Fetch spec's HTTP-redirect fetch: 303 (but HEAD), and 301/302
		// from POST, become GET without a body.
		if res.StatusCode == 303 && method != "HEAD" || (res.StatusCode == 301 || res.StatusCode == 302) && method == "POST" {
			method = "GET"
			hasBody, payload, reader = false, nil, nil
			for _, h := range []string{"Content-Type", "Content-Length", "Content-Encoding", "Content-Language", "Content-Location"} {
				header.Del(h)
			}
		}
		if hasBody && reader != nil {
			return nil, fmt.Errorf("%s redirected (%d) a request whose body is a stream, which cannot be sent twice; send it as bytes, or use redirect: \"manual\"", u, res.StatusCode)
		}
		if !sameOrigin(u, next) {
			header.Del("Authorization")
		}
		u = next
	}
}

// roundTrip sends one request holding one of the call's concurrency slots.
func (op *fetchOp) roundTrip(req *http.Request) (*http.Response, error) {
	select {
	case op.cf.slots <- struct{}{}:
	case <-op.ctx.Done():
		return nil, op.ctxError(req.URL)
	}
	res, err := op.in.pool.fetcher.transport.RoundTrip(req)
	<-op.cf.slots
	if err != nil {
		if op.ctx.Err() != nil {
			return nil, op.ctxError(req.URL)
		}
		var blocked *BlockedAddressError
		if errors.As(err, &blocked) {
			return nil, blocked
		}
		return nil, fmt.Errorf("%s %s: %w", req.Method, req.URL, unwrapNetError(err))
	}
	return res, nil
}

// ctxError describes why op's context ended.
func (op *fetchOp) ctxError(u *url.URL) error {
	cause := context.Cause(op.ctx)
	var te errFetchTimeout
	switch {
	case errors.As(cause, &te):
		return fmt.Errorf("%s: %w", u, te)
	case errors.Is(cause, errCallEnded):
		return fmt.Errorf("%s: cancelled: %w", u, errCallEnded)
	}
	return cause
}

// unwrapNetError drops net/http's "Get "url": " wrapping (the message
// names the URL already).
func unwrapNetError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

func isRedirect(status int) bool {
	switch status {
	case 301, 302, 303, 307, 308:
		return true
	}
	return false
}

func sameOrigin(a, b *url.URL) bool {
	return a.Scheme == b.Scheme && strings.EqualFold(a.Host, b.Host)
}

// settleFetch runs on the loop with what exchange got.
func (in *instance) settleFetch(op *fetchOp, r *fetchResult, err error) {
	if op.settled {
		// Aborted meanwhile: the promise rejected with the reason already.
		if r != nil {
			r.res.Body.Close()
		}
		in.finishOp(op)
		return
	}
	op.settled = true
	if err != nil {
		in.finishOp(op)
		if op.reason != nil {
			_ = op.reject(op.reason)
			return
		}
		_ = op.reject(in.typeErr("fetch: " + err.Error()))
		return
	}
	_ = op.resolve(in.fetchedResponse(op, r))
}

// fetchedResponse makes the JS Response of a fetch: immutable headers, its
// body (decoded) streamed from the connection as it is read.
func (in *instance) fetchedResponse(op *fetchOp, r *fetchResult) *goja.Object {
	res := r.res
	in.ensure("Response")
	st := in.newResponseState()
	st.status = res.StatusCode
	st.statusText = strings.TrimPrefix(res.Status, strconv.Itoa(res.StatusCode)+" ")
	st.url = r.url
	st.redirected = r.redirected
	var rc io.ReadCloser
	decoded := false
	switch {
	case r.buffered && r.bodyErr != nil:
		rc = errReadCloser{r.bodyErr}
	case r.buffered:
		rc = io.NopCloser(bytes.NewReader(r.body))
	default:
		rc, decoded = decodeBody(res)
	}
	for name, vals := range res.Header {
		lname := strings.ToLower(name)
		if decoded && (lname == "content-encoding" || lname == "content-length") {
			// As net/http does for the bodies it decodes: the headers describe
			// the body the script reads.
			continue
		}
		for _, v := range vals {
			st.headers.fields = append(st.headers.fields, HeaderField{Name: lname, Value: v})
		}
	}
	st.headers.guard = guardImmutable
	if op.method == "HEAD" || nullBodyStatus(res.StatusCode) {
		rc.Close()
		in.finishOp(op)
	} else {
		size := res.ContentLength
		if decoded {
			size = -1
		}
		fb := &fetchedBody{in: in, op: op, rc: rc, size: size}
		if r.buffered && r.bodyErr == nil {
			fb.data, fb.buffered = r.body, true
		}
		op.response = fb
		st.body = body{kind: bodyFetched, fetched: fb}
	}
	return in.newHost(in.protos.response, st)
}
