package edge

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/edgefn/edgefn/isolate"
)

// testNode starts a node on a loopback port; it stops when the test ends.
func testNode(t *testing.T, edit func(*Config)) (*Node, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig()
	cfg.Listener = ln
	cfg.ShutdownTimeout = 5 * time.Second
	if edit != nil {
		edit(&cfg)
	}
	n, err := NewNode(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- n.Serve(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return n, "http://" + ln.Addr().String()
}

func script(t testing.TB, entry string) *isolate.Script {
	t.Helper()
	b, err := isolate.Build(isolate.BuildOptions{Entry: entry})
	if err != nil {
		t.Fatal(err)
	}
	s, err := isolate.Load(b)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func scriptSrc(t testing.TB, src string) *isolate.Script {
	t.Helper()
	entry := filepath.Join(t.TempDir(), "index.js")
	if err := os.WriteFile(entry, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return script(t, entry)
}

func deploy(t testing.TB, n *Node, name string, s *isolate.Script) {
	t.Helper()
	if err := n.Deploy(name, s); err != nil {
		t.Fatal(err)
	}
	n.SetFallback(name)
}

type reply struct {
	status int
	header http.Header
	body   string
}

func send(t testing.TB, method, url, body string) reply {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return reply{res.StatusCode, res.Header, string(b)}
}

func TestExamplesOverHTTP(t *testing.T) {
	n, base := testNode(t, nil)
	cases := []struct {
		example, method, path, body string
		status                      int
		contains                    string
	}{
		{"hello", "GET", "/?name=edge", "", 200, "hello, edge!"},
		{"vercel", "GET", "/some/path", "", 200, `"path":"/some/path"`},
		{"vercel-async", "POST", "/", "12345", 200, "you sent 5 bytes"},
		{"next-route/route.ts", "GET", "/", "", 200, `{"items":["a","b"]}`},
		{"next-route/route.ts", "POST", "/", `{"n":1}`, 201, `{"created":{"n":1}}`},
		{"service-worker", "PUT", "/x", "", 200, "service worker saw PUT /x"},
	}
	for _, tc := range cases {
		t.Run(tc.example+" "+tc.method, func(t *testing.T) {
			deploy(t, n, tc.example, script(t, filepath.Join("..", "examples", tc.example)))
			r := send(t, tc.method, base+tc.path, tc.body)
			if r.status != tc.status || !strings.Contains(r.body, tc.contains) {
				t.Fatalf("got %d %q, want %d containing %q", r.status, r.body, tc.status, tc.contains)
			}
			if r.header.Get("x-request-id") == "" {
				t.Fatal("no x-request-id header")
			}
		})
	}
}

func TestMethodNotAllowedOverHTTP(t *testing.T) {
	n, base := testNode(t, nil)
	deploy(t, n, "next", script(t, "../examples/next-route/route.ts"))
	r := send(t, "DELETE", base+"/", "")
	if r.status != 405 || r.header.Get("allow") != "GET, HEAD, OPTIONS, POST" {
		t.Fatalf("got %d allow=%q", r.status, r.header.Get("allow"))
	}
}

func TestErrorsOverHTTP(t *testing.T) {
	n, base := testNode(t, func(c *Config) {
		c.MaxBodySize = 1024
		c.Pool.Limits.WallTime = 300 * time.Millisecond
	})
	deploy(t, n, "errors", scriptSrc(t, `export default { async fetch(req) {
  switch (new URL(req.url).pathname) {
    case "/throw": throw new Error("secret detail");
    case "/slow": await new Promise((r) => setTimeout(r, 10000));
  }
  return new Response(await req.text());
} };`))
	r := send(t, "GET", base+"/throw", "")
	id := r.header.Get("x-request-id")
	if r.status != 500 || id == "" || !strings.Contains(r.body, id) {
		t.Fatalf("throw: %d %q (id %q)", r.status, r.body, id)
	}
	if strings.Contains(r.body, "secret detail") {
		t.Fatal("production errors must not expose the exception")
	}
	if r := send(t, "GET", base+"/slow", ""); r.status != 504 {
		t.Fatalf("slow: %d %q", r.status, r.body)
	}
	if r := send(t, "POST", base+"/", strings.Repeat("x", 2048)); r.status != 413 {
		t.Fatalf("big body: %d %q", r.status, r.body)
	}
	if r := send(t, "POST", base+"/", "small"); r.status != 200 || r.body != "small" {
		t.Fatalf("after errors: %d %q", r.status, r.body)
	}
}

func TestExposeErrors(t *testing.T) {
	n, base := testNode(t, func(c *Config) { c.ExposeErrors = true })
	deploy(t, n, "errors", scriptSrc(t, `export default { fetch() { throw new TypeError("visible in dev"); } };`))
	r := send(t, "GET", base+"/", "")
	if r.status != 500 || !strings.Contains(r.body, "TypeError: visible in dev") || !strings.Contains(r.body, "index.js:1") {
		t.Fatalf("got %d %q", r.status, r.body)
	}
}

func TestOverloadedIs503(t *testing.T) {
	n, base := testNode(t, func(c *Config) {
		c.Pool.MaxSize = 1
		c.Pool.QueueSize = 1
		c.Pool.QueueTimeout = 50 * time.Millisecond
	})
	deploy(t, n, "slow", scriptSrc(t, `export default { async fetch() { await new Promise((r) => setTimeout(r, 300)); return new Response("ok"); } };`))
	var wg sync.WaitGroup
	var saw503 atomic.Bool
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := send(t, "GET", base+"/", "")
			if r.status == 503 {
				if r.header.Get("retry-after") == "" {
					t.Error("503 without Retry-After")
				}
				saw503.Store(true)
			}
		}()
	}
	wg.Wait()
	if !saw503.Load() {
		t.Fatal("no request was refused with 503")
	}
}

// TestSwapUnderLoad redeploys repeatedly while requests flow: every request
// succeeds, and each sees one whole version.
func TestSwapUnderLoad(t *testing.T) {
	// Not a CPU-limit test: a fresh runtime's first turn under -race on a
	// loaded machine can take 50 ms.
	n, base := testNode(t, roomyCPU)
	version := func(i int) *isolate.Script {
		return scriptSrc(t, fmt.Sprintf(`export default { async fetch() {
  const a = %d;
  await new Promise((r) => setTimeout(r, 5));
  return new Response(String(a) + "/" + %d);
} };`, i, i))
	}
	deploy(t, n, "app", version(0))
	stop := make(chan struct{})
	var failures, total atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				res, err := http.Get(base + "/")
				total.Add(1)
				if err != nil {
					failures.Add(1)
					continue
				}
				b, _ := io.ReadAll(res.Body)
				res.Body.Close()
				parts := strings.Split(string(b), "/")
				if res.StatusCode != 200 || len(parts) != 2 || parts[0] != parts[1] {
					failures.Add(1)
					t.Errorf("got %d %q", res.StatusCode, b)
				}
			}
		}()
	}
	for i := 1; i <= 10; i++ {
		time.Sleep(30 * time.Millisecond)
		if err := n.Deploy("app", version(i)); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(50 * time.Millisecond)
	close(stop)
	wg.Wait()
	if failures.Load() != 0 {
		t.Fatalf("%d of %d requests failed during swaps", failures.Load(), total.Load())
	}
	if r := send(t, "GET", base+"/", ""); r.body != "10/10" {
		t.Fatalf("after the swaps: %q", r.body)
	}
}

func TestGracefulShutdown(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig()
	cfg.Listener = ln
	cfg.ShutdownTimeout = 5 * time.Second
	n, err := NewNode(cfg)
	if err != nil {
		t.Fatal(err)
	}
	deploy(t, n, "slow", scriptSrc(t, `export default { async fetch() { await new Promise((r) => setTimeout(r, 300)); return new Response("finished"); } };`))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- n.Serve(ctx) }()
	base := "http://" + ln.Addr().String()
	got := make(chan reply, 1)
	go func() { got <- send(t, "GET", base+"/", "") }()
	time.Sleep(100 * time.Millisecond)
	cancel()
	r := <-got
	if r.status != 200 || r.body != "finished" {
		t.Fatalf("in-flight request: %d %q", r.status, r.body)
	}
	if err := <-done; err != nil {
		t.Fatalf("Serve: %v", err)
	}
	if _, err := http.Get(base + "/"); err == nil {
		t.Fatal("the node still accepts after shutdown")
	}
}

func io_copy(b *strings.Builder, res *http.Response) (int64, error) { return io.Copy(b, res.Body) }
