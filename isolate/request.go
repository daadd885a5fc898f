package isolate

import (
	"context"
	"strings"

	"github.com/dop251/goja"
)

// requestState is a Request's hidden state.
type requestState struct {
	props
	method   string
	url      string
	headers  *headerList  // nil until first touched on an incoming request
	hobj     *goja.Object // the Headers object, once made
	host     *Request     // the incoming request, if this is one
	body     body
	redirect string
	urlDone  bool // an incoming request's url was brought to its serialized form (href)
	// signal is the request's AbortSignal once made. Until a script reads
	// it, follow is the signal it will follow (init.signal, the input
	// request's), or nil for one that aborts only as the host says (the
	// incoming request) or never (a Request a script made).
	signal    goja.Value
	follow    goja.Value
	followReq *requestState // the input request, whose signal is followed
}

func (st *requestState) headerList() *headerList {
	if st.headers == nil {
		h := &headerList{guard: guardImmutable}
		if st.host != nil {
			// The incoming headers are lower-case and valid already, and
			// immutable: share them.
			h.fields = st.host.Header
		}
		st.headers = h
	}
	return st.headers
}

var forbiddenMethods = map[string]bool{"CONNECT": true, "TRACE": true, "TRACK": true}

// normMethod validates a method; the six the spec names are upper-cased.
func (in *instance) normMethod(v goja.Value) string {
	m := v.String()
	up := strings.ToUpper(m)
	switch up {
	case "DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT":
		return up
	}
	if _, ok := normName(m); !ok {
		in.throwType("Request: invalid method " + quoteJS(m))
	}
	if forbiddenMethods[up] {
		in.throwType("Request: method " + up + " is forbidden")
	}
	return m
}

// parseURL resolves a URL string the way the URL constructor does.
func (in *instance) parseURL(s string, what string) string {
	if _, ok := scanFastURL(s); ok {
		return s // already its own serialization
	}
	u, err := parseWHATWG(s, nil)
	if err != nil {
		in.throwType(what + ": " + invalidURL(in.vm.ToValue(s), goja.Undefined()))
	}
	return u.Href(false)
}

// href returns the request's URL. An incoming request's is built from the
// Host header and request target as the client sent them; like Workers and
// Deno, a script sees it serialized (host lower-cased, dot segments
// resolved, what needs it percent-encoded), worked out the first time it
// is read. A URL already in that form, the usual case, is kept as it is.
func (st *requestState) href() string {
	if st.host != nil && !st.urlDone {
		st.urlDone = true
		if _, ok := scanFastURL(st.url); !ok {
			if u, err := parseWHATWG(st.url, nil); err == nil {
				st.url = u.Href(false)
			}
		}
	}
	return st.url
}

func (in *instance) requestThis(v goja.Value) *requestState {
	st, ok := in.stateOf(v).(*requestState)
	if !ok {
		in.throwType("Illegal invocation: not a Request")
	}
	return st
}

// requestSignal returns st's AbortSignal, making it on first use: a
// signal that follows st.follow (AbortSignal.any([follow]), as the Fetch
// standard's dependent signal), or one of its own. The incoming request's
// signal is the call's: aborted when the request is cancelled (see
// abortRequestSignal).
func (in *instance) requestSignal(st *requestState) goja.Value {
	if st.signal != nil {
		return st.signal
	}
	in.ensure("AbortSignal")
	if st.followReq != nil {
		st.follow, st.followReq = in.requestSignal(st.followReq), nil
	}
	if st.follow != nil {
		any := in.method0(in.internal.Get("AbortSignal").(*goja.Object), "any")
		sig, err := any(in.internal.Get("AbortSignal"), in.vm.NewArray(st.follow))
		if err != nil {
			panic(err)
		}
		st.signal, st.follow = sig, nil
		return sig
	}
	ac, err := in.internalFn("newAbortController")(goja.Undefined())
	if err != nil {
		panic(err)
	}
	st.signal = ac.(*goja.Object).Get("signal")
	if c := in.cur; c != nil && st.host == c.req && !c.ended {
		c.signal = st.signal
		in.watchCancel(c)
	}
	return st.signal
}

// watchCancel aborts the incoming request's signal if the context of the
// call is cancelled before the response went out (the caller of Pool.Do
// gave up on it; once Do returned, its caller may cancel the context while
// the body still streams). A context that can never be cancelled costs
// nothing.
func (in *instance) watchCancel(c *call) {
	done := c.ctx.Done()
	if done == nil {
		return
	}
	stop := make(chan struct{})
	c.onEnd = append(c.onEnd, func() { close(stop) })
	go func() {
		select {
		case <-done:
			in.post(c, func() error {
				if c.responded {
					return nil
				}
				in.abortRequestSignal(c, in.domException("AbortError", "the request was cancelled ("+context.Cause(c.ctx).Error()+")"))
				return nil
			})
		case <-stop:
		}
	}()
}

// abortRequestSignal aborts the incoming request's signal (if a script
// made it) with reason; it runs inside a turn.
func (in *instance) abortRequestSignal(c *call, reason goja.Value) {
	if c.signal != nil && !c.ended {
		in.abortSignalWith(c.signal, reason)
	}
}

// newIncoming makes the Request a handler receives. Its headers and body
// stay in the host until the handler touches them.
func (in *instance) newIncoming(c *call) *goja.Object {
	req := c.req
	st := &c.objs.req
	*st = requestState{method: req.Method, url: req.URL, host: req, redirect: "follow"}
	if len(req.Body) > 0 || req.BodyStream != nil {
		st.body = body{kind: bodyHost, host: req}
	}
	if in.protos.request == nil {
		in.ensure("Request")
	}
	return in.newHost(in.protos.request, st)
}

// newRequestState runs the Request constructor's steps on (input, init)
// (fetch() takes the same arguments without making the JS object).
func (in *instance) newRequestState(args []goja.Value) *requestState {
	if len(args) == 0 {
		in.throwType("Request: 1 argument required, but only 0 present")
	}
	input, initV := args[0], goja.Undefined()
	if len(args) > 1 {
		initV = args[1]
	}
	var init *goja.Object
	if o, ok := initV.(*goja.Object); ok {
		init = o
	} else if !goja.IsUndefined(initV) && !goja.IsNull(initV) {
		in.throwType("Request: init must be an object")
	}
	get := func(k string) goja.Value {
		if init == nil {
			return nil
		}
		v := init.Get(k)
		if v == nil || goja.IsUndefined(v) {
			return nil
		}
		return v
	}
	st := &requestState{method: "GET", redirect: "follow"}
	if src, ok := in.stateOf(input).(*requestState); ok {
		st.method, st.url, st.redirect = src.method, src.href(), src.redirect
		st.followReq = src
		st.headers = &headerList{guard: guardRequest, fields: append([]HeaderField(nil), src.headerList().fields...)}
		if get("body") == nil && src.body.kind != bodyNone {
			if in.bodyUnusable(&src.body) {
				in.throwType("Request: the input request's body has already been used")
			}
			st.body = src.body
			src.body.used = true // the new request takes the body over
		}
	} else {
		st.url = in.parseURL(input.String(), "Request")
		st.headers = &headerList{guard: guardRequest}
	}
	if v := get("method"); v != nil {
		st.method = in.normMethod(v)
	}
	if v := get("headers"); v != nil {
		h := &headerList{guard: guardRequest}
		in.fillHeaders(h, v)
		st.headers = h
	}
	if v := get("redirect"); v != nil {
		switch r := v.String(); r {
		case "follow", "error", "manual":
			st.redirect = r
		default:
			in.throwType(`Request: redirect must be "follow", "error" or "manual", got ` + quoteJS(r))
		}
	}
	if init != nil && init.Get("signal") != nil {
		switch v := init.Get("signal"); {
		case goja.IsNull(v):
			st.followReq = nil // null: a signal of its own
		case goja.IsUndefined(v):
		case in.isAbortSignal(v):
			st.follow, st.followReq = v, nil
		default:
			in.throwType("Request: init.signal must be an AbortSignal or null, got " + describeValue(in.vm, v))
		}
	}
	if v := get("body"); v != nil && !goja.IsNull(v) {
		if st.method == "GET" || st.method == "HEAD" {
			in.throwType("Request: a " + st.method + " request cannot have a body")
		}
		b, ct := in.extractBody(v)
		st.body = b
		if ct != "" && !st.headers.has("content-type") {
			st.headers.fields = append(st.headers.fields, HeaderField{Name: "content-type", Value: ct})
		}
	} else if v != nil {
		st.body = body{}
	}
	return st
}

// installRequest defines Request.
func installRequest(in *instance) error {
	vm := in.vm
	_, p := in.nativeClass("Request", 1, func(fc goja.ConstructorCall) hostState {
		return in.newRequestState(fc.Arguments)
	})
	in.protos.request = p
	{
		str := func(f func(*requestState) string) func(goja.FunctionCall) goja.Value {
			return func(fc goja.FunctionCall) goja.Value { return vm.ToValue(f(in.requestThis(fc.This))) }
		}
		in.getter(p, "method", str(func(st *requestState) string { return st.method }))
		in.getter(p, "url", str(func(st *requestState) string { return st.href() }))
		in.getter(p, "redirect", str(func(st *requestState) string { return st.redirect }))
		for name, val := range map[string]string{
			"cache": "default", "credentials": "same-origin", "destination": "", "integrity": "",
			"mode": "cors", "referrer": "about:client", "referrerPolicy": "",
		} {
			val := val
			in.getter(p, name, func(fc goja.FunctionCall) goja.Value {
				in.requestThis(fc.This)
				return vm.ToValue(val)
			})
		}
		in.getter(p, "keepalive", func(fc goja.FunctionCall) goja.Value {
			in.requestThis(fc.This)
			return vm.ToValue(false)
		})
		in.getter(p, "headers", func(fc goja.FunctionCall) goja.Value {
			st := in.requestThis(fc.This)
			if st.hobj == nil {
				st.hobj = in.headersOver(st.headerList())
			}
			return st.hobj
		})
		in.getter(p, "signal", func(fc goja.FunctionCall) goja.Value {
			return in.requestSignal(in.requestThis(fc.This))
		})
		in.defineBodyMixin(p, func(v goja.Value) *body { return &in.requestThis(v).body }, func(v goja.Value) *headerList { return in.requestThis(v).headerList() })
		in.method(p, "clone", 0, func(fc goja.FunctionCall) goja.Value {
			st := in.requestThis(fc.This)
			if in.bodyUnusable(&st.body) {
				in.throwType("Request.clone: the body has already been used")
			}
			c := *st
			c.hobj = nil
			c.props = props{}
			c.signal, c.follow, c.followReq = nil, in.requestSignal(st), nil
			c.headers = &headerList{guard: st.headerList().guard, fields: append([]HeaderField(nil), st.headerList().fields...)}
			c.body = in.cloneBody(&st.body)
			return in.newHost(p, &c)
		})
		in.toStringTag(p, "Request")
	}
	return nil
}
