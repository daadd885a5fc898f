package edge

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// leakValue is the secret; it would appear in every output below if edgefn
// leaked it.
const leakValue = "sk_live_LeakCanary_7f3a9c2e51d4"

// leakyHandler does everything a careless handler might with its secret,
// one path each; "/" answers without touching it.
const leakyHandler = `{ async fetch(req, env, ctx) {
  const s = env.API_KEY;
  switch (new URL(req.url).pathname) {
    case "/log": console.log("key=" + s); console.info({ nested: { key: s } }); console.warn(env); console.error(JSON.stringify(process.env)); break;
    case "/throw": throw new Error("boom " + s);
    case "/throw-string": throw s;
    case "/throw-object": throw { key: s };
    case "/throw-type": null[s];
    case "/reject": Promise.reject(new Error("unhandled " + s)); break;
    case "/wait-until": ctx.waitUntil(Promise.reject(new Error("later " + s))); break;
    case "/timer": ctx.waitUntil(new Promise((r) => setTimeout(() => { r(); throw new Error("in a timer " + s); }, 1))); break;
    case "/stream": return new Response(new ReadableStream({ pull(c) { c.error(new Error("stream " + s)); } }));
    case "/kv": await env.KV.put(s.repeat(40), "v"); break;
    case "/header": return new Response("h", { headers: { "x-echo": "not it", "x-key-name": "API_KEY" }, statusText: s });
    case "/bad-header": return new Response("h", { headers: { ["x-" + s + "\n"]: "v" } });
    case "/named": { const f = { [s]: () => { throw new Error("named"); } }[s]; f(); }
    case "/loop": console.log("about to loop " + s); for (;;) {}
    case "/slow": await new Promise((r) => setTimeout(r, 300)); return new Response("slow");
    case "/check": return new Response(s === undefined ? "none" : String(s.length));
  }
  return new Response("ok");
} }`

// TestSecretsNeverLeak runs a deployment that logs, throws, rejects,
// streams, misuses APIs with, and names things after its secret, in
// production and in development (errors exposed) mode, and then looks for
// the secret in every output of the node: its logs, the live tail as
// served over the admin API, /metrics, /v1/stats and the other admin
// answers, every error page, and a goroutine dump taken while a request
// using the secret is in flight.
func TestSecretsNeverLeak(t *testing.T) {
	for _, expose := range []bool{false, true} {
		t.Run(fmt.Sprintf("expose errors %v", expose), func(t *testing.T) { secretLeakRun(t, expose) })
	}
}

func secretLeakRun(t *testing.T, expose bool) {
	nodeLogs := &logBuffer{}
	store := testKV(t)
	n, base := testNode(t, func(c *Config) {
		c.BaseDomain = "edge.test"
		c.KV = store
		c.ExposeErrors = expose
		c.AccessLog = true
		c.Logger = slog.New(slog.NewJSONHandler(nodeLogs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	p := NewPlatform(n, store)
	if err := p.SetSecretsKey(bytes.Repeat([]byte{5}, 32)); err != nil {
		t.Fatal(err)
	}
	c, adminLogs := serveAdmin(t, p)
	ctx := context.Background()

	// The tail, as `edgefn tail` reads it.
	tailReq, _ := http.NewRequestWithContext(ctx, "GET", c.Server+"/v1/tail", nil)
	tailReq.Header.Set("Authorization", "Bearer "+testToken)
	tailRes, err := http.DefaultClient.Do(tailReq)
	if err != nil {
		t.Fatal(err)
	}
	var tail strings.Builder
	var tailMu sync.Mutex
	tailDone := make(chan struct{})
	go func() {
		defer close(tailDone)
		sc := bufio.NewScanner(tailRes.Body)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			tailMu.Lock()
			tail.WriteString(sc.Text() + "\n")
			tailMu.Unlock()
		}
	}()

	a := &Artifact{Manifest: Manifest{Name: "leaky", KV: []KVBinding{{Binding: "KV", Namespace: "leaky"}}},
		ScriptName: "leaky.js", Script: "var __edgefn_module = { default: " + leakyHandler + " };"}
	if _, err := c.Deploy(ctx, "leaky", archiveOf(t, a), true); err != nil {
		t.Fatal(err)
	}
	if err := c.PutSecret(ctx, "leaky", "API_KEY", []byte(leakValue)); err != nil {
		t.Fatal(err)
	}
	// A second deployment reads the secret at global scope and fails to
	// start with it in the error.
	boot := &Artifact{Manifest: Manifest{Name: "boot"}, ScriptName: "boot.js",
		Script: `if (process.env.API_KEY) throw new Error("cannot boot with " + process.env.API_KEY);
var __edgefn_module = { default: { fetch() { return new Response("up"); } } };`}
	if _, err := c.Deploy(ctx, "boot", archiveOf(t, boot), true); err != nil {
		t.Fatal(err)
	}
	if err := c.PutSecret(ctx, "boot", "API_KEY", []byte(leakValue)); err != nil {
		t.Fatal(err)
	}

	var answers strings.Builder
	record := func(path string, r reply) {
		fmt.Fprintf(&answers, "%s %d %v %s\n", path, r.status, r.header, r.body)
	}
	paths := []string{"/", "/log", "/throw", "/throw-string", "/throw-object", "/throw-type", "/reject", "/wait-until",
		"/timer", "/kv", "/header", "/bad-header", "/named", "/loop", "/"}
	deadline := time.Now().Add(30 * time.Second)
	for {
		// The secret reaches the handler (the deployment restarted with it).
		r := getHost(t, base, "leaky.edge.test", "/check")
		if r.status == 200 && r.body == fmt.Sprint(len(leakValue)) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("leaky never served: %d %q", r.status, r.body)
		}
		time.Sleep(20 * time.Millisecond)
	}
	for _, path := range paths {
		record(path, getHost(t, base, "leaky.edge.test", path))
	}
	if got, err := rawGet(t, base, "leaky.edge.test", "/stream"); err == nil {
		t.Errorf("a failed stream ended cleanly after %d bytes", got)
	}
	record("boot /", getHost(t, base, "boot.edge.test", "/"))

	// A goroutine dump while a request holding the secret is in flight.
	var dump []byte
	slowDone := make(chan struct{})
	go func() {
		defer close(slowDone)
		getHost(t, base, "leaky.edge.test", "/slow")
	}()
	time.Sleep(100 * time.Millisecond)
	buf := make([]byte, 8<<20)
	dump = buf[:runtime.Stack(buf, true)]
	<-slowDone

	waitLog(t, nodeLogs, "in a timer")
	waitLog(t, nodeLogs, "later")
	// Everything the admin API answers.
	var admin strings.Builder
	for _, path := range []string{"/metrics", "/v1/stats", "/v1/deployments", "/v1/deployments/leaky/versions",
		"/v1/deployments/leaky/secrets", "/v1/deployments/boot/versions", "/v1/cron"} {
		admin.WriteString(path + "\n" + adminGet(t, c, path) + "\n")
	}
	time.Sleep(200 * time.Millisecond) // let the tail catch up
	cancelTail(tailRes)
	<-tailDone

	tailMu.Lock()
	tailText := tail.String()
	tailMu.Unlock()
	outputs := map[string]string{
		"node logs":      nodeLogs.String(),
		"admin logs":     adminLogs.String(),
		"tail":           tailText,
		"admin answers":  admin.String(),
		"client answers": answers.String(),
		"goroutine dump": string(dump),
	}
	for name, out := range outputs {
		if i := strings.Index(out, leakValue); i >= 0 {
			t.Errorf("the secret appears in the %s:\n...%s...", name, out[max(0, i-300):min(len(out), i+100)])
		}
	}
	// The outputs were really produced: the redactions and errors are
	// there, so the checks above looked at something.
	for name, want := range map[string]string{
		"node logs": "key=[redacted]", "tail": "boom [redacted]",
	} {
		if !strings.Contains(outputs[name], want) {
			t.Errorf("the %s lack %q:\n%s", name, want, outputs[name])
		}
	}
	if expose && !strings.Contains(answers.String(), "boom [redacted]") {
		t.Errorf("with errors exposed, the error page should show the redacted message:\n%s", answers.String())
	}
}

// cancelTail ends the tail stream.
func cancelTail(res *http.Response) {
	_ = res.Body.Close()
	_, _ = io.Copy(io.Discard, res.Body)
}

// TestRedactHandler: a secret is redacted wherever a log line carries it:
// the message, string attributes, errors and other values, attributes in
// groups, and attributes bound with With.
func TestRedactHandler(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(newRedactHandler(slog.NewJSONHandler(&buf, nil), redactable(map[string]string{"K": leakValue})))
	log.With("bound", "w/"+leakValue).Info("msg "+leakValue,
		"s", leakValue, "err", fmt.Errorf("wrapped: %s", leakValue), "any", struct{ V string }{leakValue},
		slog.Group("g", "inner", leakValue, slog.Group("deeper", "x", leakValue)))
	if strings.Contains(buf.String(), leakValue) {
		t.Fatalf("leaked: %s", buf.String())
	}
	if n := strings.Count(buf.String(), "[redacted]"); n != 7 {
		t.Fatalf("%d redactions, want 7: %s", n, buf.String())
	}
}
