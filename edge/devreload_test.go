package edge

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/edgefn/edgefn/kv"
)

// devManifestScript reads every kind of binding a manifest can give.
const devManifestScript = `export default {
  async fetch(req, env) {
    const u = new URL(req.url);
    switch (u.pathname) {
      case "/var": return new Response(String(env.GREETING));
      case "/secret": return new Response(String(env.TOKEN));
      case "/kv":
        if (!env.NEW_KV) return new Response("unbound", { status: 500 });
        await env.NEW_KV.put("k", "v1");
        return new Response(await env.NEW_KV.get("k"));
      case "/read": return new Response(String(await env.NEW_KV.get(u.searchParams.get("key"))));
      case "/send": await env.JOBS.send(u.searchParams.get("m")); return new Response("sent");
      case "/auth": return env.AUTH ? env.AUTH.fetch("http://auth.internal/") : new Response("unbound", { status: 500 });
      case "/fetch":
        try { return new Response(await (await fetch(u.searchParams.get("url"))).text()); }
        catch (e) { return new Response(String(e), { status: 502 }); }
      case "/slow": await new Promise((r) => setTimeout(r, 300)); return new Response(String(env.GREETING));
      case "/upload": return new Response(String((await req.text()).length));
    }
    return new Response("ok");
  },
  async scheduled(c, env) { await env.NEW_KV.put("cron:" + c.cron, "ran"); },
  async queue(batch, env) {
    for (const m of batch.messages) { await env.NEW_KV.put("job", String(m.body)); m.ack(); }
  },
};
`

// TestDevReloadsManifest edits every section of edgefn.toml while dev
// serves, each edit taking effect on the next rebuild with no restart and
// no failed request; a manifest error keeps the old version serving.
func TestDevReloadsManifest(t *testing.T) {
	dir := t.TempDir()
	write := func(name, src string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("index.js", devManifestScript)
	sections := []string{"name = \"app\"\n[vars]\nGREETING = \"one\"\n"}
	manifest := func(add string) {
		t.Helper()
		if add != "" {
			sections = append(sections, add)
		}
		write(ManifestFile, strings.Join(sections, "\n"))
	}
	manifest("")

	// No KV store: dev opens one when the manifest first needs it.
	n, base := testNode(t, func(c *Config) { roomyCPU(c); c.DevEndpoints = true })
	if err := n.Deploy("auth", scriptSrc(t, `export default { fetch() { return new Response("authed"); } };`)); err != nil {
		t.Fatal(err)
	}
	var opens atomic.Int32
	openStore := func() (*KVStore, error) {
		opens.Add(1)
		cfg := kv.DefaultConfig()
		cfg.InMemory, cfg.NodeID = true, "dev"
		s, err := kv.Open(cfg)
		if err != nil {
			return nil, err
		}
		t.Cleanup(func() { s.Close() })
		return NewKVStore(s), nil
	}
	built := make(chan BuildEvent, 16)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- n.Dev(ctx, DevConfig{Entry: dir, Debounce: 20 * time.Millisecond, OpenStore: openStore,
			OnBuild: func(ev BuildEvent) { built <- ev }})
	}()
	wait := func() BuildEvent {
		t.Helper()
		select {
		case ev := <-built:
			return ev
		case <-time.After(15 * time.Second):
			t.Fatal("no build within 15s")
		}
		return BuildEvent{}
	}
	rebuilt := func() {
		t.Helper()
		if ev := wait(); ev.Err != nil {
			t.Fatalf("rebuild failed: %v", ev.Err)
		}
	}
	expect := func(path string, status int, body string) {
		t.Helper()
		if r := send(t, "GET", base+path, ""); r.status != status || !strings.Contains(r.body, body) {
			t.Fatalf("GET %s: %d %q, want %d with %q", path, r.status, r.body, status, body)
		}
	}
	poll := func(path, want string) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for time.Now().Before(deadline) {
			if r := send(t, "GET", base+path, ""); r.body == want {
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
		t.Fatalf("GET %s never answered %q", path, want)
	}
	rebuilt()

	// Requests keep arriving through every reload below: none may fail.
	var failures atomic.Int32
	var lastFailure atomic.Value
	hammerCtx, stopHammer := context.WithCancel(context.Background())
	var hammer sync.WaitGroup
	hammer.Add(1)
	go func() {
		defer hammer.Done()
		for hammerCtx.Err() == nil {
			res, err := http.Get(base + "/")
			if err != nil {
				failures.Add(1)
				lastFailure.Store(err.Error())
				continue
			}
			res.Body.Close()
			if res.StatusCode != 200 {
				failures.Add(1)
				lastFailure.Store(res.Status)
			}
		}
	}()

	expect("/var", 200, "one")
	expect("/kv", 500, "unbound")
	if opens.Load() != 0 {
		t.Fatal("the store was opened for a project that does not use it")
	}

	// A KV binding added while dev runs: the store opens, env.NEW_KV works.
	manifest("[[kv_namespaces]]\nbinding = \"NEW_KV\"\nnamespace = \"new\"\n")
	rebuilt()
	expect("/kv", 200, "v1")
	if opens.Load() != 1 {
		t.Fatalf("store opened %d times", opens.Load())
	}

	// A changed var: a request in flight finishes on the old version.
	slow := make(chan reply, 1)
	go func() { slow <- send(t, "GET", base+"/slow", "") }()
	time.Sleep(50 * time.Millisecond)
	sections[0] = "name = \"app\"\n[vars]\nGREETING = \"two\"\n"
	manifest("")
	rebuilt()
	expect("/var", 200, "two")
	if r := <-slow; r.status != 200 || r.body != "one" {
		t.Fatalf("request in flight across the swap: %d %q", r.status, r.body)
	}

	// .dev.vars.
	write(DevVarsFile, "TOKEN=abc\n")
	rebuilt()
	expect("/secret", 200, "abc")

	// A cron added: it fires on its schedule, and by hand.
	manifest("[triggers]\ncrons = [\"@every 1s\"]\n")
	rebuilt()
	poll("/read?key="+url.QueryEscape("cron:@every 1s"), "ran")
	expect("/__scheduled?cron="+url.QueryEscape("0 0 1 1 *"), 200, "ran scheduled()")
	expect("/read?key="+url.QueryEscape("cron:0 0 1 1 *"), 200, "ran")

	// A queue with its consumer.
	manifest("[[queues.producers]]\nbinding = \"JOBS\"\nqueue = \"jobs\"\n\n[[queues.consumers]]\nqueue = \"jobs\"\nmax_batch_timeout = 0\n")
	rebuilt()
	expect("/send?m=hello", 200, "sent")
	poll("/read?key=job", "hello")

	// A service binding.
	expect("/auth", 500, "unbound")
	manifest("[[services]]\nbinding = \"AUTH\"\nservice = \"auth\"\n")
	rebuilt()
	expect("/auth", 200, "authed")

	// Routes.
	if _, ok := n.routes.Load().match("app.example", "/x"); ok {
		t.Fatal("app.example routed before the manifest names it")
	}
	sections[0] = "name = \"app\"\nroutes = [\"app.example/*\"]\n[vars]\nGREETING = \"two\"\n"
	manifest("")
	rebuilt()
	if name, ok := n.routes.Load().match("app.example", "/x"); !ok || name != "app" {
		t.Fatalf("route after the edit: %q %v", name, ok)
	}

	// Fetch policy: loopback is refused until allow_private.
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "upstream") }))
	defer upstream.Close()
	expect("/fetch?url="+url.QueryEscape(upstream.URL), 502, "allow it with [fetch]")
	manifest("[fetch]\nallow_private = true\n")
	rebuilt()
	expect("/fetch?url="+url.QueryEscape(upstream.URL), 200, "upstream")

	// Limits: a 2 MiB body passes, then body_mb = 1 refuses it.
	if r := send(t, "POST", base+"/upload", strings.Repeat("x", 2<<20)); r.status != 200 || r.body != fmt.Sprint(2<<20) {
		t.Fatalf("upload before the limit: %d %q", r.status, r.body)
	}
	manifest("[limits]\nbody_mb = 1\n")
	rebuilt()
	if st := rawStatus(t, base, fmt.Sprintf("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n", 2<<20), bytes.Repeat([]byte("x"), 8<<10)); st != 413 {
		t.Fatalf("upload over limits.body_mb: %d, want 413", st)
	}

	// A manifest error names the file, line and key; the old version serves.
	good := strings.Join(sections, "\n")
	write(ManifestFile, good+"\n[[kv_namespaces]]\nbinding = \"OTHER\"\nnamespace = \"_system\"\n")
	ev := wait()
	var me *ManifestError
	if !errors.As(ev.Err, &me) || me.Field != "kv_namespaces[1].namespace" || me.Line != strings.Count(good, "\n")+4 {
		t.Fatalf("manifest error: %#v (%v)", me, ev.Err)
	}
	if !strings.Contains(ev.Err.Error(), fmt.Sprintf("edgefn.toml:%d: kv_namespaces[1].namespace:", me.Line)) {
		t.Fatalf("manifest error text: %v", ev.Err)
	}
	expect("/var", 200, "two")
	expect("/kv", 200, "v1")

	// A rename swaps the deployment under its new name in one step.
	sections[0] = strings.Replace(sections[0], `name = "app"`, `name = "app2"`, 1)
	manifest("")
	rebuilt()
	expect("/var", 200, "two")
	n.mu.RLock()
	_, oldThere := n.deployments["app"]
	_, newThere := n.deployments["app2"]
	n.mu.RUnlock()
	if oldThere || !newThere {
		t.Fatalf("after the rename: app %v, app2 %v", oldThere, newThere)
	}
	if name, ok := n.routes.Load().match("app.example", "/x"); !ok || name != "app2" {
		t.Fatalf("route after the rename: %q %v", name, ok)
	}

	stopHammer()
	hammer.Wait()
	if f := failures.Load(); f > 0 {
		t.Fatalf("%d requests failed across the reloads (last: %v)", f, lastFailure.Load())
	}
	if opens.Load() != 1 {
		t.Fatalf("store opened %d times", opens.Load())
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// rawStatus sends exactly head and body on a new connection and reads the
// status (a client still sending when the server answers 413 and closes
// may see a reset instead of the answer).
func rawStatus(t *testing.T, base, head string, body []byte) int {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Write(append([]byte(head), body...)); err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}
