package isolate

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

const eventsSrc = `
let log = [];
export default {
  fetch(req) { return new Response(log.join("|")); },
  async scheduled(controller, env, ctx) {
    log.push("cron " + controller.cron + " " + new Date(controller.scheduledTime).toISOString());
    ctx.waitUntil(new Promise((r) => setTimeout(r, 10)).then(() => log.push("after")));
  },
  async queue(batch, env, ctx) {
    for (const m of batch.messages) {
      log.push(batch.queue + ":" + m.id + ":" + JSON.stringify(m.body) + ":" + m.attempts);
      if (m.body && m.body.fail) throw new Error("failing " + m.id);
      if (m.body === "retry-me") m.retry({ delaySeconds: 30 });
      if (m.body === "ack-me") m.ack();
    }
  },
};`

func TestScheduledEvent(t *testing.T) {
	p, _ := newTestPool(t, eventsSrc, func(c *PoolConfig) { c.MaxSize = 1 })
	at := time.Date(2026, 11, 24, 3, 0, 0, 0, time.UTC)
	if err := p.Scheduled(context.Background(), &ScheduledEvent{ID: "c1", Cron: "*/5 * * * *", ScheduledTime: at}); err != nil {
		t.Fatal(err)
	}
	if got := mustGet(t, p, "/"); got != "cron */5 * * * * 2026-11-24T03:00:00.000Z|after" {
		t.Fatalf("log %q", got)
	}
}

func TestQueueEvent(t *testing.T) {
	p, _ := newTestPool(t, eventsSrc, func(c *PoolConfig) { c.MaxSize = 1 })
	batch := &QueueBatch{ID: "b1", Queue: "jobs", Messages: []QueueMessage{
		{ID: "m1", Body: []byte(`{"n":1}`), ContentType: "json", Attempts: 1},
		{ID: "m2", Body: []byte(`retry-me`), ContentType: "text", Attempts: 2},
		{ID: "m3", Body: []byte(`ack-me`), ContentType: "text", Attempts: 1},
	}}
	disp, err := p.Queue(context.Background(), batch)
	if err != nil {
		t.Fatal(err)
	}
	if !disp["m1"].Ack || disp["m2"].Ack || disp["m2"].Delay != 30*time.Second || !disp["m3"].Ack {
		t.Fatalf("dispositions %+v", disp)
	}
	// A throwing handler retries what it did not acknowledge.
	batch = &QueueBatch{ID: "b2", Queue: "jobs", Messages: []QueueMessage{
		{ID: "a", Body: []byte(`"ack-me"`), ContentType: "json", Attempts: 1},
		{ID: "b", Body: []byte(`{"fail":true}`), ContentType: "json", Attempts: 1},
	}}
	disp, err = p.Queue(context.Background(), batch)
	var se *ScriptError
	if !errors.As(err, &se) || !strings.Contains(se.Message, "failing b") {
		t.Fatalf("err = %v", err)
	}
	if !disp["a"].Ack || disp["b"].Ack {
		t.Fatalf("dispositions after a throw %+v", disp)
	}
	if got := mustGet(t, p, "/"); !strings.Contains(got, `jobs:m2:"retry-me":2`) {
		t.Fatalf("log %q", got)
	}
}

func TestEventsWithoutHandlers(t *testing.T) {
	p, _ := newTestPool(t, `export default { fetch() { return new Response("x"); } };`, nil)
	if err := p.Scheduled(context.Background(), &ScheduledEvent{ID: "x", Cron: "@hourly"}); !errors.Is(err, ErrNoEventHandler) {
		t.Fatalf("scheduled: %v", err)
	}
	if _, err := p.Queue(context.Background(), &QueueBatch{ID: "x"}); !errors.Is(err, ErrNoEventHandler) {
		t.Fatalf("queue: %v", err)
	}
}
