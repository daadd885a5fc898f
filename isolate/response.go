package isolate

import (
	"fmt"
	"strconv"

	"github.com/dop251/goja"
)

// responseState is a Response's hidden state.
type responseState struct {
	props
	status     int
	statusText string
	headers    *headerList
	hlist      headerList // where headers points unless cloned
	hobj       *goja.Object
	body       body
	typ        string // "default", "error"
	url        string
	redirected bool
}

var nullBodyStatus = map[int]bool{101: true, 103: true, 204: true, 205: true, 304: true}

func (in *instance) responseThis(v goja.Value) *responseState {
	st, ok := in.stateOf(v).(*responseState)
	if !ok {
		in.throwType("Illegal invocation: not a Response")
	}
	return st
}

// initResponse applies a ResponseInit and a body.
func (in *instance) initResponse(st *responseState, bodyV, initV goja.Value) {
	if initV != nil && !goja.IsUndefined(initV) && !goja.IsNull(initV) {
		init, ok := initV.(*goja.Object)
		if !ok {
			in.throwType("Response: init must be an object")
		}
		if v := init.Get("status"); v != nil && !goja.IsUndefined(v) {
			f := v.ToFloat()
			s := int(f)
			if float64(s) != f || s < 200 || s > 599 {
				in.throwRange("Response: status must be an integer from 200 to 599, got " + v.String())
			}
			st.status = s
		}
		if v := init.Get("statusText"); v != nil && !goja.IsUndefined(v) {
			t := v.String()
			for i := 0; i < len(t); i++ {
				if c := t[i]; c < 0x20 && c != '\t' || c == 0x7f {
					in.throwType("Response: invalid statusText " + quoteJS(t))
				}
			}
			st.statusText = t
		}
		if v := init.Get("headers"); v != nil && !goja.IsUndefined(v) {
			in.fillHeaders(st.headers, v)
		}
	}
	if bodyV != nil && !goja.IsUndefined(bodyV) && !goja.IsNull(bodyV) {
		if nullBodyStatus[st.status] {
			in.throwType("Response: a response with status " + strconv.Itoa(st.status) + " cannot have a body")
		}
		b, ct := in.extractBody(bodyV)
		st.body = b
		if ct != "" && !st.headers.has("content-type") {
			st.headers.fields = append(st.headers.fields, HeaderField{Name: "content-type", Value: ct})
		}
	}
}

func newResponseState() *responseState {
	st := &responseState{status: 200, typ: "default"}
	st.hlist.guard = guardResponse
	st.headers = &st.hlist
	return st
}

// installResponse defines Response.
func installResponse(in *instance) error {
	vm := in.vm
	cls, p := in.nativeClass("Response", 0, func(fc goja.ConstructorCall) hostState {
		st := newResponseState()
		in.initResponse(st, fc.Argument(0), fc.Argument(1))
		return st
	})
	in.protos.response = p
	{
		in.method(cls, "json", 1, func(fc goja.FunctionCall) goja.Value {
			text, err := in.jsonStringify()(goja.Undefined(), fc.Argument(0))
			if err != nil {
				panic(err)
			}
			if goja.IsUndefined(text) {
				in.throwType("Response.json: the value cannot be serialised to JSON")
			}
			st := newResponseState()
			in.initResponse(st, nil, fc.Argument(1))
			if nullBodyStatus[st.status] {
				in.throwType("Response.json: a response with status " + strconv.Itoa(st.status) + " cannot have a body")
			}
			st.body = body{kind: bodyString, str: text.String()}
			if !st.headers.has("content-type") {
				st.headers.fields = append(st.headers.fields, HeaderField{Name: "content-type", Value: "application/json"})
			}
			return in.newHost(p, st)
		})
		in.method(cls, "redirect", 1, func(fc goja.FunctionCall) goja.Value {
			href := in.parseURL(fc.Argument(0).String(), "Response.redirect")
			status := 302
			if v := fc.Argument(1); !goja.IsUndefined(v) {
				status = int(v.ToInteger())
			}
			switch status {
			case 301, 302, 303, 307, 308:
			default:
				in.throwRange("Response.redirect: status must be 301, 302, 303, 307 or 308, got " + fc.Argument(1).String())
			}
			st := newResponseState()
			st.status = status
			st.headers.fields = append(st.headers.fields, HeaderField{Name: "location", Value: href})
			st.headers.guard = guardImmutable
			return in.newHost(p, st)
		})
		in.method(cls, "error", 0, func(fc goja.FunctionCall) goja.Value {
			st := newResponseState()
			st.status = 0
			st.typ = "error"
			st.headers.guard = guardImmutable
			return in.newHost(p, st)
		})
		in.getter(p, "status", func(fc goja.FunctionCall) goja.Value { return vm.ToValue(in.responseThis(fc.This).status) })
		in.getter(p, "statusText", func(fc goja.FunctionCall) goja.Value {
			return vm.ToValue(in.responseThis(fc.This).statusText)
		})
		in.getter(p, "ok", func(fc goja.FunctionCall) goja.Value {
			s := in.responseThis(fc.This).status
			return vm.ToValue(s >= 200 && s <= 299)
		})
		in.getter(p, "type", func(fc goja.FunctionCall) goja.Value { return vm.ToValue(in.responseThis(fc.This).typ) })
		in.getter(p, "url", func(fc goja.FunctionCall) goja.Value { return vm.ToValue(in.responseThis(fc.This).url) })
		in.getter(p, "redirected", func(fc goja.FunctionCall) goja.Value {
			return vm.ToValue(in.responseThis(fc.This).redirected)
		})
		in.getter(p, "headers", func(fc goja.FunctionCall) goja.Value {
			st := in.responseThis(fc.This)
			if st.hobj == nil {
				st.hobj = in.headersOver(st.headers)
			}
			return st.hobj
		})
		in.defineBodyMixin(p, func(v goja.Value) *body { return &in.responseThis(v).body }, func(v goja.Value) *headerList { return in.responseThis(v).headers })
		in.method(p, "clone", 0, func(fc goja.FunctionCall) goja.Value {
			st := in.responseThis(fc.This)
			if in.bodyUnusable(&st.body) {
				in.throwType("Response.clone: the body has already been used")
			}
			c := *st
			c.hobj = nil
			c.props = props{}
			c.headers = &headerList{guard: st.headers.guard, fields: append([]HeaderField(nil), st.headers.fields...)}
			c.body = in.cloneBody(&st.body)
			return in.newHost(p, &c)
		})
		in.toStringTag(p, "Response")
	}
	return nil
}

// toResponse converts the handler's Response into a Go Response.
func (in *instance) toResponse(c *call, v goja.Value) (*Response, error) {
	st, ok := in.stateOf(v).(*responseState)
	if !ok {
		return nil, fmt.Errorf("%w: it returned %s; return a Response, e.g. `return new Response(\"hello\")`", ErrBadResponse, describeValue(in.vm, v))
	}
	if st.typ == "error" {
		return nil, fmt.Errorf("%w: it returned Response.error()", ErrBadResponse)
	}
	if in.bodyUnusable(&st.body) {
		return nil, fmt.Errorf("%w: its body was already read or is locked to a reader", ErrBadResponse)
	}
	r := &Response{Status: st.status, StatusText: st.statusText}
	if n := len(st.headers.fields); n > 0 {
		r.Header = make([]HeaderField, n)
		copy(r.Header, st.headers.fields)
	}
	switch st.body.kind {
	case bodyString:
		r.Body = []byte(st.body.str)
	case bodyBytes:
		r.Body = st.body.bytes
	case bodyFetched:
		if fb := st.body.fetched; fb.buffered {
			fb.finish()
			r.Body = fb.data
		} else {
			r.Stream = fb.hostStream()
		}
	case bodyHost:
		if st.body.host.BodyStream == nil {
			r.Body = st.body.host.Body
			break
		}
		in.bodyStreamOf(&st.body)
		fallthrough
	case bodyJSStream:
		s, err := in.openStream(c, st.body.stream)
		if err != nil {
			return nil, err
		}
		r.Stream = s
	}
	st.body.used = true
	return r, nil
}
