package edge

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/valyala/fasthttp"
)

// echoSrc answers with what the handler saw of the request, so tests can
// tell which framing the server chose.
const echoSrc = `export default { async fetch(req) {
  const body = await req.text();
  const u = new URL(req.url);
  return new Response(JSON.stringify({ method: req.method, host: u.host, path: u.pathname,
    hostHeader: req.headers.get("host"), headers: [...req.headers].length, body }));
} };`

// exchange writes raw bytes on a new connection and reads every response
// the server sends until it closes the connection (or 10 s pass).
func exchange(t *testing.T, addr, raw string) (responses []string, closed bool) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, raw); err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	br := bufio.NewReader(conn)
	for {
		res, err := http.ReadResponse(br, nil)
		if err != nil {
			var ne net.Error
			return responses, !(errors.As(err, &ne) && ne.Timeout())
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		responses = append(responses, fmt.Sprintf("%d %s", res.StatusCode, b))
	}
}

func frontDoorNode(t *testing.T, edit func(*Config)) string {
	t.Helper()
	n, base := testNode(t, edit)
	deploy(t, n, "echo", scriptSrc(t, echoSrc))
	return strings.TrimPrefix(base, "http://")
}

// TestRequestSmuggling sends, over raw connections, the framings that let a
// proxy in front of edgefn and edgefn disagree on where a request ends.
// Each is refused with 400 and the connection closed, so nothing that
// follows on it (a smuggled second request) is ever served.
func TestRequestSmuggling(t *testing.T) {
	addr := frontDoorNode(t, nil)
	smuggled := "GET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n"
	cases := []struct {
		name, raw string
	}{
		{"CL.TE", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + smuggled},
		{"TE.CL", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n" + smuggled},
		{"CL.TE lower-case", "POST / HTTP/1.1\r\nHost: a\r\ncontent-length: 6\r\ntransfer-encoding: chunked\r\n\r\n0\r\n\r\n" + smuggled},
		{"duplicate Content-Length", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 40\r\n\r\nabc" + smuggled},
		{"same Content-Length twice", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc" + smuggled},
		{"Content-Length list", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3, 3\r\n\r\nabc" + smuggled},
		{"Content-Length sign", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +3\r\n\r\nabc" + smuggled},
		{"space before colon", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length : 3\r\n\r\nabc" + smuggled},
		{"obs-fold", "GET / HTTP/1.1\r\nHost: a\r\nX-A: one\r\n two\r\n\r\n" + smuggled},
		{"obs-fold of Transfer-Encoding", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding:\r\n chunked\r\n\r\n0\r\n\r\n" + smuggled},
		{"bare LF in headers", "POST / HTTP/1.1\r\nHost: a\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n" + smuggled},
		{"space in a header name", "GET / HTTP/1.1\r\nHost: a\r\nTransfer Encoding: chunked\r\n\r\n" + smuggled},
		{"two Transfer-Encodings", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\n0\r\n\r\n" + smuggled},
		{"unknown Transfer-Encoding", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n" + smuggled},
		{"Transfer-Encoding on HTTP/1.0", "POST / HTTP/1.0\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + smuggled},
		{"chunk size overflow", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffff1\r\nabc\r\n0\r\n\r\n" + smuggled},
		{"negative chunk size", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n-3\r\nabc\r\n0\r\n\r\n" + smuggled},
		{"bare LF in chunks", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\nabc\n0\n\n" + smuggled},
		{"LF in a chunk extension", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3;x\nabc\r\n0\r\n\r\n" + smuggled},
		{"two Hosts", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n" + smuggled},
		{"Host with userinfo", "GET /public HTTP/1.1\r\nHost: user@b\r\n\r\n" + smuggled},
		{"Host with a path", "GET /public HTTP/1.1\r\nHost: a/admin#\r\n\r\n" + smuggled},
		{"no Host", "GET / HTTP/1.1\r\n\r\n" + smuggled},
		{"NUL in a value", "GET / HTTP/1.1\r\nHost: a\r\nX-A: a\x00b\r\n\r\n" + smuggled},
		{"CR in a value", "GET / HTTP/1.1\r\nHost: a\r\nX-A: a\rTransfer-Encoding: chunked\r\n\r\n" + smuggled},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, closed := exchange(t, addr, tc.raw)
			if len(res) != 1 || !strings.HasPrefix(res[0], "400 ") {
				t.Fatalf("got %q, want one 400 answer", res)
			}
			if !closed {
				t.Fatal("the connection stayed open after a refused request")
			}
		})
	}

	// The same requests with their framing intact are served, one answer
	// per request (the checks do not refuse ordinary traffic).
	ok := []struct{ name, raw, want string }{
		{"Content-Length", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc" + smuggled, `"body":"abc"`},
		{"chunked", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n" + smuggled, `"body":"abc"`},
		{"chunk extension", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3;name=value\r\nabc\r\n0\r\n\r\n" + smuggled, `"body":"abc"`},
	}
	for _, tc := range ok {
		t.Run("ok "+tc.name, func(t *testing.T) {
			res, _ := exchange(t, addr, tc.raw+"GET /last HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
			if len(res) != 3 || !strings.Contains(res[0], tc.want) || !strings.Contains(res[1], `"path":"/smuggled"`) {
				t.Fatalf("got %q", res)
			}
		})
	}
}

// TestAbsoluteFormHost: a request target in absolute form names the host;
// the handler's Host header is made to agree with it (RFC 9112 3.2.2), so a
// handler checking the Host header sees the host the request was routed by.
func TestAbsoluteFormHost(t *testing.T) {
	addr := frontDoorNode(t, nil)
	res, _ := exchange(t, addr, "GET http://b.example/x HTTP/1.1\r\nHost: a.example\r\nConnection: close\r\n\r\n")
	if len(res) != 1 || !strings.Contains(res[0], `"host":"b.example"`) || !strings.Contains(res[0], `"hostHeader":"b.example"`) {
		t.Fatalf("got %q", res)
	}
}

// TestHeaderLimits: the request line and headers are bounded in size
// (431), the header lines in number (431) and the target in length (414);
// requests just under each limit are served.
func TestHeaderLimits(t *testing.T) {
	addr := frontDoorNode(t, func(c *Config) {
		c.MaxHeaderBytes = 4096
		c.MaxHeaderCount = 20
		c.MaxURIBytes = 1024
	})
	req := func(target string, headers int, valueLen int) string {
		var b strings.Builder
		fmt.Fprintf(&b, "GET %s HTTP/1.1\r\nHost: a\r\nConnection: close\r\n", target)
		for i := 0; i < headers; i++ {
			fmt.Fprintf(&b, "X-H%d: %s\r\n", i, strings.Repeat("v", valueLen))
		}
		b.WriteString("\r\n")
		return b.String()
	}
	cases := []struct {
		name, raw string
		status    string
	}{
		{"under every limit", req("/"+strings.Repeat("p", 1000), 18, 100), "200 "},
		{"header bytes", req("/", 1, 5000), "431 "},
		{"header count", req("/", 19, 1), "431 "},
		{"request target", req("/"+strings.Repeat("p", 1024), 0, 0), "414 "},
		{"request line over the buffer", req("/"+strings.Repeat("p", 5000), 0, 0), "431 "},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, _ := exchange(t, addr, tc.raw)
			if len(res) != 1 || !strings.HasPrefix(res[0], tc.status) {
				t.Fatalf("got %q, want %s", res, tc.status)
			}
		})
	}
}

// TestSlowloris: a client that trickles its headers is cut off by
// ReadTimeout, however steadily it sends, and meanwhile others are served.
func TestSlowloris(t *testing.T) {
	addr := frontDoorNode(t, func(c *Config) { c.ReadTimeout = time.Second })
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, "GET / HTTP/1.1\r\nHost: a\r\nX-Slow: "); err != nil {
		t.Fatal(err)
	}
	// One byte every 50 ms for up to 30 s: the server must hang up first.
	cut := make(chan error, 1)
	go func() {
		buf := make([]byte, 512)
		_ = conn.SetReadDeadline(time.Now().Add(30 * time.Second))
		n, err := conn.Read(buf)
		if n > 0 && !strings.HasPrefix(string(buf[:n]), "HTTP/1.1 408") {
			err = fmt.Errorf("answered %q", buf[:n])
		} else if n > 0 {
			err = nil
		}
		cut <- err
	}()
	deadline := time.Now().Add(30 * time.Second)
	for sent := 0; ; sent++ {
		select {
		case err := <-cut:
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				t.Fatal("the server never cut the trickling connection off")
			}
			if err != nil && !errors.Is(err, io.EOF) && !strings.Contains(err.Error(), "reset") {
				t.Fatalf("unexpected: %v", err)
			}
			t.Logf("cut off after %d trickled bytes", sent)
			return
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("the server never cut the trickling connection off")
		}
		if _, err := conn.Write([]byte("x")); err != nil {
			t.Logf("write failed after %d trickled bytes: %v", sent, err)
			return
		}
		if sent%10 == 0 {
			// Others are served while the slow client holds its connection.
			if res, _ := exchange(t, addr, "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"); len(res) != 1 || !strings.HasPrefix(res[0], "200 ") {
				t.Fatalf("a normal request during the trickle got %q", res)
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestIdleKeepAliveClosed: a keep-alive connection left idle past
// IdleTimeout is closed by the server.
func TestIdleKeepAliveClosed(t *testing.T) {
	addr := frontDoorNode(t, func(c *Config) { c.IdleTimeout = 500 * time.Millisecond })
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, "GET / HTTP/1.1\r\nHost: a\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(conn)
	res, err := http.ReadResponse(br, nil)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("%v %v", res, err)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	_ = conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	_, err = br.ReadByte()
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatal("the idle connection was never closed")
	}
	if err == nil {
		t.Fatal("the server sent bytes on an idle connection")
	}
}

// TestSlowReaderCutOff: a client that stops reading a large response is
// disconnected by WriteTimeout rather than holding the connection.
func TestSlowReaderCutOff(t *testing.T) {
	n, base := testNode(t, func(c *Config) { roomyCPU(c); c.WriteTimeout = 500 * time.Millisecond })
	deploy(t, n, "big", scriptSrc(t, `const big = new Uint8Array(48 << 20);
export default { fetch() { return new Response(big); } };`))
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetReadBuffer(64 << 10)
	}
	if _, err := io.WriteString(conn, "GET / HTTP/1.1\r\nHost: a\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	// Once the response starts (on a loaded machine making 48 MiB can take
	// a while), wait well past the timeout without reading, then drain: the
	// server must have given up before sending it all.
	_ = conn.SetReadDeadline(time.Now().Add(60 * time.Second))
	first := make([]byte, 1)
	if _, err := io.ReadFull(conn, first); err != nil {
		t.Fatalf("no response started: %v", err)
	}
	time.Sleep(3 * time.Second)
	got, err := io.Copy(io.Discard, conn)
	got++
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatal("the connection was still open a minute later")
	}
	if got >= 48<<20 {
		t.Fatalf("the whole %d-byte response reached a client that did not read", got)
	}
	t.Logf("the stalled client received %d of %d bytes before the server hung up", got, 48<<20)
}

// TestMaxConnsPerIP: connections from one address beyond the cap are
// answered 429 and closed; another address is unaffected.
func TestMaxConnsPerIP(t *testing.T) {
	addr := frontDoorNode(t, func(c *Config) { c.MaxConnsPerIP = 3 })
	dial := func(local string) net.Conn {
		d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(local)}}
		c, err := d.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	roundTrip := func(c net.Conn) string {
		if _, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: a\r\n\r\n"); err != nil {
			return "write: " + err.Error()
		}
		_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
		res, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			return "read: " + err.Error()
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res.Status
	}
	for i := 0; i < 3; i++ {
		if st := roundTrip(dial("127.0.0.1")); st != "200 OK" {
			t.Fatalf("connection %d: %s", i+1, st)
		}
	}
	if st := roundTrip(dial("127.0.0.1")); !strings.HasPrefix(st, "429") {
		t.Fatalf("the fourth connection from one address: %s, want 429", st)
	}
	if st := roundTrip(dial("127.0.0.2")); st != "200 OK" {
		t.Fatalf("another address: %s", st)
	}
}

// BenchmarkCheckRequest is the front door's cost on a typical browser
// request (12 headers), on top of fasthttp's own parsing.
func BenchmarkCheckRequest(b *testing.B) {
	n, err := NewNode(DefaultConfig())
	if err != nil {
		b.Fatal(err)
	}
	raw := "GET /products/42?ref=home HTTP/1.1\r\nHost: shop.example.com\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36\r\n" +
		"Accept: text/html,application/xhtml+xml\r\nAccept-Language: en-US,en;q=0.9\r\nAccept-Encoding: gzip, deflate, br\r\n" +
		"Connection: keep-alive\r\nCookie: session=abcdef0123456789; theme=dark\r\nReferer: https://shop.example.com/\r\n" +
		"Sec-Fetch-Dest: document\r\nSec-Fetch-Mode: navigate\r\nSec-Fetch-Site: same-origin\r\nUpgrade-Insecure-Requests: 1\r\n\r\n"
	var req fasthttp.Request
	req.Header.DisableNormalizing()
	if err := req.Read(bufio.NewReader(strings.NewReader(raw))); err != nil {
		b.Fatal(err)
	}
	var ctx fasthttp.RequestCtx
	ctx.Init(&req, &net.TCPAddr{IP: net.IPv4(192, 0, 2, 1), Port: 1}, nil)
	b.ReportAllocs()
	for b.Loop() {
		if e := n.checkRequest(&ctx); e != nil {
			b.Fatal(e.msg)
		}
	}
}
