package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const devProject = `export default {
  async fetch(req, env) {
    const u = new URL(req.url);
    switch (u.pathname) {
      case "/put": await env.CACHE.put("k", u.searchParams.get("v")); return new Response("ok");
      case "/get": return new Response((await env.CACHE.get("k")) ?? "none");
      case "/secret": return new Response(env.TOKEN + "/" + env.PLAIN);
      case "/send": await env.JOBS.send({ n: Number(u.searchParams.get("n")) }); return new Response("sent");
      case "/read": return new Response((await env.CACHE.get(u.searchParams.get("key"))) ?? "none");
    }
    return new Response("not found", { status: 404 });
  },
  async scheduled(c, env) { await env.CACHE.put("cron", c.cron); },
  async queue(batch, env) {
    for (const m of batch.messages) {
      if (m.body.n === 13) { m.retry(); continue; }
      await env.CACHE.put("job", String(m.body.n));
      m.ack();
    }
  },
};
`

const devManifest = `name = "devapp"
[vars]
PLAIN = "plain"
[[kv_namespaces]]
binding = "CACHE"
namespace = "cache"
[triggers]
crons = ["0 0 1 1 *"]
[[queues.producers]]
binding = "JOBS"
queue = "jobs"
[[queues.consumers]]
queue = "jobs"
max_retries = 1
retry_delay = 0
dead_letter_queue = "jobs-dlq"
`

// TestDevServesLikeServe runs `edgefn dev` on a project with KV, a secret
// from .dev.vars, a cron and a queue with a dead-letter queue: all work as
// on a node, the data outlives the dev server in its data directory, and
// `edgefn kv --data` reads it once dev has stopped.
func TestDevServesLikeServe(t *testing.T) {
	dir, data := t.TempDir(), t.TempDir()
	for name, src := range map[string]string{"index.js": devProject, "edgefn.toml": devManifest, ".dev.vars": "# local only\nTOKEN=\"s3cr3t-value\"\n"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	addr := freeAddr(t)
	start := func() (func(), *syncBuffer) {
		ctx, cancel := context.WithCancel(context.Background())
		var stderr syncBuffer
		code := make(chan int, 1)
		go func() {
			code <- run(ctx, []string{"dev", dir, "--listen", addr, "--data", data, "--log-format", "json"}, io.Discard, &stderr)
		}()
		waitHTTP(t, "http://"+addr+"/get")
		return func() {
			cancel()
			if c := <-code; c != exitOK {
				t.Fatalf("dev exited %d:\n%s", c, stderr.String())
			}
		}, &stderr
	}
	get := func(path string) string { t.Helper(); return getBody(t, "http://"+addr+path) }
	poll := func(path, want string) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for got := ""; time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			if got = get(path); got == want {
				return
			}
		}
		t.Fatalf("%s never answered %q (last %q)", path, want, get(path))
	}

	stop, stderr := start()
	if got := get("/put?v=kept"); got != "ok" {
		t.Fatalf("put: %q", got)
	}
	if got := get("/secret"); got != "s3cr3t-value/plain" {
		t.Fatalf("secret from .dev.vars: %q", got)
	}
	if got := get("/__scheduled?cron=" + "0+0+1+1+*"); !strings.Contains(got, "ran scheduled()") {
		t.Fatalf("cron by hand: %q", got)
	}
	if got := get("/read?key=cron"); got != "0 0 1 1 *" {
		t.Fatalf("scheduled() wrote %q", got)
	}
	get("/send?n=7")
	poll("/read?key=job", "7")
	get("/send?n=13") // retried once, then dead-lettered
	for _, want := range []string{"env.CACHE: KV namespace \"cache\"", "secrets from .dev.vars: TOKEN", "__scheduled?cron=0+0+1+1+%2A"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("dev's startup lines lack %q:\n%s", want, stderr.String())
		}
	}
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(stderr.String(), "moved to the dead-letter queue") {
		if time.Now().After(deadline) {
			t.Fatalf("the failing message never reached the dead-letter queue:\n%s", stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	if strings.Contains(stderr.String(), "s3cr3t-value") {
		t.Fatal("a .dev.vars secret reached the log")
	}
	stop()

	// The data directory keeps the store: the CLI reads it, and dev serves
	// it again.
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"kv", "get", "cache", "k", "--data", data}, &out, &errb); code != 0 || out.String() != "kept" {
		t.Fatalf("kv get --data: %d %q %s", code, out.String(), errb.String())
	}
	stop, _ = start()
	if got := get("/get"); got != "kept" {
		t.Fatalf("after a restart: %q", got)
	}
	out.Reset()
	errb.Reset()
	if code := run(context.Background(), []string{"kv", "get", "cache", "k", "--data", data}, &out, &errb); code == 0 || !strings.Contains(errb.String(), "in use by a running edgefn") {
		t.Fatalf("kv --data while dev runs: %d %s", code, errb.String())
	}
	stop()
}

// TestDevReloadsManifest edits edgefn.toml while `edgefn dev` runs a
// project that started without a store: a KV binding added works at once
// (the store opens then), a cron added runs by hand, a var changes, and a
// manifest error is printed with its line and key while the previous
// version keeps serving.
func TestDevReloadsManifest(t *testing.T) {
	dir := t.TempDir()
	write := func(name, src string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("index.js", `export default {
  async fetch(req, env) {
    const u = new URL(req.url);
    if (u.pathname === "/var") return new Response(String(env.GREETING));
    if (!env.NEW_KV) return new Response("no NEW_KV");
    if (u.pathname === "/put") { await env.NEW_KV.put("k", "stored"); return new Response("ok"); }
    return new Response(String(await env.NEW_KV.get(u.searchParams.get("key") ?? "k")));
  },
  async scheduled(c, env) { await env.NEW_KV.put("cron", c.cron); },
};`)
	base := "name = \"reload\"\n[vars]\nGREETING = \"hello\"\n"
	write("edgefn.toml", base)
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	var stderr syncBuffer
	code := make(chan int, 1)
	go func() { code <- run(ctx, []string{"dev", dir, "--listen", addr}, io.Discard, &stderr) }()
	defer func() {
		cancel()
		if c := <-code; c != exitOK {
			t.Fatalf("dev exited %d:\n%s", c, stderr.String())
		}
	}()
	get := func(path string) string { t.Helper(); return getBody(t, "http://"+addr+path) }
	poll := func(path, want string) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for got := ""; time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			if got = get(path); got == want {
				return
			}
		}
		t.Fatalf("%s never answered %q (last %q)\n%s", path, want, get(path), stderr.String())
	}
	if got := waitHTTP(t, "http://"+addr+"/var"); got != "hello" {
		t.Fatalf("first build: %q", got)
	}
	if get("/") != "no NEW_KV" {
		t.Fatal("NEW_KV bound before the manifest names it")
	}
	if _, err := os.Stat(filepath.Join(dir, ".edgefn")); !os.IsNotExist(err) {
		t.Fatalf("the data directory exists for a project without KV: %v", err)
	}

	// A KV namespace added while dev runs.
	withKV := base + "\n[[kv_namespaces]]\nbinding = \"NEW_KV\"\nnamespace = \"fresh\"\n"
	write("edgefn.toml", withKV)
	poll("/put", "ok")
	if got := get("/"); got != "stored" {
		t.Fatalf("env.NEW_KV after the edit: %q", got)
	}
	if !strings.Contains(stderr.String(), `env.NEW_KV: KV namespace "fresh"`) {
		t.Errorf("the reload did not list the new binding:\n%s", stderr.String())
	}

	// A cron added, run by hand.
	withCron := withKV + "\n[triggers]\ncrons = [\"0 3 * * *\"]\n"
	write("edgefn.toml", withCron)
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(stderr.String(), `cron "0 3 * * *"`) {
		if time.Now().After(deadline) {
			t.Fatalf("the cron was never listed:\n%s", stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	if got := get("/__scheduled?cron=0+3+*+*+*"); !strings.Contains(got, "ran scheduled()") {
		t.Fatalf("cron by hand: %q", got)
	}
	if got := get("/?key=cron"); got != "0 3 * * *" {
		t.Fatalf("scheduled() wrote %q", got)
	}

	// A var changed.
	write("edgefn.toml", strings.Replace(withCron, `"hello"`, `"bonjour"`, 1))
	poll("/var", "bonjour")

	// A manifest error: printed with line and key; the old version serves.
	write("edgefn.toml", strings.Replace(withCron, `"hello"`, `"bonjour"`, 1)+"\n[limits]\ncpu_ms = -5\n")
	deadline = time.Now().Add(20 * time.Second)
	want := fmt.Sprintf("edgefn.toml:%d: limits.cpu_ms: -5 is outside", strings.Count(withCron, "\n")+3)
	for !strings.Contains(stderr.String(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("no %q in:\n%s", want, stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	if !strings.Contains(stderr.String(), "the previous code keeps serving") {
		t.Errorf("the error does not say the previous code serves:\n%s", stderr.String())
	}
	if got := get("/var"); got != "bonjour" {
		t.Fatalf("after a manifest error: %q", got)
	}
}

// getBody GETs url and returns its body, failing the test if it cannot.
func getBody(t *testing.T, url string) string {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return string(b)
}
