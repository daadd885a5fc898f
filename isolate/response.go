package isolate

import (
	"fmt"
	"math"
	"strconv"

	"github.com/dop251/goja"
)

// responseState is a Response's hidden state.
type responseState struct {
	props
	status     int
	statusText string
	headers    *headerList
	hlist      headerList     // where headers points unless cloned
	hbuf       [2]HeaderField // hlist's first fields, without an allocation
	hobj       *goja.Object
	body       body
	typ        string // "default", "error"
	url        string
	redirected bool
}

// nullBodyStatus reports the statuses whose responses have no body.
func nullBodyStatus(s int) bool {
	switch s {
	case 101, 103, 204, 205, 304:
		return true
	}
	return false
}

func (in *instance) responseThis(v goja.Value) *responseState {
	st, ok := in.stateOf(v).(*responseState)
	if !ok {
		in.throwType("Illegal invocation: not a Response")
	}
	return st
}

// initResponse runs the Response constructor's steps on its arguments:
// WebIDL converts the body, then the ResponseInit dictionary, whose members
// are read in lexicographic order (headers, status, statusText), each
// converted as it is read; then the body is extracted and the response
// initialized (status, statusText, headers, then the body's checks).
func (in *instance) initResponse(st *responseState, bodyV, initV goja.Value) {
	var b body
	var ct string
	hasBody := bodyV != nil && !goja.IsUndefined(bodyV) && !goja.IsNull(bodyV)
	if hasBody {
		b, ct = in.extractBody(bodyV)
	}
	status, statusText := 200, ""
	from, bad := len(st.headers.fields), -1
	if initV != nil && !goja.IsUndefined(initV) && !goja.IsNull(initV) {
		init, ok := initV.(*goja.Object)
		if !ok {
			in.throwType("Response: init must be an object")
		}
		if v := init.Get("headers"); v != nil && !goja.IsUndefined(v) {
			bad = in.convertHeadersInit(st.headers, v)
		}
		if v := init.Get("status"); v != nil && !goja.IsUndefined(v) {
			status = toUint16(v.ToFloat())
		}
		if v := init.Get("statusText"); v != nil && !goja.IsUndefined(v) {
			statusText = in.byteString(v, "Response: invalid statusText")
		}
		// A getter above may have read from or locked the body's stream.
		if b.kind == bodyJSStream && in.streamState(b.stream, "isUnusable") {
			in.throwType("body: the ReadableStream is locked to a reader or was already read from")
		}
	}
	if status < 200 || status > 599 {
		in.throwRange("Response: status must be from 200 to 599, got " + strconv.Itoa(status))
	}
	for i := 0; i < len(statusText); i++ {
		// RFC 9110 reason-phrase: HTAB, SP, VCHAR, obs-text.
		if c := statusText[i]; c < 0x20 && c != '\t' || c == 0x7f {
			in.throwType("Response: invalid statusText " + quoteJS(statusText))
		}
	}
	st.status, st.statusText = status, statusText
	in.checkFilled(st.headers, from, bad)
	if hasBody {
		if nullBodyStatus(st.status) {
			in.throwType("Response: a response with status " + strconv.Itoa(st.status) + " cannot have a body")
		}
		st.body = b
		if ct != "" && !st.headers.has("content-type") {
			st.headers.fields = append(st.headers.fields, HeaderField{Name: "content-type", Value: ct})
		}
	}
}

// toUint16 converts a number as WebIDL converts to unsigned short (no
// [EnforceRange]): NaN and infinities are 0, the rest truncated modulo 2^16.
func toUint16(f float64) int {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0
	}
	m := math.Mod(math.Trunc(f), 65536)
	if m < 0 {
		m += 65536
	}
	return int(m)
}

// newResponseState makes a Response's state: the first of the current call
// lives in the call (callObjects), the others on their own.
func (in *instance) newResponseState() *responseState {
	var st *responseState
	if c := in.cur; c != nil && !c.objs.respUsed {
		c.objs.respUsed = true
		st = &c.objs.resp
	} else {
		st = &responseState{}
	}
	st.status, st.typ = 200, "default"
	st.hlist.guard = guardResponse
	st.hlist.fields = st.hbuf[:0]
	st.headers = &st.hlist
	return st
}

// installResponse defines Response.
func installResponse(in *instance) error {
	vm := in.vm
	cls, p := in.nativeClass("Response", 0, func(fc goja.ConstructorCall) hostState {
		st := in.newResponseState()
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
			st := in.newResponseState()
			in.initResponse(st, nil, fc.Argument(1))
			if nullBodyStatus(st.status) {
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
			st := in.newResponseState()
			st.status = status
			st.headers.fields = append(st.headers.fields, HeaderField{Name: "location", Value: href})
			st.headers.guard = guardImmutable
			return in.newHost(p, st)
		})
		in.method(cls, "error", 0, func(fc goja.FunctionCall) goja.Value {
			st := in.newResponseState()
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
			c.hlist = headerList{}
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
	// The call's first Response lives in the call (callObjects), with its
	// headers and a short body when they fit. A response decided already
	// (the call failed) may be read by the caller: it gets none of that.
	var r *Response
	own := !c.objs.outUsed && !c.responded
	if own {
		c.objs.outUsed = true
		r = &c.objs.out
	} else {
		r = &Response{}
	}
	r.Status, r.StatusText = st.status, st.statusText
	if n := len(st.headers.fields); n > 0 {
		if own && n <= len(c.objs.outHdr) {
			r.Header = c.objs.outHdr[:n:n]
		} else {
			r.Header = make([]HeaderField, n)
		}
		copy(r.Header, st.headers.fields)
	}
	switch st.body.kind {
	case bodyString:
		if n := len(st.body.str); own && n <= len(c.objs.outBody) {
			r.Body = c.objs.outBody[:n:n]
			copy(r.Body, st.body.str)
		} else {
			r.Body = []byte(st.body.str)
		}
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
