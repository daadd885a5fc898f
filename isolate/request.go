package isolate

import (
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
	signal   goja.Value
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
	in.ensure("URL")
	u, err := in.vm.New(in.intr.url, in.vm.ToValue(s))
	if err != nil {
		in.throwType(what + ": invalid URL " + quoteJS(s))
	}
	return u.Get("href").String()
}

func (in *instance) requestThis(v goja.Value) *requestState {
	st, ok := in.stateOf(v).(*requestState)
	if !ok {
		in.throwType("Illegal invocation: not a Request")
	}
	return st
}

// newIncoming makes the Request a handler receives. Its headers and body
// stay in the host until the handler touches them.
func (in *instance) newIncoming(req *Request) *goja.Object {
	st := &requestState{method: req.Method, url: req.URL, host: req, redirect: "follow"}
	if len(req.Body) > 0 || req.BodyStream != nil {
		st.body = body{kind: bodyHost, host: req}
	}
	in.ensure("Request")
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
		st.method, st.url, st.redirect, st.signal = src.method, src.url, src.redirect, src.signal
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
	if v := get("signal"); v != nil {
		st.signal = v
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
		in.getter(p, "url", str(func(st *requestState) string { return st.url }))
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
			st := in.requestThis(fc.This)
			if st.signal == nil {
				if ctor, ok := vm.Get("AbortController").(*goja.Object); ok {
					if ac, err := vm.New(ctor); err == nil {
						st.signal = ac.Get("signal")
					}
				}
				if st.signal == nil {
					return goja.Undefined()
				}
			}
			return st.signal
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
			c.headers = &headerList{guard: st.headerList().guard, fields: append([]HeaderField(nil), st.headerList().fields...)}
			c.body = in.cloneBody(&st.body)
			return in.newHost(p, &c)
		})
		in.toStringTag(p, "Request")
	}
	return nil
}
