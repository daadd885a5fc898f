package isolate

import (
	"context"
	"io"
	"strings"

	"github.com/dop251/goja"
)

// Fetcher answers requests for a service binding: another deployment,
// called in-process without a network hop.
type Fetcher interface {
	Fetch(ctx context.Context, req *Request) (*Response, error)
}

// ServiceBinding binds a Fetcher as env.NAME: env.NAME.fetch(input, init)
// returns a promise of the Response.
func ServiceBinding(f Fetcher) Binding { return &serviceBinding{f: f} }

type serviceBinding struct{ f Fetcher }

func (b *serviceBinding) value(in *instance) (goja.Value, error) {
	obj := in.vm.NewObject()
	fetch := func(fc goja.FunctionCall) goja.Value {
		c := in.cur
		if c == nil {
			panic(in.typeErr("service binding fetch() can only be called while handling a request"))
		}
		in.ensure("Request")
		reqV, err := in.vm.New(in.internal.Get("Request").(*goja.Object), fc.Arguments...)
		if err != nil {
			panic(err)
		}
		st := in.requestThis(reqV)
		p, resolve, reject := in.vm.NewPromise()
		out := &Request{ID: c.req.ID, Method: st.method, URL: st.url, RemoteAddr: c.req.RemoteAddr}
		out.Header = append([]HeaderField(nil), st.headerList().fields...)
		send := func(body []byte) {
			out.Body = body
			done := in.reserve()
			ctx := c.ctx
			if ctx == nil {
				ctx = context.Background()
			}
			go func() {
				res, err := b.f.Fetch(ctx, out)
				var data []byte
				if err == nil && res.Stream != nil {
					data, err = drain(res.Stream)
				} else if err == nil {
					data = res.Body
				}
				done(func() error {
					if err != nil {
						_ = reject(in.typeErr("service binding fetch failed: " + err.Error()))
						return nil
					}
					_ = resolve(in.responseFrom(res, data))
					return nil
				})
			}()
		}
		if st.body.kind == bodyNone {
			send(nil)
		} else {
			in.thenAny(in.consume(&st.body, asBytes), func(v goja.Value) {
				b, _ := v.Export().([]byte)
				send(append([]byte(nil), b...))
			}, func(reason goja.Value) { _ = reject(reason) })
		}
		return in.vm.ToValue(p)
	}
	_ = obj.Set("fetch", in.native("fetch", 1, fetch))
	return obj, nil
}

// drain reads a streamed body whole (service responses cross in one piece).
func drain(s BodyStream) ([]byte, error) {
	defer s.Close()
	var b strings.Builder
	for {
		chunk, err := s.Next()
		if err == io.EOF {
			return []byte(b.String()), nil
		}
		if err != nil {
			return nil, err
		}
		b.Write(chunk)
	}
}

// responseFrom makes a JS Response from a Go one.
func (in *instance) responseFrom(r *Response, body []byte) *goja.Object {
	in.ensure("Response")
	st := in.newResponseState()
	st.status = r.Status
	st.statusText = r.StatusText
	st.headers.fields = append(st.headers.fields, r.Header...)
	if len(body) > 0 {
		st.body = body0(body)
	}
	return in.newHost(in.protos.response, st)
}

func body0(b []byte) body { return body{kind: bodyBytes, bytes: b} }
