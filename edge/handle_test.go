package edge

import (
	"bufio"
	"bytes"
	"net"
	"strings"
	"testing"

	"github.com/valyala/fasthttp"

	"github.com/edgefn/edgefn/isolate"
)

// parsedCtx parses raw as fasthttp's server would and wraps it in a ctx.
func parsedCtx(t testing.TB, raw string, remote net.Addr) (*fasthttp.RequestCtx, bool) {
	t.Helper()
	var req fasthttp.Request
	if err := req.Read(bufio.NewReader(strings.NewReader(raw))); err != nil {
		return nil, false
	}
	ctx := &fasthttp.RequestCtx{}
	ctx.Init(&req, remote, nil)
	return ctx, true
}

func TestReadStrings(t *testing.T) {
	v4 := &net.TCPAddr{IP: net.IPv4(10, 1, 2, 3), Port: 4567} // a 16-byte IPv4-in-IPv6 slice
	v6 := &net.TCPAddr{IP: net.ParseIP("2001:db8::1"), Port: 80}
	for _, tc := range []struct {
		name, raw   string
		remote      net.Addr
		host, path  string
		method, url string
		remoteAddr  string
		headers     []isolate.HeaderField
	}{
		{
			// fasthttp lower-cases the URI's host; the Host header keeps its case.
			name: "plain", raw: "GET /a/b?x=1 HTTP/1.1\r\nHost: Example.COM:8080\r\nUser-Agent: wrk\r\n\r\n", remote: v4,
			host: "example.com", path: "/a/b", method: "GET", url: "http://example.com:8080/a/b?x=1", remoteAddr: "10.1.2.3:4567",
			headers: []isolate.HeaderField{{Name: "host", Value: "Example.COM:8080"}, {Name: "user-agent", Value: "wrk"}},
		},
		{
			name: "ipv6 host and client", raw: "POST /p HTTP/1.1\r\nHost: [::1]:9\r\nX-A: 1\r\nx-a: 2\r\nContent-Length: 0\r\n\r\n", remote: v6,
			host: "[::1]", path: "/p", method: "POST", url: "http://[::1]:9/p", remoteAddr: "[2001:db8::1]:80",
			headers: []isolate.HeaderField{{Name: "host", Value: "[::1]:9"}, {Name: "content-length", Value: "0"},
				{Name: "x-a", Value: "1"}, {Name: "x-a", Value: "2"}},
		},
		{
			name: "ipv6 host without port", raw: "GET / HTTP/1.1\r\nHost: [2001:db8::2]\r\n\r\n", remote: v4,
			host: "[2001:db8::2]", path: "/", method: "GET", url: "http://[2001:db8::2]/", remoteAddr: "10.1.2.3:4567",
			headers: []isolate.HeaderField{{Name: "host", Value: "[2001:db8::2]"}},
		},
		{
			name: "unusual method, normalised path, not TCP", raw: "PROPFIND /x/../y//z HTTP/1.1\r\nHost: h\r\n\r\n",
			remote: &net.UnixAddr{Name: "/run/s", Net: "unix"},
			host:   "h", path: "/y/z", method: "PROPFIND", url: "http://h/y/z", remoteAddr: "/run/s",
			headers: []isolate.HeaderField{{Name: "host", Value: "h"}, {Name: "content-length", Value: "0"}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, ok := parsedCtx(t, tc.raw, tc.remote)
			if !ok {
				t.Fatal("fasthttp refused the request")
			}
			ids := newRequestIDs()
			rs := readStrings(ctx, ids)
			req, _ := rs.request(ctx, nil, false)
			if rs.host != tc.host || rs.path != tc.path {
				t.Errorf("host %q path %q, want %q %q", rs.host, rs.path, tc.host, tc.path)
			}
			if req.Method != tc.method || req.URL != tc.url || req.RemoteAddr != tc.remoteAddr {
				t.Errorf("method %q url %q remote %q, want %q %q %q", req.Method, req.URL, req.RemoteAddr, tc.method, tc.url, tc.remoteAddr)
			}
			if req.RemoteAddr != tc.remote.String() {
				t.Errorf("remote %q differs from net.Addr.String %q", req.RemoteAddr, tc.remote.String())
			}
			if len(req.Header) != len(tc.headers) {
				t.Fatalf("headers %q, want %q", req.Header, tc.headers)
			}
			for i, f := range req.Header {
				if f != tc.headers[i] {
					t.Errorf("header %d: %q, want %q", i, f, tc.headers[i])
				}
			}
			if !strings.HasPrefix(rs.id, ids.prefix) || rs.id == ids.prefix || req.ID != rs.id {
				t.Errorf("id %q (request %q), want prefix %q and a counter", rs.id, req.ID, ids.prefix)
			}
			// The strings are the request's own: reusing fasthttp's buffers changes nothing.
			ctx.Request.Reset()
			ctx.Request.Header.Set("Host", strings.Repeat("z", len(tc.host)))
			if rs.host != tc.host || req.URL != tc.url {
				t.Errorf("strings changed when fasthttp's buffers were reused: %q %q", rs.host, req.URL)
			}
		})
	}
}

// FuzzReadStrings checks the conversion of whatever fasthttp accepts:
// names lower-case, values and order as fasthttp has them, the URL built
// from the host and request URI.
func FuzzReadStrings(f *testing.F) {
	f.Add("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
	f.Add("GET /x?y HTTP/1.1\r\nHost: A.B:1\r\nCookie: c=1\r\nCookie: d=2\r\n\r\n")
	f.Add("DELETE http://h:1/p HTTP/1.1\r\nHost: [::1]\r\nX-ÿ: ü\r\n\r\n")
	remote := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 1}
	f.Fuzz(func(t *testing.T, raw string) {
		ctx, ok := parsedCtx(t, raw, remote)
		if !ok {
			return
		}
		rs := readStrings(ctx, newRequestIDs())
		req, _ := rs.request(ctx, nil, false)
		i := 0
		ctx.Request.Header.VisitAll(func(k, v []byte) {
			if i >= len(req.Header) {
				t.Fatalf("fewer fields (%d) than fasthttp's headers", len(req.Header))
			}
			got := req.Header[i]
			if got.Name != string(bytes.ToLower(k)) && !strings.EqualFold(got.Name, string(k)) || got.Value != string(v) {
				t.Fatalf("field %d = %q, fasthttp has %q: %q", i, got, k, v)
			}
			for j := 0; j < len(got.Name); j++ {
				if c := got.Name[j]; 'A' <= c && c <= 'Z' {
					t.Fatalf("header name %q is not lower-case", got.Name)
				}
			}
			i++
		})
		if i != len(req.Header) {
			t.Fatalf("%d fields, fasthttp has %d headers", len(req.Header), i)
		}
		// fasthttp's Host() can change once RequestURI() was called: read the
		// reference from a second parse, in the order readStrings reads.
		ref, _ := parsedCtx(t, raw, remote)
		refHost := string(ref.Request.Host())
		refPath := string(ref.Path())
		wantURL := "http://" + refHost + string(ref.Request.RequestURI())
		if req.URL != wantURL || rs.path != refPath || req.Method != string(ref.Method()) {
			t.Fatalf("url %q path %q method %q; fasthttp: %q %q %q", req.URL, rs.path, req.Method, wantURL, refPath, ref.Method())
		}
		if !strings.EqualFold(rs.host, hostWithoutPort(refHost)) {
			t.Fatalf("host %q from %q", rs.host, refHost)
		}
	})
}

// hostWithoutPort is the reference the fuzz target checks readStrings by.
func hostWithoutPort(s string) string {
	if i := strings.LastIndexByte(s, ':'); i >= 0 && !strings.Contains(s[i:], "]") {
		s = s[:i]
	}
	return s
}
