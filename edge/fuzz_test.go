package edge

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"net"
	"net/url"
	"strings"
	"testing"

	"github.com/valyala/fasthttp"
)

// FuzzParseManifest: any bytes as edgefn.toml. Parsing never panics, and a
// manifest it accepts survives what the control plane does with it: stored
// as JSON in the version record and read back on every node, it is the
// same manifest and still valid, and the limits it sets make a valid pool.
func FuzzParseManifest(f *testing.F) {
	f.Add([]byte("name = \"app\"\n"))
	n, err := NewNode(DefaultConfig())
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		m, err := ParseManifest("edgefn.toml", src)
		if err != nil {
			var me *ManifestError
			if !strings.Contains(err.Error(), "edgefn.toml") || !errors.As(err, &me) {
				t.Fatalf("error does not name the file as a ManifestError: %v", err)
			}
			return
		}
		b, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		var back Manifest
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("stored manifest does not decode: %v\n%s", err, b)
		}
		if err := back.validate(); err != nil {
			t.Fatalf("stored manifest no longer validates: %v\n%s", err, b)
		}
		again, _ := json.Marshal(&back)
		if !bytes.Equal(again, b) {
			t.Fatalf("stored manifest changed:\n%s\n%s", b, again)
		}
		if err := n.poolConfig(back).Limits.Validate(); err != nil {
			t.Fatalf("accepted limits make an invalid pool: %v", err)
		}
	})
}

// FuzzToRequest: any bytes as an HTTP request, parsed as the front door
// parses it. Whatever the front door lets through converts into a request
// whose URL parses and names the host the request is routed by, with
// lower-case token header names and no CR, LF or NUL in any value.
func FuzzToRequest(f *testing.F) {
	f.Add([]byte("GET /a?b=c HTTP/1.1\r\nHost: example.com\r\nX-A: 1\r\n\r\n"))
	n, err := NewNode(DefaultConfig())
	if err != nil {
		f.Fatal(err)
	}
	addr := &net.TCPAddr{IP: net.IPv4(192, 0, 2, 1), Port: 4242}
	f.Fuzz(func(t *testing.T, raw []byte) {
		var req fasthttp.Request
		req.Header.DisableNormalizing()
		if err := req.Read(bufio.NewReader(bytes.NewReader(raw))); err != nil {
			return
		}
		var ctx fasthttp.RequestCtx
		ctx.Init(&req, addr, nil)
		if e := n.checkRequest(&ctx); e != nil {
			if e.status < 400 || e.status > 499 || e.msg == "" {
				t.Fatalf("refusal %d %q", e.status, e.msg)
			}
			return
		}
		rs := readStrings(&ctx, n.ids)
		host := rs.host
		r, _ := rs.request(&ctx, nil, false)
		u, err := url.Parse(r.URL)
		if err != nil {
			t.Fatalf("the handler's URL %q does not parse: %v", r.URL, err)
		}
		if got := strings.ToLower(u.Hostname()); got != strings.Trim(host, "[]") {
			t.Fatalf("routed by host %q, but the handler's URL %q names %q", host, r.URL, got)
		}
		for _, h := range r.Header {
			if h.Name != strings.ToLower(h.Name) || !isToken([]byte(h.Name)) {
				t.Fatalf("header name %q", h.Name)
			}
			if strings.ContainsAny(h.Value, "\r\n\x00") {
				t.Fatalf("header %s value %q", h.Name, h.Value)
			}
			if h.Name == "host" && !strings.EqualFold(h.Value, u.Host) {
				t.Fatalf("Host header %q, URL host %q", h.Value, u.Host)
			}
		}
	})
}

// FuzzRouteBinding: file routes (one project path per line) and a URL path.
// Building the table never panics; a match binds parameters that, put back
// into the route's pattern, give the path that was matched.
func FuzzRouteBinding(f *testing.F) {
	f.Add("api/users/[id].ts\napi/[...slug].ts\napi/index.ts", "/api/users/42")
	f.Fuzz(func(t *testing.T, files, urlPath string) {
		rs, err := newFileRoutes(strings.Split(files, "\n"))
		if err != nil {
			return
		}
		r, params := rs.match(urlPath)
		if r == nil {
			return
		}
		var parts []string
		for _, s := range r.segments {
			switch s.kind {
			case segStatic:
				parts = append(parts, s.text)
			case segParam:
				if params[s.text] == "" {
					t.Fatalf("%s matched %q with an empty %s", r.ID, urlPath, s.text)
				}
				parts = append(parts, params[s.text])
			case segCatchAll, segOptionalCatchAll:
				if v, ok := params[s.text]; ok && v != "" {
					parts = append(parts, v)
				}
			}
		}
		if got, want := strings.Join(parts, "/"), strings.Trim(urlPath, "/"); got != want {
			t.Fatalf("%s matched %q, but its params rebuild %q", r.ID, urlPath, got)
		}
	})
}

// FuzzParseRoute: a manifest route pattern. Parsing never panics; a route
// it accepts prints back to itself and serves the host and path it names.
func FuzzParseRoute(f *testing.F) {
	f.Add("example.com/api/*")
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRoute(s)
		if err != nil {
			return
		}
		back, err := ParseRoute(r.String())
		if err != nil || back != r {
			t.Fatalf("%q parses to %+v, which prints as %q and parses to %+v (%v)", s, r, r.String(), back, err)
		}
		table, err := newRouteTable(map[string][]Route{"d": {r}}, "")
		if err != nil {
			t.Fatal(err)
		}
		host := strings.TrimPrefix(r.Host, "*.")
		if host == "*" {
			host = "any.example"
		}
		if name, ok := table.match(host, r.Path); !ok || name != "d" {
			t.Fatalf("%q does not serve %s%s", s, host, r.Path)
		}
	})
}
