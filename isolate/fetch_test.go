package isolate

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"context"
	"crypto/x509"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	brotli "github.com/molecule-man/go-brrr"
)

// fetchPool starts a pool whose handler is src (a module's fetch body, with
// env.UP the upstream's URL), allowed to reach 127.0.0.1 unless edit says
// otherwise.
func fetchPool(t *testing.T, up string, src string, edit func(*PoolConfig)) (*Pool, *captureHandler) {
	t.Helper()
	code := "export default { async fetch(request, env, ctx) {\n" + src + "\n} };\n"
	return newTestPool(t, code, func(c *PoolConfig) {
		c.Vars = map[string]string{"UP": up}
		c.Fetch.Allow = []string{"127.0.0.1/32"}
		c.Limits.CPUTime = 5 * time.Second // the race detector slows JS tenfold
		if edit != nil {
			edit(c)
		}
	})
}

// fetchBody runs one request through p and returns its status and body.
func fetchBody(t *testing.T, p *Pool, req *Request) (int, string) {
	t.Helper()
	if req == nil {
		req = &Request{Method: "GET", URL: "http://edge.test/"}
	}
	if req.ID == "" {
		req.ID = "fetch-test"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := p.Do(ctx, req)
	if err != nil {
		t.Fatalf("Do: %v", err)
	}
	body := res.Body
	if res.Stream != nil {
		b, err := drain(res.Stream)
		if err != nil {
			t.Fatalf("reading the streamed body: %v", err)
		}
		body = b
	}
	return res.Status, string(body)
}

// catchSrc wraps an expression that should reject into a line naming the
// error, or "resolved ..." when it did not.
func catchSrc(expr string) string {
	return `try { const r = await (` + expr + `); return new Response("resolved " + r.status); }
catch (e) { return new Response(e.name + ": " + e.message); }`
}

func TestFetchResponse(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Set-Cookie", "a=1")
		w.Header().Add("Set-Cookie", "b=2")
		w.Header().Set("X-Seen-UA", r.UserAgent())
		w.Header().Set("X-Seen-Accept", r.Header.Get("Accept"))
		w.Header().Set("X-Seen-Custom", r.Header.Get("X-Custom"))
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(201)
		fmt.Fprintf(w, `{"path":%q,"method":%q}`, r.URL.RequestURI(), r.Method)
	}))
	t.Cleanup(srv.Close)
	p, _ := fetchPool(t, srv.URL, `
const r = await fetch(env.UP + "/a/b?c=d#frag", { headers: { "x-custom": "yes" } });
const j = await r.json();
let h; try { r.headers.set("x", "y"); h = "mutable"; } catch (e) { h = e.name; }
return Response.json({
  status: r.status, statusText: r.statusText, ok: r.ok, type: r.type, url: r.url.replace(env.UP, "UP"),
  redirected: r.redirected, json: j, cookies: r.headers.getSetCookie(), ua: r.headers.get("x-seen-ua"),
  accept: r.headers.get("x-seen-accept"), custom: r.headers.get("x-seen-custom"), headers: h, used: r.bodyUsed,
  isResponse: r instanceof Response,
});`, nil)
	status, body := fetchBody(t, p, nil)
	want := `{"status":201,"statusText":"Created","ok":true,"type":"default","url":"UP/a/b?c=d","redirected":false,` +
		`"json":{"path":"/a/b?c=d","method":"GET"},"cookies":["a=1","b=2"],"ua":"edgefn","accept":"*/*","custom":"yes",` +
		`"headers":"TypeError","used":true,"isResponse":true}`
	if status != 200 || body != want {
		t.Fatalf("status %d\n got %s\nwant %s", status, body, want)
	}
}

func TestFetchRequestBodies(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		te := "identity"
		if len(r.TransferEncoding) > 0 {
			te = r.TransferEncoding[0]
		}
		ct := r.Header.Get("Content-Type")
		if strings.HasPrefix(ct, "multipart/form-data") {
			ct = "multipart/form-data"
		}
		fmt.Fprintf(w, "%s %s len=%d te=%s body=%q", r.Method, ct, r.ContentLength, te, b)
	}))
	t.Cleanup(srv.Close)
	cases := []struct{ name, init, want string }{
		{"string", `{ method: "POST", body: "hello" }`, `POST text/plain;charset=UTF-8 len=5 te=identity body="hello"`},
		{"bytes", `{ method: "PUT", body: new Uint8Array([104, 105]) }`, `PUT  len=2 te=identity body="hi"`},
		{"arraybuffer", `{ method: "POST", body: new Uint8Array([1, 2, 3]).buffer, headers: { "content-type": "application/octet-stream" } }`, `POST application/octet-stream len=3 te=identity body="\x01\x02\x03"`},
		{"params", `{ method: "POST", body: new URLSearchParams({ a: "1", b: "x y" }) }`, `POST application/x-www-form-urlencoded;charset=UTF-8 len=9 te=identity body="a=1&b=x+y"`},
		{"blob", `{ method: "POST", body: new Blob(["bl", "ob"], { type: "text/x-blob" }) }`, `POST text/x-blob len=4 te=identity body="blob"`},
		{"empty", `{ method: "POST", body: "" }`, `POST text/plain;charset=UTF-8 len=0 te=identity body=""`},
		{"stream", `{ method: "POST", body: new ReadableStream({
			i: 0,
			async pull(c) {
				await new Promise((r) => setTimeout(r, 5));
				if (this.i === 3) { c.close(); return; }
				c.enqueue(new Uint8Array([97 + this.i++]));
			},
		}), duplex: "half" }`, `POST  len=-1 te=chunked body="abc"`},
		{"request", `new Request(env.UP, { method: "PATCH", body: "from a Request" })`, `PATCH text/plain;charset=UTF-8 len=14 te=identity body="from a Request"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			call := `fetch(env.UP, ` + tc.init + `)`
			if strings.HasPrefix(tc.init, "new Request") {
				call = `fetch(` + tc.init + `)`
			}
			p, _ := fetchPool(t, srv.URL, `const r = await `+call+`; return new Response(await r.text());`, nil)
			if _, body := fetchBody(t, p, nil); body != tc.want {
				t.Fatalf("server saw\n %s\nwant\n %s", body, tc.want)
			}
		})
	}
	t.Run("formdata", func(t *testing.T) {
		t.Parallel()
		p, _ := fetchPool(t, srv.URL, `const f = new FormData(); f.append("k", "v");
const r = await fetch(env.UP, { method: "POST", body: f }); return new Response(await r.text());`, nil)
		if _, body := fetchBody(t, p, nil); !strings.HasPrefix(body, "POST multipart/form-data len=") || !strings.Contains(body, `name=\"k\"\r\n\r\nv\r\n`) {
			t.Fatalf("server saw %s", body)
		}
	})
}

// TestFetchResponseStreams: the response body reaches the script while the
// server is still sending it; fetch does not wait for the whole body.
func TestFetchResponseStreams(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "first")
		w.(http.Flusher).Flush()
		select {
		case <-release:
		case <-r.Context().Done():
			return
		}
		io.WriteString(w, "second")
	}))
	t.Cleanup(srv.Close)
	defer close(release)
	p, _ := fetchPool(t, srv.URL, `
const r = await fetch(env.UP);
const reader = r.body.getReader();
const { value } = await reader.read();
return new Response(String.fromCharCode(...value));`, nil)
	// The server holds "second" back until the request is answered: had
	// fetch buffered the body, this would never return.
	if _, body := fetchBody(t, p, nil); body != "first" {
		t.Fatalf("got %q", body)
	}
}

// TestFetchProxy: a handler returning what it fetched streams it to the
// client, in Go, as it arrives.
func TestFetchProxy(t *testing.T) {
	data := bytes.Repeat([]byte("0123456789abcdef"), 64<<10) // 1 MiB
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Up", "1")
		w.Write(data)
	}))
	t.Cleanup(srv.Close)
	p, _ := fetchPool(t, srv.URL, `return fetch(env.UP);`, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := p.Do(ctx, &Request{ID: "proxy", Method: "GET", URL: "http://edge.test/"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Stream == nil {
		t.Fatalf("the proxied body was not streamed (Body %d bytes)", len(res.Body))
	}
	got, err := drain(res.Stream)
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("proxied %d bytes (%v), want %d", len(got), err, len(data))
	}
	found := false
	for _, h := range res.Header {
		found = found || h.Name == "x-up" && h.Value == "1"
	}
	if !found {
		t.Fatalf("upstream header missing: %v", res.Header)
	}
}

func TestFetchRedirects(t *testing.T) {
	var other *httptest.Server
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	other = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "other %s auth=%q", r.Method, r.Header.Get("Authorization"))
	}))
	t.Cleanup(other.Close)
	mux.HandleFunc("/echo", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		fmt.Fprintf(w, "%s %s body=%q ct=%q auth=%q", r.Method, r.URL.RequestURI(), b, r.Header.Get("Content-Type"), r.Header.Get("Authorization"))
	})
	mux.HandleFunc("/r/{code}", func(w http.ResponseWriter, r *http.Request) {
		var code int
		fmt.Sscan(r.PathValue("code"), &code)
		to := r.URL.Query().Get("to")
		if to == "" {
			to = "/echo?from=" + r.PathValue("code")
		}
		http.Redirect(w, r, to, code)
	})
	mux.HandleFunc("/loop/{n}", func(w http.ResponseWriter, r *http.Request) {
		var n int
		fmt.Sscan(r.PathValue("n"), &n)
		w.Header().Set("Location", fmt.Sprintf("/loop/%d", n+1))
		w.WriteHeader(302)
	})
	post := `{ method: "POST", body: "data", headers: { authorization: "Bearer t" } }`
	cases := []struct{ name, src, want string }{
		{"301 POST becomes GET", `const r = await fetch(env.UP + "/r/301", ` + post + `); return new Response(r.redirected + " " + (await r.text()));`,
			`true GET /echo?from=301 body="" ct="" auth="Bearer t"`},
		{"303 becomes GET", `const r = await fetch(env.UP + "/r/303", { method: "PUT", body: "x" }); return new Response(await r.text());`,
			`GET /echo?from=303 body="" ct="" auth=""`},
		{"307 keeps method and body", `const r = await fetch(env.UP + "/r/307", ` + post + `); return new Response(await r.text());`,
			`POST /echo?from=307 body="data" ct="text/plain;charset=UTF-8" auth="Bearer t"`},
		{"308 keeps method and body", `const r = await fetch(env.UP + "/r/308", { method: "PUT", body: "d" }); return new Response(await r.text());`,
			`PUT /echo?from=308 body="d" ct="text/plain;charset=UTF-8" auth=""`},
		{"url is the final one", `const r = await fetch(env.UP + "/r/302"); return new Response(r.url.replace(env.UP, "UP"));`,
			`UP/echo?from=302`},
		{"cross-origin drops authorization", `const r = await fetch(env.UP + "/r/307?to=" + encodeURIComponent(env.OTHER + "/x"), ` + post + `); return new Response(await r.text());`,
			`other POST auth=""`},
		{"manual", `const r = await fetch(env.UP + "/r/302", { redirect: "manual" }); return new Response(r.status + " " + r.headers.get("location") + " " + r.redirected);`,
			`302 /echo?from=302 false`},
		{"error", catchSrc(`fetch(env.UP + "/r/302", { redirect: "error" })`),
			`TypeError: fetch: UP/r/302 redirected (302) to /echo?from=302, and the request's redirect mode is "error"`},
		{"too many", catchSrc(`fetch(env.UP + "/loop/0")`),
			`TypeError: fetch: more than 20 redirects, the last from UP/loop/20`},
		{"stream body cannot be resent", catchSrc(`fetch(env.UP + "/r/307", { method: "POST", body: new ReadableStream({ pull(c) { c.enqueue(new Uint8Array([1])); c.close(); } }) })`),
			`TypeError: fetch: UP/r/307 redirected (307) a request whose body is a stream, which cannot be sent twice; send it as bytes, or use redirect: "manual"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p, _ := fetchPool(t, srv.URL, tc.src, func(c *PoolConfig) {
				c.Vars["OTHER"] = other.URL
				c.Fetch.MaxSubrequests = 100
			})
			_, body := fetchBody(t, p, nil)
			if body = strings.ReplaceAll(body, srv.URL, "UP"); body != tc.want {
				t.Fatalf("\n got %s\nwant %s", body, tc.want)
			}
		})
	}
}

func TestFetchDecodesBodies(t *testing.T) {
	text := strings.Repeat("decoded as browsers do. ", 100)
	encode := map[string]func(io.Writer) io.WriteCloser{
		"gzip":        func(w io.Writer) io.WriteCloser { return gzip.NewWriter(w) },
		"deflate":     func(w io.Writer) io.WriteCloser { return zlib.NewWriter(w) },
		"deflate-raw": func(w io.Writer) io.WriteCloser { z, _ := flate.NewWriter(w, 5); return z },
		"br":          func(w io.Writer) io.WriteCloser { z, _ := brotli.NewWriter(w, 5); return z },
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, "/")
		enc := strings.TrimSuffix(name, "-raw")
		w.Header().Set("Content-Encoding", enc)
		w.Header().Set("X-Accept-Encoding", r.Header.Get("Accept-Encoding"))
		if r.URL.Query().Has("corrupt") {
			w.Write([]byte("this is not compressed at all"))
			return
		}
		z := encode[name](w)
		io.WriteString(z, text)
		z.Close()
	}))
	t.Cleanup(srv.Close)
	for name := range encode {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			p, _ := fetchPool(t, srv.URL, `const r = await fetch(env.UP + "/`+name+`");
const t = await r.text();
return new Response(r.headers.get("content-encoding") + "|" + r.headers.get("x-accept-encoding") + "|" + t);`, nil)
			_, body := fetchBody(t, p, nil)
			if want := "null|gzip, deflate, br|" + text; body != want {
				t.Fatalf("got %.120q", body)
			}
			// The stream reads decode too.
			p2, _ := fetchPool(t, srv.URL, `const r = await fetch(env.UP + "/`+name+`");
let n = 0; for await (const c of r.body) n += c.byteLength; return new Response(String(n));`, nil)
			if _, body := fetchBody(t, p2, nil); body != fmt.Sprint(len(text)) {
				t.Fatalf("streamed %s bytes, want %d", body, len(text))
			}
		})
	}
	t.Run("corrupt", func(t *testing.T) {
		p, _ := fetchPool(t, srv.URL, catchSrc(`fetch(env.UP + "/gzip?corrupt").then((r) => r.text())`), nil)
		if _, body := fetchBody(t, p, nil); !strings.HasPrefix(body, "TypeError: fetch: reading the response body of "+srv.URL+"/gzip?corrupt failed: the gzip-encoded body is corrupt") {
			t.Fatalf("got %s", body)
		}
	})
}

// TestFetchSSRFGuard: without an allow-list, fetch refuses every address of
// the node's own networks, whether named by IP or by a host name that
// resolves there, and the message says how to allow it.
func TestFetchSSRFGuard(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		io.WriteString(w, "reached")
	}))
	t.Cleanup(srv.Close)
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	cases := []struct{ url, want string }{
		{srv.URL, "127.0.0.1 is a loopback address"},
		{"http://localhost:" + port, "is a loopback address"}, // resolved, then refused
		{"http://127.1.2.3:" + port, "127.1.2.3 is a loopback address"},
		{"http://[::1]:" + port, "::1 is a loopback address"},
		{"http://[::ffff:127.0.0.1]:" + port, "127.0.0.1 is a loopback address"},
		{"http://0.0.0.0:" + port, "0.0.0.0 is an unspecified (this-network) address"},
		{"http://10.0.0.1/", "10.0.0.1 is a private address"},
		{"http://172.16.5.4/", "172.16.5.4 is a private address"},
		{"http://192.168.1.1/", "192.168.1.1 is a private address"},
		{"http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a link-local address"},
		{"http://100.64.0.1/", "100.64.0.1 is a shared (CGNAT) address"},
		{"http://224.0.0.1/", "224.0.0.1 is a multicast address"},
		{"http://[fd00::1]/", "fd00::1 is a private (unique local) address"},
		{"http://[fe80::1]/", "fe80::1 is a link-local address"},
		{"http://[64:ff9b::a00:1]/", "64:ff9b::a00:1 is a private address"},
	}
	for _, tc := range cases {
		t.Run(tc.url, func(t *testing.T) {
			t.Parallel()
			p, _ := fetchPool(t, srv.URL, catchSrc(`fetch(`+fmt.Sprintf("%q", tc.url)+`)`), func(c *PoolConfig) { c.Fetch.Allow = nil })
			_, body := fetchBody(t, p, nil)
			if !strings.HasPrefix(body, "TypeError: fetch: ") || !strings.Contains(body, tc.want+"; allow it with [fetch] allow in edgefn.toml") {
				t.Fatalf("got %q, want a TypeError saying %q", body, tc.want)
			}
		})
	}
	if n := hits.Load(); n != 0 {
		t.Fatalf("the guarded server was reached %d times", n)
	}
}

func TestFetchAllowList(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if to := r.URL.Query().Get("to"); to != "" {
			http.Redirect(w, r, to, 302)
			return
		}
		io.WriteString(w, "reached")
	}))
	t.Cleanup(srv.Close)
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	// A second server on 127.0.0.2, outside the allowed 127.0.0.1/32.
	ln, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		t.Skipf("127.0.0.2 is not usable here: %v", err)
	}
	srv2 := httptest.NewUnstartedServer(srv.Config.Handler)
	srv2.Listener = ln
	srv2.Start()
	t.Cleanup(srv2.Close)
	cases := []struct {
		name  string
		allow []string
		url   string
		want  string
	}{
		{"cidr", []string{"127.0.0.1/32"}, srv.URL, "resolved 200"},
		{"ip", []string{"127.0.0.1"}, srv.URL, "resolved 200"},
		{"host", []string{"localhost"}, "http://localhost:" + port, "resolved 200"},
		{"host does not allow its ip", []string{"localhost"}, srv.URL, "127.0.0.1 is a loopback address"},
		{"wildcard", []string{"*.localhost"}, "http://localhost:" + port, "is a loopback address"},
		{"redirect to a refused address", []string{"127.0.0.1/32"}, srv.URL + "/?to=" + srv2.URL, "127.0.0.2 is a loopback address"},
		{"wider cidr", []string{"127.0.0.0/8"}, srv.URL + "/?to=" + srv2.URL, "resolved 200"},
		{"allow private", nil, srv2.URL, "resolved 200"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p, _ := fetchPool(t, srv.URL, catchSrc(`fetch(`+fmt.Sprintf("%q", tc.url)+`)`), func(c *PoolConfig) {
				c.Fetch.Allow = tc.allow
				c.Fetch.AllowPrivate = tc.name == "allow private"
			})
			if _, body := fetchBody(t, p, nil); !strings.Contains(body, tc.want) {
				t.Fatalf("got %q, want %q", body, tc.want)
			}
		})
	}
}

func TestFetchConfigValidate(t *testing.T) {
	for _, tc := range []struct {
		allow []string
		want  string
	}{
		{[]string{"10.0.0.0/8", "not a host!"}, `Fetch.allow[1]: "not a host!" is neither`},
		{[]string{"-bad.example"}, `Fetch.allow[0]`},
	} {
		cfg := DefaultPoolConfig()
		cfg.Script = loadSource(t, `export default { fetch() { return new Response(""); } };`)
		cfg.Fetch.Allow = tc.allow
		_, err := NewPool(cfg)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Fatalf("allow %q: error %v, want one containing %q", tc.allow, err, tc.want)
		}
	}
	cfg := DefaultPoolConfig()
	cfg.Script = loadSource(t, `export default { fetch() { return new Response(""); } };`)
	cfg.Fetch.MaxConcurrent = -1
	if _, err := NewPool(cfg); err == nil || !strings.Contains(err.Error(), "Fetch.MaxConcurrent") {
		t.Fatalf("negative MaxConcurrent: %v", err)
	}
}

func TestFetchSubrequestLimits(t *testing.T) {
	var inFlight, maxInFlight atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		for {
			m := maxInFlight.Load()
			if n <= m || maxInFlight.CompareAndSwap(m, n) {
				break
			}
		}
		time.Sleep(30 * time.Millisecond)
		inFlight.Add(-1)
		if r.URL.Path == "/redirect" {
			http.Redirect(w, r, "/", 302)
			return
		}
		io.WriteString(w, "ok")
	}))
	t.Cleanup(srv.Close)
	t.Run("concurrent", func(t *testing.T) {
		p, _ := fetchPool(t, srv.URL, `
const rs = await Promise.all(Array.from({ length: 8 }, () => fetch(env.UP).then((r) => r.text())));
return new Response(rs.join(","));`, func(c *PoolConfig) { c.Fetch.MaxConcurrent = 2 })
		if _, body := fetchBody(t, p, nil); body != "ok,ok,ok,ok,ok,ok,ok,ok" {
			t.Fatalf("got %s", body)
		}
		if m := maxInFlight.Load(); m > 2 || m < 1 {
			t.Fatalf("the server saw %d requests at once; the cap is 2", m)
		}
	})
	t.Run("total", func(t *testing.T) {
		p, _ := fetchPool(t, srv.URL, `
const out = [];
for (let i = 0; i < 4; i++) {
  try { await (await fetch(env.UP + (i === 1 ? "/redirect" : "/"))).text(); out.push("ok"); } catch (e) { out.push(e.name + ": " + e.message); }
}
return new Response(out.join("\n"));`, func(c *PoolConfig) { c.Fetch.MaxSubrequests = 3 })
		_, body := fetchBody(t, p, nil)
		want := "ok\nok\nTypeError: fetch: too many subrequests: this request already made 3, its limit ([fetch] max_subrequests in edgefn.toml)\n" +
			"TypeError: fetch: too many subrequests: this request already made 3, its limit ([fetch] max_subrequests in edgefn.toml)"
		if body != want {
			t.Fatalf("got\n%s\nwant\n%s", body, want)
		}
		// The count is per request: the next one starts afresh.
		if _, body := fetchBody(t, p, nil); !strings.HasPrefix(body, "ok\nok\n") {
			t.Fatalf("second request: %s", body)
		}
	})
}

func TestFetchTimeout(t *testing.T) {
	stop := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-stop:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(srv.Close)
	defer close(stop)
	p, _ := fetchPool(t, srv.URL, catchSrc(`fetch(env.UP)`), func(c *PoolConfig) { c.Fetch.Timeout = 200 * time.Millisecond })
	if _, body := fetchBody(t, p, nil); body != "TypeError: fetch: "+srv.URL+"/: no response within 200ms ([fetch] timeout_ms in edgefn.toml)" {
		t.Fatalf("got %s", body)
	}
}

// TestFetchWaitIsNotCPU: time spent waiting for a fetch counts against the
// wall limit, not the CPU limit.
func TestFetchWaitIsNotCPU(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(300 * time.Millisecond)
		io.WriteString(w, "slow")
	}))
	t.Cleanup(srv.Close)
	p, _ := fetchPool(t, srv.URL, `return new Response(await (await fetch(env.UP)).text());`, func(c *PoolConfig) {
		c.Limits.CPUTime = 100 * time.Millisecond
	})
	if status, body := fetchBody(t, p, nil); status != 200 || body != "slow" {
		t.Fatalf("%d %s", status, body)
	}
	if cpu := p.Stats().CPU; cpu >= 300*time.Millisecond {
		t.Fatalf("the request was charged %v of CPU for a 300 ms wait", cpu)
	}
}

// TestFetchCancelledWhenRequestEnds: a fetch still going when its request
// ends is cancelled (the server sees its client go), and its connection
// does not outlive the request.
func TestFetchCancelledWhenRequestEnds(t *testing.T) {
	gone := make(chan struct{})
	var once sync.Once
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(200)
		w.(http.Flusher).Flush()
		<-r.Context().Done()
		once.Do(func() { close(gone) })
	}))
	t.Cleanup(srv.Close)
	// The body is never read: the handler answers first.
	p, _ := fetchPool(t, srv.URL, `const r = await fetch(env.UP); return new Response("answered " + r.status);`, nil)
	if _, body := fetchBody(t, p, nil); body != "answered 200" {
		t.Fatalf("got %s", body)
	}
	select {
	case <-gone:
	case <-time.After(20 * time.Second):
		t.Fatal("the upstream request was not cancelled when its request ended")
	}
}

func TestFetchErrors(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }))
	t.Cleanup(srv.Close)
	cases := []struct{ expr, want string }{
		{`fetch()`, "TypeError: fetch: 1 argument required, but only 0 present"},
		{`fetch("not a url")`, `TypeError: Request: invalid URL "not a url": a relative URL needs a base, e.g. new URL(path, request.url)`},
		{`fetch("ftp://example.com/")`, `TypeError: fetch: the URL scheme "ftp:" is not supported; only http: and https: are`},
		{`fetch("http://user:pw@example.com/")`, `TypeError: fetch: the URL "http://user:pw@example.com/" has credentials in it; send them in an Authorization header instead`},
		{`fetch(env.UP, { method: "GET", body: "x" })`, "TypeError: Request: a GET request cannot have a body"},
		{`fetch(env.UP, { signal: "nope" })`, `TypeError: Request: init.signal must be an AbortSignal or null, got a string (nope)`},
		{`fetch("http://127.0.0.1:1/")`, "TypeError: fetch: GET http://127.0.0.1:1/: dial tcp 127.0.0.1:1: connect: connection refused"},
		{`(async () => { const r = new Request(env.UP, { method: "POST", body: "x" }); await r.text(); return fetch(r); })()`, "TypeError: Request: the input request's body has already been used"},
	}
	for _, tc := range cases {
		t.Run(tc.expr, func(t *testing.T) {
			t.Parallel()
			p, _ := fetchPool(t, srv.URL, catchSrc(tc.expr), nil)
			if _, body := fetchBody(t, p, nil); body != tc.want {
				t.Fatalf("\n got %s\nwant %s", body, tc.want)
			}
		})
	}
}

func TestFetchCloneAndReuse(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "twice") }))
	t.Cleanup(srv.Close)
	p, _ := fetchPool(t, srv.URL, `
const r = await fetch(env.UP);
const c = r.clone();
const [a, b] = await Promise.all([r.text(), c.text()]);
let again; try { await r.text(); again = "read twice"; } catch (e) { again = e.name; }
return new Response(a + " " + b + " " + again);`, nil)
	if _, body := fetchBody(t, p, nil); body != "twice twice TypeError" {
		t.Fatalf("got %s", body)
	}
}

// TestFetchIncomingBodyPassesThrough: the incoming request's streamed body
// goes out as the fetch's body without passing through JS.
func TestFetchIncomingBodyPassesThrough(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		fmt.Fprintf(w, "%s %d bytes", r.Method, len(b))
	}))
	t.Cleanup(srv.Close)
	p, _ := fetchPool(t, srv.URL, `return fetch(env.UP, { method: request.method, body: request.body, duplex: "half" });`, nil)
	data := bytes.Repeat([]byte("x"), 300<<10)
	_, body := fetchBody(t, p, &Request{Method: "POST", URL: "http://edge.test/", BodyStream: bytes.NewReader(data)})
	if body != fmt.Sprintf("POST %d bytes", len(data)) {
		t.Fatalf("got %s", body)
	}
	p2, _ := fetchPool(t, srv.URL, `return fetch(new Request(env.UP, request));`, nil)
	_, body = fetchBody(t, p2, &Request{Method: "PUT", URL: "http://edge.test/", BodyStream: bytes.NewReader(data)})
	if body != fmt.Sprintf("PUT %d bytes", len(data)) {
		t.Fatalf("fetch(new Request(url, request)): got %s", body)
	}
}

// TestFetchReusesConnections: bodies read whole, prefetched or streamed,
// give their connection back to the pool's transport.
func TestFetchReusesConnections(t *testing.T) {
	var conns atomic.Int32
	big := strings.Repeat("x", 200<<10)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/big" {
			io.WriteString(w, big)
			return
		}
		io.WriteString(w, `{"small":true}`)
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	p, _ := fetchPool(t, srv.URL, `
const a = await (await fetch(env.UP + "/small")).json();
const b = await (await fetch(env.UP + "/big")).text();
let n = 0; for await (const c of (await fetch(env.UP + "/big")).body) n += c.byteLength;
return new Response(a.small + " " + b.length + " " + n);`, func(c *PoolConfig) { c.MaxSize = 1 })
	for i := 0; i < 10; i++ {
		if _, body := fetchBody(t, p, nil); body != fmt.Sprintf("true %d %d", len(big), len(big)) {
			t.Fatalf("got %s", body)
		}
	}
	if n := conns.Load(); n > 2 {
		t.Fatalf("30 sequential fetches opened %d connections; finished bodies must give theirs back", n)
	}
}

func TestFetchAbort(t *testing.T) {
	var cancelled, waiting atomic.Int32
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		switch r.URL.Path {
		case "/quick":
			io.WriteString(w, "quick")
			return
		case "/partial":
			w.WriteHeader(200)
			io.WriteString(w, "part")
			w.(http.Flusher).Flush()
		}
		waiting.Add(1)
		<-r.Context().Done()
		cancelled.Add(1)
	}))
	t.Cleanup(srv.Close)
	cases := []struct{ name, src, want string }{
		{"while waiting for headers", `const ac = new AbortController();
setTimeout(() => ac.abort(new Error("stop")), 50);
const reason = await fetch(env.UP + "/hang", { signal: ac.signal }).then(() => null, (e) => e);
return new Response((reason === ac.signal.reason) + " " + reason.message);`, "true stop"},
		{"default reason", `const ac = new AbortController();
setTimeout(() => ac.abort(), 50);
const e = await fetch(env.UP + "/hang", { signal: ac.signal }).then(() => null, (e) => e);
return new Response(e.constructor.name + " " + e.name + " " + (e instanceof DOMException));`, "DOMException AbortError true"},
		{"AbortSignal.timeout", `const e = await fetch(env.UP + "/hang", { signal: AbortSignal.timeout(50) }).then(() => null, (e) => e);
return new Response(e.name);`, "TimeoutError"},
		{"while reading the body", `const ac = new AbortController();
const r = await fetch(env.UP + "/partial", { signal: ac.signal });
const reader = r.body.getReader();
const first = await reader.read();
ac.abort("enough");
const err = await reader.read().then(() => "read on", (e) => e);
return new Response(first.value.byteLength + " " + err);`, "4 enough"},
		{"while reading the body whole", `const ac = new AbortController();
const r = await fetch(env.UP + "/partial", { signal: ac.signal });
setTimeout(() => ac.abort("later"), 50);
return new Response(await r.text().then(() => "read whole", (e) => e));`, "later"},
		{"a Request's signal", `const ac = new AbortController();
const req = new Request(env.UP + "/hang", { signal: ac.signal });
setTimeout(() => ac.abort("via request"), 50);
return new Response(await fetch(req).then(() => "resolved", (e) => e));`, "via request"},
		{"AbortSignal.any", `const ac = new AbortController();
setTimeout(() => ac.abort("any"), 50);
return new Response(await fetch(env.UP + "/hang", { signal: AbortSignal.any([ac.signal, AbortSignal.timeout(20000)]) }).then(() => "resolved", (e) => e));`, "any"},
		{"aborting after done changes nothing", `const ac = new AbortController();
const texts = [];
for (let i = 0; i < 3; i++) texts.push(await (await fetch(env.UP + "/quick", { signal: ac.signal })).text());
const r = await fetch(env.UP + "/quick", { signal: ac.signal });
ac.abort("late");
return new Response(texts.join(",") + " " + (await r.text()));`, "quick,quick,quick quick"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, _ := fetchPool(t, srv.URL, tc.src, nil)
			if _, body := fetchBody(t, p, nil); body != tc.want {
				t.Fatalf("got %q, want %q", body, tc.want)
			}
		})
	}
	// Every aborted exchange that reached the server was cancelled on the
	// wire. (On a loaded machine an abort 50 ms in can come before the
	// request got there; the case still checked the rejection.)
	deadline := time.Now().Add(20 * time.Second)
	for cancelled.Load() < waiting.Load() && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n, w := cancelled.Load(), waiting.Load(); n != w || w < 2 {
		t.Fatalf("the server saw %d of %d aborted requests cancelled (of 7 cases)", n, w)
	}
	t.Run("already aborted", func(t *testing.T) {
		before := hits.Load()
		p, _ := fetchPool(t, srv.URL, `const s = AbortSignal.abort("before");
return new Response(await fetch(env.UP + "/quick", { signal: s }).then(() => "resolved", (e) => e));`, nil)
		if _, body := fetchBody(t, p, nil); body != "before" {
			t.Fatalf("got %q", body)
		}
		if hits.Load() != before {
			t.Fatal("an already aborted fetch reached the server")
		}
	})
}

// TestFetchInWaitUntil: a fetch handed to waitUntil runs to its end after
// the response went out (the usual way to ship logs).
func TestFetchInWaitUntil(t *testing.T) {
	got := make(chan string, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(100 * time.Millisecond) // answer after the handler's response
		b, _ := io.ReadAll(r.Body)
		got <- string(b)
		io.WriteString(w, "logged")
	}))
	t.Cleanup(srv.Close)
	p, _ := fetchPool(t, srv.URL, `
ctx.waitUntil(fetch(env.UP, { method: "POST", body: "a log line" }).then((r) => r.text()).then((t) => { if (t !== "logged") throw new Error(t); }));
return new Response("answered");`, nil)
	if _, body := fetchBody(t, p, nil); body != "answered" {
		t.Fatalf("got %s", body)
	}
	select {
	case line := <-got:
		if line != "a log line" {
			t.Fatalf("the server got %q", line)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the waitUntil fetch never arrived")
	}
}

// TestFetchBodyLimits: a body read whole is bounded by the memory limit;
// the same body read as a stream is not.
func TestFetchBodyLimits(t *testing.T) {
	big := bytes.Repeat([]byte("z"), 3<<20)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(big) }))
	t.Cleanup(srv.Close)
	p, _ := fetchPool(t, srv.URL, `
const whole = await fetch(env.UP).then((r) => r.arrayBuffer()).then((b) => "read " + b.byteLength, (e) => e.name + ": " + e.message);
let n = 0; for await (const c of (await fetch(env.UP)).body) n += c.byteLength;
return new Response(whole + " | streamed " + n);`, func(c *PoolConfig) { c.Limits.MemoryLimit = 2 << 20 })
	_, body := fetchBody(t, p, nil)
	want := "TypeError: fetch: the response body of " + srv.URL + "/ is larger than 2097152 bytes (the memory limit); read it as a stream (response.body) instead | streamed " + fmt.Sprint(len(big))
	if body != want {
		t.Fatalf("\n got %s\nwant %s", body, want)
	}
}

// TestFetchCDNLoop: every fetch names edgefn in CDN-Loop after the hops the
// incoming request already made, whatever the script sets.
func TestFetchCDNLoop(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, strings.Join(r.Header.Values("Cdn-Loop"), "|"))
	}))
	t.Cleanup(srv.Close)
	p, _ := fetchPool(t, srv.URL, `return new Response(await (await fetch(env.UP, { headers: { "cdn-loop": "forged" } })).text());`, nil)
	if _, body := fetchBody(t, p, nil); body != "edgefn" {
		t.Fatalf("first hop: %q", body)
	}
	_, body := fetchBody(t, p, &Request{Method: "GET", URL: "http://edge.test/", Header: []HeaderField{{"cdn-loop", "edgefn, other-cdn"}, {"cdn-loop", "edgefn"}}})
	if body != "edgefn, other-cdn, edgefn, edgefn" {
		t.Fatalf("later hop: %q", body)
	}
}

// TestFetchNoGoroutineLeak: fetches left hanging, half read, aborted or
// never read end with their request; none leaves a goroutine behind.
func TestFetchNoGoroutineLeak(t *testing.T) {
	stop := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/hang":
		case "/drip":
			w.WriteHeader(200)
			io.WriteString(w, "drip")
			w.(http.Flusher).Flush()
		default:
			io.WriteString(w, "ok")
			return
		}
		select {
		case <-r.Context().Done():
		case <-stop: // a failed test must not hang in srv.Close
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(stop) })
	p, _ := fetchPool(t, srv.URL, `
fetch(env.UP + "/hang").catch(() => {});                          // still waiting when the request ends
const drip = await fetch(env.UP + "/drip");
await drip.body.getReader().read();                               // half read
const ac = new AbortController();
const aborted = fetch(env.UP + "/hang", { signal: ac.signal }).catch((e) => e);
setTimeout(() => ac.abort(), 10);
await aborted;
await fetch(env.UP + "/drip");                                    // never read
fetch(env.UP + "/drip", { method: "POST", body: new ReadableStream({ pull(c) { c.enqueue(new Uint8Array(1 << 10)); } }) }).catch(() => {});
return new Response(await (await fetch(env.UP)).text());`, func(c *PoolConfig) { c.MaxSize = 1 })
	fetchBody(t, p, nil) // warm: the runtime, the transport's first connections
	before := runtime.NumGoroutine()
	for i := 0; i < 10; i++ {
		if _, body := fetchBody(t, p, nil); body != "ok" {
			t.Fatalf("got %s", body)
		}
	}
	deadline := time.Now().Add(20 * time.Second)
	for runtime.NumGoroutine() > before+4 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before+4 {
		buf := make([]byte, 1<<20)
		t.Fatalf("%d goroutines before, %d after 10 requests that left fetches behind\n%s", before, n, buf[:runtime.Stack(buf, true)])
	}
}

// TestFetchHTTPS: https over HTTP/2 through the guarded dialer, the
// server's certificate checked against FetchConfig.RootCAs.
func TestFetchHTTPS(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "%s %s", r.Proto, r.TLS.NegotiatedProtocol)
	}))
	srv.EnableHTTP2 = true
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the untrusted case's handshake error is expected
	srv.StartTLS()
	t.Cleanup(srv.Close)
	roots := x509.NewCertPool()
	roots.AddCert(srv.Certificate())
	p, _ := fetchPool(t, srv.URL, catchSrc(`fetch(env.UP).then(async (r) => { throw new Error(await r.text()); })`), func(c *PoolConfig) { c.Fetch.RootCAs = roots })
	if _, body := fetchBody(t, p, nil); body != "Error: HTTP/2.0 h2" {
		t.Fatalf("got %s", body)
	}
	// Without the root the certificate is refused; without the allow-list
	// the address is, before any handshake.
	p, _ = fetchPool(t, srv.URL, catchSrc(`fetch(env.UP)`), nil)
	if _, body := fetchBody(t, p, nil); !strings.Contains(body, "certificate") {
		t.Fatalf("untrusted certificate: %s", body)
	}
	p, _ = fetchPool(t, srv.URL, catchSrc(`fetch(env.UP)`), func(c *PoolConfig) { c.Fetch.RootCAs = roots; c.Fetch.Allow = nil })
	if _, body := fetchBody(t, p, nil); !strings.Contains(body, "127.0.0.1 is a loopback address") {
		t.Fatalf("guarded https: %s", body)
	}
}

// TestFetchRewrapResponse: the proxy idiom new Response(r.body, r) keeps
// the status and headers and lets the handler change them.
func TestFetchRewrapResponse(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Up", "1")
		w.WriteHeader(202)
		io.WriteString(w, strings.Repeat("body ", 20000))
	}))
	t.Cleanup(srv.Close)
	p, _ := fetchPool(t, srv.URL, `const r = await fetch(env.UP);
const res = new Response(r.body, r);
res.headers.set("x-edge", "yes");
return res;`, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := p.Do(ctx, &Request{ID: "rewrap", Method: "GET", URL: "http://edge.test/"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Stream == nil {
		t.Fatal("the body was not streamed")
	}
	b, err := drain(res.Stream)
	if err != nil || len(b) != 100000 || res.Status != 202 {
		t.Fatalf("status %d, %d bytes, %v", res.Status, len(b), err)
	}
	h := map[string]string{}
	for _, f := range res.Header {
		h[f.Name] = f.Value
	}
	if h["x-up"] != "1" || h["x-edge"] != "yes" {
		t.Fatalf("headers %v", res.Header)
	}
}
