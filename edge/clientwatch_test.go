package edge

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/valyala/fasthttp"
)

// slowSrc answers /ping at once, /slow after ?ms= milliseconds (or when its
// request.signal aborts, which it logs) with the path and the body it read
// (and logged), and /wait keeps a waitUntil timer running past a client
// that leaves. X-Case: unread leaves the body unread, X-Case: read reads it
// without answering it.
const slowSrc = `export default { async fetch(req, env, ctx) {
  const u = new URL(req.url);
  if (u.pathname === "/ping") return new Response("pong");
  if (u.pathname === "/wait") {
    ctx.waitUntil(new Promise((r) => setTimeout(() => { console.log("waitUntil finished"); r(); }, 300)));
  }
  let body = "";
  if (req.method === "POST" && !req.headers.has("x-case")) body = await req.text();
  if (req.headers.get("x-case") === "read") await req.text();
  if (body) console.log("handler got body " + body);
  const ms = Number(u.searchParams.get("ms") || 10000);
  const aborted = await new Promise((resolve) => {
    const t = setTimeout(() => resolve(false), ms);
    req.signal.addEventListener("abort", () => {
      clearTimeout(t);
      console.log("signal aborted: " + req.signal.reason.name + ": " + req.signal.reason.message);
      resolve(true);
    });
  });
  return new Response(aborted ? "aborted" : u.pathname + (body ? ":" + body : ""));
} };`

// goneNode serves slowSrc from one runtime (so a request that keeps its
// runtime holds every other back), with JSON logs and the access log.
func goneNode(t *testing.T, edit func(*Config)) (*Node, string, *logBuffer) {
	t.Helper()
	logs := &logBuffer{}
	n, base := testNode(t, func(c *Config) {
		roomyCPU(c)
		c.AccessLog = true
		c.Pool.MaxSize = 1
		c.Logger = slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
		if edit != nil {
			edit(c)
		}
	})
	deploy(t, n, "slow", scriptSrc(t, slowSrc))
	return n, strings.TrimPrefix(base, "http://"), logs
}

// readResponse reads one response off br (within 10 s).
func readResponse(t *testing.T, conn net.Conn, br *bufio.Reader) (int, string) {
	t.Helper()
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	res, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("reading a response: %v", err)
	}
	b, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		t.Fatalf("reading a response body: %v", err)
	}
	return res.StatusCode, string(b)
}

// waitIdle waits until the deployment's runtimes are all idle again.
func waitIdle(t *testing.T, n *Node, name string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		s := n.Stats()[name].Runtimes
		if s.Busy == 0 && s.Idle == s.Size && s.Size > 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the runtime never went back to the pool: %+v", s)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestClientLeavesBeforeResponse: a client that closes its connection
// while its handler awaits a long timer aborts the handler's request.signal,
// is logged once as gone, recorded as 499 (access log, metrics), and the
// runtime goes back to the pool at once.
func TestClientLeavesBeforeResponse(t *testing.T) {
	n, addr, logs := goneNode(t, nil)
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(conn, "GET /slow HTTP/1.1\r\nHost: a\r\nX-Request-Id: gone-1\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)
	left := time.Now()
	conn.Close()

	waitLog(t, logs, "signal aborted: AbortError: the request was cancelled (the client closed the connection before the response)")
	line := waitLog(t, logs, `"msg":"client closed the connection before the response"`)
	for _, want := range []string{`"deployment":"slow"`, `"request_id":"`, `"elapsed":`} {
		if !strings.Contains(line, want) {
			t.Errorf("the log line lacks %s: %s", want, line)
		}
	}
	access := waitLog(t, logs, `"msg":"request"`, `"path":"/slow"`)
	if !strings.Contains(access, `"status":499`) || !strings.Contains(access, `"outcome":"client_closed"`) {
		t.Errorf("access log: %s", access)
	}
	waitIdle(t, n, "slow")
	if took := time.Since(left); took > 5*time.Second {
		t.Errorf("the runtime was held %v after the client left", took)
	}
	if r := send(t, "GET", "http://"+addr+"/ping", ""); r.status != 200 || r.body != "pong" {
		t.Fatalf("after the client left: %d %q", r.status, r.body)
	}
	if got := clientClosedCount(t, n, "slow"); got != 1 {
		t.Errorf("edgefn_client_closed_total = %v, want 1", got)
	}
	if got := n.Stats()["slow"].ByClass["4xx"]; got != 1 {
		t.Errorf("4xx requests = %d, want 1 (the 499)", got)
	}
	if c := strings.Count(logs.String(), "client closed the connection before the response\""); c != 1 {
		t.Errorf("%d client-closed lines, want 1", c)
	}
}

// TestClientStaysIsAnswered: a slow request whose client stays gets its
// response (the watch saw nothing), with no client-closed line; a fast one
// is never watched.
func TestClientStaysIsAnswered(t *testing.T) {
	n, addr, logs := goneNode(t, nil)
	if r := send(t, "GET", "http://"+addr+"/slow?ms=200", ""); r.status != 200 || r.body != "/slow" {
		t.Fatalf("slow: %d %q", r.status, r.body)
	}
	if r := send(t, "GET", "http://"+addr+"/ping", ""); r.status != 200 {
		t.Fatalf("ping: %d", r.status)
	}
	if strings.Contains(logs.String(), "client closed") || strings.Contains(logs.String(), "signal aborted") {
		t.Fatalf("a client that stayed was taken as gone:\n%s", logs.String())
	}
	if got := clientClosedCount(t, n, "slow"); got != 0 {
		t.Errorf("edgefn_client_closed_total = %v, want 0", got)
	}
}

// TestPipelinedBehindSlowRequest: requests pipelined on one connection
// behind a slow one, sent while it is watched, are all answered, in order,
// bytes intact, a few or many (more than fasthttp's read buffer), with
// bodies or without: the watch reads nothing.
func TestPipelinedBehindSlowRequest(t *testing.T) {
	_, addr, logs := goneNode(t, nil)
	for _, count := range []int{2, 60} {
		t.Run(fmt.Sprint(count), func(t *testing.T) {
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			br := bufio.NewReader(conn)
			if _, err := io.WriteString(conn, "GET /slow?ms=300 HTTP/1.1\r\nHost: a\r\n\r\n"); err != nil {
				t.Fatal(err)
			}
			time.Sleep(100 * time.Millisecond) // watched by now
			var pipe strings.Builder
			for i := 0; i < count; i++ {
				if i%2 == 0 {
					fmt.Fprintf(&pipe, "GET /slow?ms=0&i=%d HTTP/1.1\r\nHost: a\r\nX-Pad: %s\r\n\r\n", i, strings.Repeat("p", 40))
				} else {
					body := fmt.Sprintf("body-%d", i)
					fmt.Fprintf(&pipe, "POST /slow?ms=0 HTTP/1.1\r\nHost: a\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
				}
			}
			if _, err := io.WriteString(conn, pipe.String()); err != nil {
				t.Fatal(err)
			}
			if status, body := readResponse(t, conn, br); status != 200 || body != "/slow" {
				t.Fatalf("first: %d %q", status, body)
			}
			for i := 0; i < count; i++ {
				want := "/slow"
				if i%2 == 1 {
					want = fmt.Sprintf("/slow:body-%d", i)
				}
				if status, body := readResponse(t, conn, br); status != 200 || body != want {
					t.Fatalf("pipelined %d: %d %q, want %q", i, status, body, want)
				}
			}
		})
	}
	if strings.Contains(logs.String(), "client closed") {
		t.Fatalf("a pipelining client was taken as gone:\n%s", logs.String())
	}
}

// TestHalfClose: a client that shuts down its write side after its request
// is answered by a handler that answers at once (fasthttp answers it, as it
// always has); one whose handler is still running is taken as gone (499),
// unless Config.HalfClose, which answers it.
func TestHalfClose(t *testing.T) {
	halfClosed := func(t *testing.T, addr, path string) (int, string) {
		t.Helper()
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		if _, err := io.WriteString(conn, "GET "+path+" HTTP/1.1\r\nHost: a\r\n\r\n"); err != nil {
			t.Fatal(err)
		}
		if err := conn.(*net.TCPConn).CloseWrite(); err != nil {
			t.Fatal(err)
		}
		return readResponse(t, conn, bufio.NewReader(conn))
	}
	t.Run("default", func(t *testing.T) {
		_, addr, logs := goneNode(t, nil)
		if status, body := halfClosed(t, addr, "/ping"); status != 200 || body != "pong" {
			t.Fatalf("fast handler: %d %q", status, body)
		}
		if status, _ := halfClosed(t, addr, "/slow"); status != StatusClientClosedRequest {
			t.Fatalf("slow handler: %d, want 499", status)
		}
		waitLog(t, logs, "signal aborted: AbortError")
	})
	t.Run("HalfClose", func(t *testing.T) {
		_, addr, logs := goneNode(t, func(c *Config) { c.HalfClose = true })
		if status, body := halfClosed(t, addr, "/slow?ms=300"); status != 200 || body != "/slow" {
			t.Fatalf("slow handler: %d %q", status, body)
		}
		if strings.Contains(logs.String(), "client closed") {
			t.Fatalf("a half-closed client was taken as gone:\n%s", logs.String())
		}
	})
}

// TestWatchKeepsTimeouts: the deadlines fasthttp sets still hold after a
// watched request: the keep-alive connection is closed after IdleTimeout,
// and a next request trickling its headers is cut off by ReadTimeout. A
// handler running past ReadTimeout is still watched.
func TestWatchKeepsTimeouts(t *testing.T) {
	_, addr, logs := goneNode(t, func(c *Config) {
		c.ReadTimeout = 300 * time.Millisecond
		c.IdleTimeout = 400 * time.Millisecond
	})
	slowThenWait := func(t *testing.T) (net.Conn, *bufio.Reader) {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close() })
		br := bufio.NewReader(conn)
		// A handler past ReadTimeout, watched all along, is answered.
		if _, err := io.WriteString(conn, "GET /slow?ms=500 HTTP/1.1\r\nHost: a\r\n\r\n"); err != nil {
			t.Fatal(err)
		}
		if status, body := readResponse(t, conn, br); status != 200 || body != "/slow" {
			t.Fatalf("slow: %d %q", status, body)
		}
		return conn, br
	}
	t.Run("idle", func(t *testing.T) {
		conn, br := slowThenWait(t)
		start := time.Now()
		_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		_, err := br.ReadByte()
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			t.Fatal("the idle connection was never closed")
		}
		if took := time.Since(start); took > 5*time.Second {
			t.Fatalf("closed after %v, IdleTimeout is 400ms", took)
		}
	})
	t.Run("read", func(t *testing.T) {
		conn, br := slowThenWait(t)
		if _, err := io.WriteString(conn, "GET /ping HTTP/1.1\r\nHost: a\r\n"); err != nil {
			t.Fatal(err)
		}
		stop := make(chan struct{})
		defer close(stop)
		go func() { // trickle a header, a byte every 50 ms
			for {
				select {
				case <-stop:
					return
				case <-time.After(50 * time.Millisecond):
					if _, err := io.WriteString(conn, "x"); err != nil {
						return
					}
				}
			}
		}()
		status, _ := readResponse(t, conn, br)
		if status != http.StatusRequestTimeout {
			t.Fatalf("a trickled request after a watched one: %d, want 408", status)
		}
	})
	t.Run("past ReadTimeout", func(t *testing.T) {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(conn, "GET /slow HTTP/1.1\r\nHost: a\r\n\r\n"); err != nil {
			t.Fatal(err)
		}
		time.Sleep(700 * time.Millisecond)
		conn.Close()
		waitLog(t, logs, "client closed the connection before the response")
	})
}

// TestClientLeavesDuringUpload: a client that leaves in the middle of a
// streamed request body its handler has not read is noticed too; so is one
// that leaves after the handler read its whole streamed body.
func TestClientLeavesDuringUpload(t *testing.T) {
	_, addr, logs := goneNode(t, nil)
	for i, raw := range []string{
		"POST /slow HTTP/1.1\r\nHost: a\r\nX-Case: unread\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel",
		"POST /slow HTTP/1.1\r\nHost: a\r\nX-Case: read\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
	} {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(conn, raw); err != nil {
			t.Fatal(err)
		}
		time.Sleep(150 * time.Millisecond)
		conn.Close()
		deadline := time.Now().Add(10 * time.Second)
		for strings.Count(logs.String(), `"outcome":"client_closed"`) < i+1 {
			if time.Now().After(deadline) {
				t.Fatalf("case %d: the client leaving was not recorded:\n%s", i, logs.String())
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}

// TestClientResetBeforeResponse: a client whose connection ends with a
// reset (SO_LINGER 0) is noticed, with or without HalfClose (and, with it,
// without the per-IP limit: fasthttp then hands over the *net.TCPConn
// itself, not its wrapper).
func TestClientResetBeforeResponse(t *testing.T) {
	for _, half := range []bool{false, true} {
		t.Run(fmt.Sprint("HalfClose=", half), func(t *testing.T) {
			_, addr, logs := goneNode(t, func(c *Config) {
				c.HalfClose = half
				if half {
					c.MaxConnsPerIP = -1
				}
			})
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := io.WriteString(conn, "GET /slow HTTP/1.1\r\nHost: a\r\n\r\n"); err != nil {
				t.Fatal(err)
			}
			time.Sleep(100 * time.Millisecond)
			_ = conn.(*net.TCPConn).SetLinger(0)
			conn.Close()
			waitLog(t, logs, "signal aborted: AbortError")
			waitLog(t, logs, `"status":499`, `"outcome":"client_closed"`)
		})
	}
}

// TestQueuedClientLeaves: a request waiting for a busy runtime whose client
// leaves gives up its place: its handler never runs, and it is recorded as
// 499.
func TestQueuedClientLeaves(t *testing.T) {
	_, addr, logs := goneNode(t, nil)
	busy := make(chan string, 1)
	go func() { // not send: t.Fatal belongs to the test's goroutine
		res, err := http.Get("http://" + addr + "/slow?ms=1500")
		if err != nil {
			busy <- err.Error()
			return
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		busy <- fmt.Sprint(res.StatusCode, " ", string(b))
	}()
	time.Sleep(100 * time.Millisecond) // the only runtime is taken
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(conn, "POST /slow?ms=0 HTTP/1.1\r\nHost: a\r\nContent-Length: 6\r\n\r\nqueued"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)
	conn.Close()
	waitLog(t, logs, `"status":499`, `"outcome":"client_closed"`)
	if r := <-busy; r != "200 /slow" {
		t.Fatalf("the busy request: %s", r)
	}
	time.Sleep(100 * time.Millisecond)
	if strings.Contains(logs.String(), "handler got body queued") {
		t.Fatalf("the handler of a request whose client left while queued ran:\n%s", logs.String())
	}
}

// TestWaitUntilOutlivesLeavingClient: waitUntil work goes on after the
// client left before the response.
func TestWaitUntilOutlivesLeavingClient(t *testing.T) {
	_, addr, logs := goneNode(t, nil)
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(conn, "GET /wait HTTP/1.1\r\nHost: a\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)
	conn.Close()
	waitLog(t, logs, "client closed the connection before the response")
	waitLog(t, logs, "waitUntil finished")
}

// TestClientLeavesOverTLS: the watch looks at the TCP connection under
// TLS, so a client leaving an HTTPS request is noticed too (its close_notify
// alert, unread, does not hide the FIN after it); one that stays, and
// pipelines, is answered.
func TestClientLeavesOverTLS(t *testing.T) {
	certFile, keyFile := selfSigned(t)
	_, addr, logs := goneNode(t, func(c *Config) { c.TLSCert, c.TLSKey = certFile, keyFile })
	dial := func() *tls.Conn {
		conn, err := tls.Dial("tcp", addr, &tls.Config{InsecureSkipVerify: true})
		if err != nil {
			t.Fatal(err)
		}
		return conn
	}
	conn := dial()
	br := bufio.NewReader(conn)
	if _, err := io.WriteString(conn, "GET /slow?ms=200 HTTP/1.1\r\nHost: a\r\n\r\nGET /ping HTTP/1.1\r\nHost: a\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	if status, body := readResponse(t, conn, br); status != 200 || body != "/slow" {
		t.Fatalf("over TLS: %d %q", status, body)
	}
	if status, body := readResponse(t, conn, br); status != 200 || body != "pong" {
		t.Fatalf("pipelined over TLS: %d %q", status, body)
	}
	conn.Close()

	conn = dial()
	if _, err := io.WriteString(conn, "GET /slow HTTP/1.1\r\nHost: a\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)
	conn.Close() // close_notify, then the end of input
	waitLog(t, logs, "signal aborted: AbortError")
	waitLog(t, logs, `"status":499`, `"outcome":"client_closed"`)
}

// clientClosedCount reads edgefn_client_closed_total for a deployment.
func clientClosedCount(t *testing.T, n *Node, deployment string) float64 {
	t.Helper()
	mfs, err := n.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != "edgefn_client_closed_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "deployment" && l.GetValue() == deployment {
					return m.GetCounter().GetValue()
				}
			}
		}
	}
	return 0
}

// selfSigned writes a throwaway certificate for 127.0.0.1 and its key.
func selfSigned(t *testing.T) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:   time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}

// TestConnRegistryForgetsClosedConnections: the registry holds accepted
// connections weakly, so closed ones leave it (also those fasthttp closes
// without a word), and it finds the ones still open.
func TestConnRegistryForgetsClosedConnections(t *testing.T) {
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer inner.Close()
	reg := &connRegistry{}
	ln := &watchListener{Listener: inner, conns: reg}
	count := func() int {
		n := 0
		reg.m.Range(func(any, any) bool { n++; return true })
		return n
	}
	var clients []net.Conn
	defer func() {
		for _, c := range clients {
			c.Close()
		}
	}()
	for i := 0; i < 20; i++ {
		c, err := net.Dial("tcp", inner.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		clients = append(clients, c)
		s, err := ln.Accept()
		if err != nil {
			t.Fatal(err)
		}
		if got := reg.find(wrappedConn{s}); got != s {
			t.Fatalf("find through a wrapper: %v, want %v", got, s)
		}
		s.Close()
	}
	kept, err := net.Dial("tcp", inner.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	clients = append(clients, kept)
	open, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer open.Close()
	deadline := time.Now().Add(10 * time.Second)
	for count() > 1 {
		if time.Now().After(deadline) {
			t.Fatalf("%d entries left, want the open connection's only", count())
		}
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
	if reg.find(wrappedConn{open}) != open {
		t.Fatal("the open connection is no longer found")
	}
}

// wrappedConn hides a connection's type, as fasthttp's per-IP wrapper does.
type wrappedConn struct{ net.Conn }

// BenchmarkClientCtxAsync: what a request that goes async and answers
// within clientWatchDelay pays for the watch (its context and timer; no
// look).
func BenchmarkClientCtxAsync(b *testing.B) {
	var rctx fasthttp.RequestCtx
	b.ReportAllocs()
	for b.Loop() {
		cc := clientCtx{rctx: &rctx}
		<-cc.doneOrNil()
		if cc.finish() {
			b.Fatal("left")
		}
	}
}

// doneOrNil calls Done, as the pool does when a request goes async, and
// returns a closed channel so the benchmark does not block.
func (c *clientCtx) doneOrNil() <-chan struct{} {
	_ = c.Done()
	return closedChan
}

var closedChan = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

// BenchmarkClientLook: one look at a loopback connection's TCP state.
func BenchmarkClientLook(b *testing.B) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	client, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	defer client.Close()
	server, err := ln.Accept()
	if err != nil {
		b.Fatal(err)
	}
	defer server.Close()
	rc, err := server.(*net.TCPConn).SyscallConn()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if state, ok := connState(rc); !ok || state != tcpEstablished {
			b.Fatalf("state %d %v", state, ok)
		}
	}
}
