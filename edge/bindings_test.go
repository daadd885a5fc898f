package edge

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/edgefn/edgefn/kv"
)

func testKV(t *testing.T) *KVStore {
	t.Helper()
	cfg := kv.DefaultConfig()
	cfg.InMemory = true
	cfg.NodeID = "test"
	cfg.MaxValueSize = 2048 // small, so the limit test needs no large string
	s, err := kv.Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return NewKVStore(s)
}

const kvScript = `var __edgefn_module = { default: { async fetch(req, env) {
  const u = new URL(req.url);
  const out = [];
  switch (u.pathname) {
    case "/put":
      await env.CACHE.put("greeting", "hello", { metadata: { lang: "en" }, expirationTtl: 3600 });
      await env.CACHE.put("obj", JSON.stringify({ n: 1 }));
      await env.CACHE.put("bin", new Uint8Array([1, 2, 3]));
      for (let i = 0; i < 5; i++) await env.CACHE.put("list:" + i, String(i), { metadata: { i } });
      return new Response("ok");
    case "/get": {
      out.push(await env.CACHE.get("greeting"));
      out.push((await env.CACHE.get("obj", "json")).n);
      out.push(new Uint8Array(await env.CACHE.get("bin", { type: "arrayBuffer" })).join("-"));
      out.push(String(await env.CACHE.get("missing")));
      out.push(await new Response(await env.CACHE.get("greeting", { type: "stream" })).text());
      out.push(String(await env.CACHE.get("missing", "json")) + String(await env.CACHE.get("missing", "stream")));
      out.push(await env.CACHE.get("greeting").then(() => "cached get is a promise"));
      const m = await env.CACHE.getWithMetadata("greeting");
      out.push(m.value + "/" + m.metadata.lang);
      const bulk = await env.CACHE.get(["greeting", "missing"]);
      out.push(bulk.get("greeting") + "," + bulk.get("missing"));
      const page = await env.CACHE.list({ prefix: "list:", limit: 3 });
      out.push(page.keys.map((k) => k.name + ":" + k.metadata.i).join(" ") + " complete=" + page.list_complete);
      const rest = await env.CACHE.list({ prefix: "list:", cursor: page.cursor });
      out.push(rest.keys.length + " complete=" + rest.list_complete);
      await env.CACHE.delete("obj");
      out.push(String(await env.CACHE.get("obj")));
      return new Response(out.join("|"));
    }
    case "/errors": {
      for (const f of [
        () => env.CACHE.put("", "x"),
        () => env.CACHE.put("k", { not: "allowed" }),
        () => env.CACHE.put("x".repeat(600), "v"),
        () => env.CACHE.put("k", "v", { expirationTtl: 10 }),
        () => env.CACHE.get("k", "yaml"),
        () => env.CACHE.list({ cursor: "garbage" }),
        () => env.CACHE.put("big", "x".repeat(2049)),
        () => env.CACHE.put("k", "v", { metadata: { pad: "m".repeat(1100) } }),
        () => env.CACHE.put("k", "v", { expirationTtl: -5 }),
        () => env.CACHE.put("k", "v", { expiration: 1 }),
        () => env.CACHE.put("k", "v", { metadata: { self: (() => { const o = {}; o.o = o; return o; })() } }),
        () => env.CACHE.put("k", "v", { metadata: { n: 10n } }),
      ]) {
        try { await f(); out.push("ok"); } catch (e) { out.push(e.name + ":" + e.message.slice(0, 200)); }
      }
      return new Response(out.join("\n"));
    }
    case "/atomic": {
      const r1 = await env.CACHE.atomic().check({ key: "ctr", versionstamp: null }).set("ctr", "0").commit();
      const r2 = await env.CACHE.atomic().check({ key: "ctr", versionstamp: null }).set("ctr", "9").commit();
      await env.CACHE.atomic().sum("hits", 2).sum("hits", 3).commit();
      const m = await env.CACHE.getWithMetadata("ctr");
      const r3 = await env.CACHE.atomic().check({ key: "ctr", versionstamp: m.versionstamp }).set("ctr", "1").commit();
      return new Response([r1.ok, r2.ok, r3.ok, await env.CACHE.get("ctr"), await env.CACHE.get("hits")].join(","));
    }
  }
  return new Response("?");
} } };`

func TestKVBindingOverHTTP(t *testing.T) {
	store := testKV(t)
	n, base := testNode(t, func(c *Config) { c.KV = store; c.ExposeErrors = true })
	a := testArtifact("app", "")
	a.Script = kvScript
	a.Manifest.KV = []KVBinding{{Binding: "CACHE", Namespace: "cache"}}
	if err := n.Activate(a, 1); err != nil {
		t.Fatal(err)
	}
	n.SetFallback("app")
	if r := send(t, "GET", base+"/put", ""); r.body != "ok" {
		t.Fatalf("put: %d %q", r.status, r.body)
	}
	want := "hello|1|1-2-3|null|hello|nullnull|cached get is a promise|hello/en|hello,null|list:0:0 list:1:1 list:2:2 complete=false|2 complete=true|null"
	if r := send(t, "GET", base+"/get", ""); r.body != want {
		t.Fatalf("get:\n got %q\nwant %q", r.body, want)
	}
	r := send(t, "GET", base+"/errors", "")
	for _, w := range []string{"TypeError:KV put: the key must not be empty", "TypeError:KV put: the value must be a string",
		"TypeError:KV put \"xxxxxxxx", "key too large: 600 bytes; the limit is 512", "below the minimum of 60", `unknown type "yaml"`,
		"TypeError:KV list: invalid cursor: \"garbage\" is not a cursor", "TypeError:KV put \"big\": value too large: 2049 bytes; the limit is 2048",
		"metadata too large: 1110 bytes of JSON; the limit is 1024", "expirationTtl -5 is negative", "expiration 1 is less than 60 seconds from now",
		"TypeError:KV put: metadata cannot be serialised to JSON"} {
		if !strings.Contains(r.body, w) {
			t.Errorf("errors lack %q:\n%s", w, r.body)
		}
	}
	if strings.Count(r.body, "\nok") > 0 || strings.HasPrefix(r.body, "ok") {
		t.Errorf("a bad call succeeded:\n%s", r.body)
	}
	for _, k := range []string{"big", "k"} {
		if _, err := store.Raw().Get("cache", k); err == nil {
			t.Errorf("a refused put stored %q", k)
		}
	}
	if r := send(t, "GET", base+"/atomic", ""); r.body != "true,false,true,1,5" {
		t.Fatalf("atomic: %q", r.body)
	}
	// The values are in the store, in the namespace bound.
	e, err := store.Raw().Get("cache", "greeting")
	if err != nil || string(e.Value) != "hello" || string(e.Metadata) != `{"lang":"en"}` {
		t.Fatalf("store: %+v %v", e, err)
	}
}

func TestKVWatch(t *testing.T) {
	store := testKV(t)
	n, base := testNode(t, func(c *Config) { c.KV = store })
	a := testArtifact("app", "")
	a.Script = `var __edgefn_module = { default: { async fetch(req, env) {
  const seen = [];
  const it = env.CACHE.watch(["a", "b"])[Symbol.asyncIterator]();
  while (seen.length < 2) {
    const { value: change } = await it.next();
    seen.push(change.key + "=" + (change.entry ? new TextDecoderLike().decode(change.entry.value) : "deleted"));
  }
  await it.return();
  return new Response(seen.join(" "));
} } };
class TextDecoderLike { decode(buf) { return String.fromCharCode(...new Uint8Array(buf)); } }`
	a.Manifest.KV = []KVBinding{{Binding: "CACHE", Namespace: "cache"}}
	if err := n.Activate(a, 1); err != nil {
		t.Fatal(err)
	}
	n.SetFallback("app")
	got := make(chan string, 1)
	go func() { got <- send(t, "GET", base+"/", "").body }()
	time.Sleep(200 * time.Millisecond)
	store.Raw().Put("cache", "other", []byte("x"), kv.PutOptions{})
	store.Raw().Put("cache", "a", []byte("1"), kv.PutOptions{})
	store.Raw().Delete("cache", "b")
	select {
	case g := <-got:
		if g != "a=1 b=deleted" {
			t.Fatalf("watch saw %q", g)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("watch saw nothing")
	}
}

func TestQueuesDeliverRetryAndDeadLetter(t *testing.T) {
	store := testKV(t)
	// One runtime: the script logs deliveries in a global. A roomy CPU limit:
	// a delivery that broke the 50 ms limit under -race on a loaded machine
	// would be retried and spoil the count.
	n, base := testNode(t, func(c *Config) { c.KV = store; c.Pool.MaxSize = 1; roomyCPU(c) })
	p := NewPlatform(n, store)
	a := testArtifact("jobs", "")
	a.Script = `let log = [];
var __edgefn_module = { default: {
  async fetch(req, env) {
    const u = new URL(req.url);
    if (u.pathname === "/log") return new Response(log.join(" "));
    await env.JOBS.send({ task: u.searchParams.get("task") });
    return new Response("queued");
  },
  async queue(batch, env) {
    for (const m of batch.messages) {
      log.push(m.body.task + "#" + m.attempts);
      if (m.body.task === "flaky" && m.attempts < 2) m.retry({ delaySeconds: 0 });
      else if (m.body.task === "poison") throw new Error("cannot process");
      else m.ack();
    }
  },
} };`
	a.Manifest.Queues = Queues{
		Producers: []QueueProducer{{Binding: "JOBS", Queue: "jobs"}},
		Consumers: []QueueConsumer{{Queue: "jobs", MaxRetries: 2, RetryDelay: 0, DeadLetterQueue: "jobs-dlq"}},
	}
	if _, err := p.Deploy(a, true); err != nil {
		t.Fatal(err)
	}
	n.SetFallback("jobs")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go p.runQueues(ctx)
	for _, task := range []string{"ok", "flaky", "poison"} {
		if r := getHost(t, base, "jobs.local", "/?task="+task); r.body != "queued" {
			t.Fatalf("send: %q", r.body)
		}
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		d, _ := p.QueueDepth("jobs")
		dlq, _ := p.QueueDepth("jobs-dlq")
		if d == 0 && dlq == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("queue depth %d, dead letters %d; log %q", d, dlq, getHost(t, base, "jobs.local", "/log").body)
		}
		time.Sleep(100 * time.Millisecond)
	}
	log := getHost(t, base, "jobs.local", "/log").body
	for _, w := range []string{"ok#1", "flaky#1", "flaky#2", "poison#1", "poison#2", "poison#3"} {
		if !strings.Contains(log, w) {
			t.Errorf("log %q lacks %s", log, w)
		}
	}
	if strings.Contains(log, "ok#2") || strings.Contains(log, "flaky#3") || strings.Contains(log, "poison#4") {
		t.Errorf("delivered more than needed: %q", log)
	}
}

func TestServiceBindingCallsAnotherDeployment(t *testing.T) {
	n, base := testNode(t, nil)
	auth := testArtifact("auth", "")
	auth.Script = `var __edgefn_module = { default: { async fetch(req) {
  return new Response("auth: " + req.method + " " + new URL(req.url).pathname + " " + await req.text());
} } };`
	if err := n.Activate(auth, 1); err != nil {
		t.Fatal(err)
	}
	front := testArtifact("front", "")
	front.Script = `var __edgefn_module = { default: { async fetch(req, env) {
  const r = await env.AUTH.fetch("https://auth.internal/check", { method: "POST", body: "token" });
  return new Response("front got [" + await r.text() + "]");
} } };`
	front.Manifest.Services = []ServiceBinding{{Binding: "AUTH", Service: "auth"}}
	if err := n.Activate(front, 1); err != nil {
		t.Fatal(err)
	}
	n.SetFallback("front")
	if r := send(t, "GET", base+"/", ""); r.body != "front got [auth: POST /check token]" {
		t.Fatalf("got %q", r.body)
	}
}

// A failing store (here: closed) is an Error, not a TypeError: the input
// was fine, and a retry may work.
func TestKVStoreFailureIsError(t *testing.T) {
	store := testKV(t)
	n, base := testNode(t, func(c *Config) { c.KV = store })
	a := testArtifact("app", "")
	a.Script = `var __edgefn_module = { default: { async fetch(req, env) {
  try { await env.CACHE.get("k"); return new Response("no error"); } catch (e) { return new Response(e.name + ": " + e.message); }
} } };`
	a.Manifest.KV = []KVBinding{{Binding: "CACHE", Namespace: "cache"}}
	if err := n.Activate(a, 1); err != nil {
		t.Fatal(err)
	}
	n.SetFallback("app")
	store.Raw().Close()
	if r := send(t, "GET", base+"/", ""); r.body != "Error: KV get failed: kv: store closed" {
		t.Fatalf("got %q", r.body)
	}
}
