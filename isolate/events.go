package isolate

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/dop251/goja"
)

// ScheduledEvent is a cron trigger firing; a module's scheduled(controller,
// env, ctx) handles it.
type ScheduledEvent struct {
	// ID identifies the run in logs.
	ID string
	// Cron is the schedule that fired ("*/5 * * * *").
	Cron string
	// ScheduledTime is when it was due.
	ScheduledTime time.Time
}

// QueueMessage is one message of a queue batch.
type QueueMessage struct {
	ID        string
	Timestamp time.Time
	// Attempts counts deliveries, this one included.
	Attempts int
	// Body is the message as sent: JSON ("json"), UTF-8 text ("text") or
	// raw bytes ("bytes"), per ContentType.
	Body        []byte
	ContentType string
}

// QueueBatch is a batch of messages for a module's queue(batch, env, ctx).
type QueueBatch struct {
	// ID identifies the delivery in logs.
	ID       string
	Queue    string
	Messages []QueueMessage
}

// QueueDisposition is what became of one message.
type QueueDisposition struct {
	// Ack: done with; delete it. Otherwise it is retried after Delay.
	Ack   bool
	Delay time.Duration
}

// ErrNoEventHandler: the script exports no handler for the event (no
// scheduled() for a cron, no queue() for a queue).
var ErrNoEventHandler = errors.New("isolate: the script has no handler for this event")

// event kinds of a call.
const (
	eventFetch = iota
	eventScheduled
	eventQueue
)

// Scheduled runs the script's scheduled() for a cron firing and waits for
// it (and its waitUntil work) to finish.
func (p *Pool) Scheduled(ctx context.Context, ev *ScheduledEvent) error {
	if !p.cfg.Script.hasCron {
		return fmt.Errorf("%w: %s exports no scheduled()", ErrNoEventHandler, p.cfg.Name)
	}
	c := &call{ctx: ctx, kind: eventScheduled, sched: ev, done: make(chan struct{}),
		req: &Request{ID: ev.ID, Method: "SCHEDULED", URL: "cron:" + ev.Cron}}
	_, err := p.do(ctx, c)
	return err
}

// Queue delivers a batch to the script's queue() and reports, per message
// id, whether it was acknowledged or is to be retried. A handler that throws
// retries every message it did not acknowledge explicitly.
func (p *Pool) Queue(ctx context.Context, b *QueueBatch) (map[string]QueueDisposition, error) {
	if !p.cfg.Script.hasQ {
		return nil, fmt.Errorf("%w: %s exports no queue()", ErrNoEventHandler, p.cfg.Name)
	}
	c := &call{ctx: ctx, kind: eventQueue, batch: b, done: make(chan struct{}),
		disp: make(map[string]QueueDisposition, len(b.Messages)),
		req:  &Request{ID: b.ID, Method: "QUEUE", URL: "queue:" + b.Queue}}
	_, err := p.do(ctx, c)
	<-c.done // dispositions are final once the call ended
	out := make(map[string]QueueDisposition, len(b.Messages))
	for _, m := range b.Messages {
		d, explicit := c.disp[m.ID]
		if !explicit {
			d = QueueDisposition{Ack: err == nil}
		}
		out[m.ID] = d
	}
	return out, err
}

// dispatchEvent calls scheduled() or queue() for c. It runs inside a turn.
func (in *instance) dispatchEvent(c *call) error {
	mh, ok := in.handler.(*moduleHandler)
	if !ok {
		in.fail(c, ErrNoEventHandler)
		return nil
	}
	mk, _ := goja.AssertFunction(in.internal.Get("eventObject"))
	var fn goja.Callable
	var arg goja.Value
	var err error
	switch c.kind {
	case eventScheduled:
		fn = mh.scheduled
		arg, err = mk(goja.Undefined(), in.vm.ToValue("scheduled"), in.vm.ToValue(c.sched.Cron),
			in.vm.ToValue(c.sched.ScheduledTime.UnixMilli()))
	case eventQueue:
		fn = mh.queue
		msgs := make([]any, len(c.batch.Messages))
		for i, m := range c.batch.Messages {
			var body goja.Value
			switch m.ContentType {
			case "text":
				body = in.vm.ToValue(string(m.Body))
			case "bytes":
				body = in.vm.ToValue(in.vm.NewArrayBuffer(append([]byte(nil), m.Body...)))
			default:
				body, err = in.jsonParse()(goja.Undefined(), in.vm.ToValue(string(m.Body)))
				if err != nil {
					in.fail(c, fmt.Errorf("isolate: queue message %s has a body that is not JSON: %w", m.ID, err))
					return nil
				}
			}
			msgs[i] = in.vm.NewArray(m.ID, m.Timestamp.UnixMilli(), m.Attempts, body)
		}
		arg, err = mk(goja.Undefined(), in.vm.ToValue("queue"), in.vm.ToValue(c.batch.Queue), in.vm.NewArray(msgs...),
			in.vm.ToValue(c.token))
	}
	if err != nil {
		return err
	}
	if fn == nil {
		in.fail(c, ErrNoEventHandler)
		return nil
	}
	v, err := fn(mh.obj, arg, in.env, in.newContext(c))
	if err != nil {
		in.fail(c, in.scriptError(err))
		return nil
	}
	p := in.resolved(v)
	in.thenCall(c, p, func(goja.Value) { in.respond(c, nil) }, func(reason goja.Value) { in.fail(c, in.valueError(reason)) })
	return nil
}

// installEvents provides what js/events.js needs: queue message
// acknowledgements recorded on the current call.
func installEvents(in *instance) error {
	return in.internal.Set("queueSettle", func(fc goja.FunctionCall) goja.Value {
		c := in.cur
		if c == nil || c.ended || c.kind != eventQueue || c.token != uint64(fc.Argument(0).ToInteger()) {
			return goja.Undefined()
		}
		id := fc.Argument(1).String()
		d := QueueDisposition{Ack: fc.Argument(2).ToBoolean()}
		if !d.Ack {
			secs := fc.Argument(3).ToFloat()
			if secs > 0 {
				d.Delay = time.Duration(secs * float64(time.Second))
			}
		}
		if _, done := c.disp[id]; !done {
			c.disp[id] = d // the first call wins, as on Workers
		}
		return goja.Undefined()
	})
}
