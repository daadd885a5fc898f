package edge

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/edgefn/edgefn/isolate"
)

// deployProject writes a project (edgefn.toml and index.js) and serves it
// as the node's fallback.
func deployProject(t *testing.T, n *Node, manifest, src string) {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, ManifestFile), []byte(manifest), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "index.js"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	activateProject(t, n, dir)
}

// activateProject builds the project in dir and serves it as the node's
// fallback.
func activateProject(t *testing.T, n *Node, dir string) {
	t.Helper()
	p, err := LoadProject(dir)
	if err != nil {
		t.Fatal(err)
	}
	a, err := p.Build("production")
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Activate(a, 1); err != nil {
		t.Fatal(err)
	}
	n.SetFallback(a.Manifest.Name)
}

// TestFetchAllowFromManifest: [fetch] allow in edgefn.toml reaches the
// pool's SSRF guard; without it the same fetch is refused with a message
// that names the setting.
func TestFetchAllowFromManifest(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		fmt.Fprintf(w, "upstream saw %s %s %q", r.Method, r.URL.Path, b)
	}))
	t.Cleanup(up.Close)
	src := `export default { async fetch(request, env) {
  try {
    const r = await fetch(env.UP + "/x", { method: "POST", body: await request.text() });
    return new Response(await r.text(), { status: r.status });
  } catch (e) { return new Response(e.name + ": " + e.message, { status: 502 }); }
} };`
	n, base := testNode(t, nil)
	deployProject(t, n, "name = \"proxy\"\n[vars]\nUP = \""+up.URL+"\"\n[fetch]\nallow = [\"127.0.0.1/32\"]\n", src)
	if r := send(t, "POST", base+"/", "hi"); r.status != 200 || r.body != `upstream saw POST /x "hi"` {
		t.Fatalf("allowed: %d %s", r.status, r.body)
	}
	deployProject(t, n, "name = \"proxy\"\n[vars]\nUP = \""+up.URL+"\"\n", src)
	r := send(t, "POST", base+"/", "hi")
	if r.status != 502 || !strings.Contains(r.body, "TypeError: fetch: 127.0.0.1 is a loopback address; allow it with [fetch] allow in edgefn.toml") {
		t.Fatalf("guarded: %d %s", r.status, r.body)
	}
	deployProject(t, n, "name = \"proxy\"\n[vars]\nUP = \""+up.URL+"\"\n[fetch]\nallow_private = true\nmax_subrequests = 1\n", src)
	if r := send(t, "POST", base+"/", "hi"); r.status != 200 {
		t.Fatalf("allow_private: %d %s", r.status, r.body)
	}
}

func TestFetchManifestErrors(t *testing.T) {
	for _, tc := range []struct{ src, field, text string }{
		{"name = \"a\"\n[fetch]\nallow = [\"10.0.0.0/8\", \"no such thing!\"]\n", "fetch.allow[1]", "neither an IP address"},
		{"name = \"a\"\n[fetch]\ntimeout_ms = -1\n", "fetch.timeout_ms", "outside"},
		{"name = \"a\"\n[fetch]\nmax_concurrent = 1000\n", "fetch.max_concurrent", "outside"},
	} {
		_, err := ParseManifest("edgefn.toml", []byte(tc.src))
		var me *ManifestError
		if !errors.As(err, &me) {
			t.Errorf("%q: got %v, want a ManifestError", tc.src, err)
			continue
		}
		if me.Field != tc.field || !strings.Contains(me.Msg, tc.text) || me.Line != 3 {
			t.Errorf("%q: got %v (field %q, line %d); want field %s, text %q, line 3", tc.src, err, me.Field, me.Line, tc.field, tc.text)
		}
	}
}

// TestFetchProxyOverHTTP: a handler returning what it fetched passes the
// upstream's body through as it arrives (the client holds the first chunk
// before the upstream has sent the second), and an upload goes out to the
// upstream as it comes in.
func TestFetchProxyOverHTTP(t *testing.T) {
	release := make(chan struct{})
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == "POST" {
			b, _ := io.ReadAll(r.Body)
			fmt.Fprintf(w, "upstream got %d bytes, te=%v", len(b), r.TransferEncoding)
			return
		}
		w.Header().Set("X-From", "upstream")
		io.WriteString(w, "first\n")
		w.(http.Flusher).Flush()
		select {
		case <-release:
		case <-r.Context().Done():
			return
		}
		io.WriteString(w, "second\n")
	}))
	t.Cleanup(up.Close)
	n, base := testNode(t, roomyCPU)
	deployProject(t, n, "name = \"proxy\"\n[vars]\nUP = \""+up.URL+"\"\n[fetch]\nallow = [\"127.0.0.1\"]\n",
		`export default { fetch(request, env) { return fetch(new Request(env.UP + new URL(request.url).pathname, request)); } };`)
	res, err := http.Get(base + "/stream")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.Header.Get("X-From") != "upstream" {
		t.Fatalf("headers: %v", res.Header)
	}
	br := bufio.NewReader(res.Body)
	if line, err := br.ReadString('\n'); err != nil || line != "first\n" {
		t.Fatalf("first line %q, %v", line, err)
	}
	close(release) // only now may the upstream send the rest
	if rest, err := io.ReadAll(br); err != nil || string(rest) != "second\n" {
		t.Fatalf("rest %q, %v", rest, err)
	}
	data := strings.Repeat("u", 1<<20)
	r := send(t, "POST", base+"/upload", data)
	if r.status != 200 || r.body != fmt.Sprintf("upstream got %d bytes, te=[chunked]", len(data)) {
		t.Fatalf("upload: %d %s", r.status, r.body)
	}
}

// TestFetchProxyClientLeaves: when the client of a proxied stream goes
// away, the upstream's connection is closed too.
func TestFetchProxyClientLeaves(t *testing.T) {
	gone := make(chan struct{})
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer close(gone)
		for {
			if _, err := io.WriteString(w, "tick\n"); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}))
	t.Cleanup(up.Close)
	n, base := testNode(t, roomyCPU)
	deployProject(t, n, "name = \"proxy\"\n[vars]\nUP = \""+up.URL+"\"\n[fetch]\nallow = [\"127.0.0.1\"]\n",
		`export default { fetch(request, env) { return fetch(env.UP); } };`)
	res, err := http.Get(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	if line, err := bufio.NewReader(res.Body).ReadString('\n'); err != nil || line != "tick\n" {
		t.Fatalf("first line %q, %v", line, err)
	}
	res.Body.Close()
	http.DefaultClient.CloseIdleConnections()
	select {
	case <-gone:
	case <-time.After(30 * time.Second):
		t.Fatal("the upstream kept streaming after the client left")
	}
}

// TestFetchLoopStops: a deployment that fetches its own URL is stopped
// after maxLoopHops hops with 508, instead of taking every runtime.
func TestFetchLoopStops(t *testing.T) {
	n, base := testNode(t, roomyCPU)
	deployProject(t, n, "name = \"loop\"\n[fetch]\nallow = [\"127.0.0.1\"]\n",
		`export default { async fetch(request) {
  const r = await fetch(request.url);
  return new Response(await r.text(), { status: r.status, headers: { "x-depth": String(Number(r.headers.get("x-depth") ?? 0) + 1) } });
} };`)
	r := send(t, "GET", base+"/", "")
	if r.status != 508 || !strings.Contains(r.body, "too many times") {
		t.Fatalf("%d %s (depth %s)", r.status, r.body, r.header.Get("x-depth"))
	}
	if d := r.header.Get("x-depth"); d != fmt.Sprint(maxLoopHops) {
		t.Fatalf("the loop was stopped at depth %s, want %d", d, maxLoopHops)
	}
	if got := loopHops([]isolate.HeaderField{{Name: "cdn-loop", Value: "edgefn, other;x=1, edgefn ;p"}, {Name: "x", Value: "edgefn"}, {Name: "cdn-loop", Value: "edgefn"}}); got != 3 {
		t.Fatalf("loopHops = %d", got)
	}
}

func TestFetchPolicyFillsPoolConfig(t *testing.T) {
	n := &Node{cfg: DefaultConfig()}
	n.cfg.Pool.Fetch.Allow = []string{"10.9.0.0/16"} // the node's own, kept
	cfg := n.poolConfig(Manifest{Name: "a", Fetch: FetchPolicy{Allow: []string{"db.internal"}, TimeoutMs: 1500, MaxSubrequests: 7, MaxConcurrent: 3}})
	f := cfg.Fetch
	if strings.Join(f.Allow, ",") != "10.9.0.0/16,db.internal" || f.Timeout != 1500*time.Millisecond || f.MaxSubrequests != 7 || f.MaxConcurrent != 3 || f.AllowPrivate {
		t.Fatalf("fetch config %+v", f)
	}
	if n.cfg.Pool.Fetch.Allow[0] != "10.9.0.0/16" || len(n.cfg.Pool.Fetch.Allow) != 1 {
		t.Fatalf("the node's defaults changed: %v", n.cfg.Pool.Fetch.Allow)
	}
	if d := n.poolConfig(Manifest{Name: "b"}).Fetch; d.Timeout != isolate.DefaultFetchConfig().Timeout || len(d.Allow) != 1 {
		t.Fatalf("defaults: %+v", d)
	}
}
