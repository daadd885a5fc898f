package isolate

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

type fakeFetcher struct{ got *Request }

func (f *fakeFetcher) Fetch(ctx context.Context, req *Request) (*Response, error) {
	f.got = req
	if strings.HasSuffix(req.URL, "/fail") {
		return nil, errors.New("service is down")
	}
	return &Response{Status: 201, Header: []HeaderField{{Name: "x-from", Value: "auth"}},
		Body: []byte("auth saw " + req.Method + " " + string(req.Body))}, nil
}

type fakeQueue struct {
	mu   sync.Mutex
	msgs []OutgoingMessage
}

func (q *fakeQueue) Send(ctx context.Context, queue string, msgs []OutgoingMessage) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.msgs = append(q.msgs, msgs...)
	return nil
}

func TestServiceBinding(t *testing.T) {
	f := &fakeFetcher{}
	p, _ := newTestPool(t, `export default { async fetch(req, env) {
  if (new URL(req.url).pathname === "/fail") {
    try { await env.AUTH.fetch("https://auth/fail"); } catch (e) { return new Response(e.name + ": " + e.message); }
  }
  const r = await env.AUTH.fetch("https://auth/check", { method: "POST", body: "token", headers: { "x-a": "1" } });
  return new Response(r.status + " " + r.headers.get("x-from") + " " + await r.text());
} };`, func(c *PoolConfig) { c.Bindings = map[string]Binding{"AUTH": ServiceBinding(f)} })
	if got := mustGet(t, p, "/"); got != "201 auth auth saw POST token" {
		t.Fatalf("got %q", got)
	}
	if f.got.Header[0].Name != "x-a" || f.got.ID != "t-/" {
		t.Fatalf("the service got %+v", f.got)
	}
	if got := mustGet(t, p, "/fail"); got != "TypeError: service binding fetch failed: service is down" {
		t.Fatalf("got %q", got)
	}
}

func TestQueueBinding(t *testing.T) {
	q := &fakeQueue{}
	p, _ := newTestPool(t, `export default { async fetch(req, env) {
  await env.JOBS.send({ n: 1 });
  await env.JOBS.send("hi", { contentType: "text", delaySeconds: 5 });
  await env.JOBS.send(new Uint8Array([1, 2, 3]));
  await env.JOBS.sendBatch([{ body: 1 }, { body: 2, delaySeconds: 1 }], { delaySeconds: 9 });
  const errs = [];
  for (const f of [
    () => env.JOBS.send(() => 1),
    () => env.JOBS.send("x", { contentType: "xml" }),
    () => env.JOBS.send("x".repeat(200000), { contentType: "text" }),
    () => env.JOBS.send(1, { delaySeconds: -1 }),
  ]) { try { f(); errs.push("none"); } catch (e) { errs.push(e.name); } }
  return new Response(errs.join(","));
} };`, func(c *PoolConfig) {
		c.Bindings = map[string]Binding{"JOBS": QueueBinding("jobs", q)}
		c.Limits.CPUTime = 10 * time.Second // encoding 200 kB under -race on a loaded machine
	})
	if got := mustGet(t, p, "/"); got != "TypeError,TypeError,RangeError,RangeError" {
		t.Fatalf("errors: %q", got)
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	want := []OutgoingMessage{
		{Body: []byte(`{"n":1}`), ContentType: "json"},
		{Body: []byte("hi"), ContentType: "text", Delay: 5 * time.Second},
		{Body: []byte{1, 2, 3}, ContentType: "bytes"},
		{Body: []byte("1"), ContentType: "json", Delay: 9 * time.Second},
		{Body: []byte("2"), ContentType: "json", Delay: time.Second},
	}
	if len(q.msgs) != len(want) {
		t.Fatalf("sent %d messages", len(q.msgs))
	}
	for i, w := range want {
		g := q.msgs[i]
		if string(g.Body) != string(w.Body) || g.ContentType != w.ContentType || g.Delay != w.Delay {
			t.Errorf("message %d: %+v, want %+v", i, g, w)
		}
	}
}
