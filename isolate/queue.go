package isolate

import (
	"context"
	"fmt"
	"time"

	"github.com/dop251/goja"
)

// OutgoingMessage is a message a handler sends to a queue.
type OutgoingMessage struct {
	Body []byte
	// ContentType is "json", "text" or "bytes".
	ContentType string
	// Delay holds the message back before its first delivery.
	Delay time.Duration
}

// QueueSender stores messages in a queue (edge persists them).
type QueueSender interface {
	Send(ctx context.Context, queue string, msgs []OutgoingMessage) error
}

// QueueBinding binds a queue producer as env.NAME: send(body, opts) and
// sendBatch(messages, opts), each a promise.
func QueueBinding(queue string, s QueueSender) Binding { return &queueBinding{queue: queue, s: s} }

type queueBinding struct {
	queue string
	s     QueueSender
}

// maxQueueMessage and maxQueueBatch bound what one call may send (as on
// Workers: 128 KiB a message, 100 messages and 256 KiB a batch).
const (
	maxQueueMessage = 128 << 10
	maxQueueBatch   = 100
	maxBatchBytes   = 256 << 10
)

func (b *queueBinding) value(in *instance) (goja.Value, error) {
	obj := in.vm.NewObject()
	encode := func(body, opts goja.Value, what string) OutgoingMessage {
		m := OutgoingMessage{ContentType: "json"}
		if o, ok := opts.(*goja.Object); ok {
			if ct := o.Get("contentType"); ct != nil && !goja.IsUndefined(ct) {
				m.ContentType = ct.String()
			}
			if d := o.Get("delaySeconds"); d != nil && !goja.IsUndefined(d) {
				secs := d.ToFloat()
				if secs < 0 || secs > 43200 {
					panic(in.rangeErr(what + ": delaySeconds must be between 0 and 43200"))
				}
				m.Delay = time.Duration(secs * float64(time.Second))
			}
		}
		if obj, ok := body.(*goja.Object); ok && m.ContentType == "json" {
			if _, isAB := obj.Export().(goja.ArrayBuffer); isAB {
				m.ContentType = "bytes"
			} else if _, isView := in.viewBytes(obj); isView {
				m.ContentType = "bytes"
			}
		}
		switch m.ContentType {
		case "json", "v8":
			m.ContentType = "json"
			s, err := in.jsonStringify()(goja.Undefined(), body)
			if err != nil {
				panic(err)
			}
			if goja.IsUndefined(s) {
				panic(in.typeErr(what + ": the message body cannot be serialised to JSON"))
			}
			m.Body = []byte(s.String())
		case "text":
			m.Body = []byte(body.String())
		case "bytes":
			b, _ := in.extractBody(body)
			switch b.kind {
			case bodyBytes:
				m.Body = b.bytes
			case bodyString:
				m.Body = []byte(b.str)
			default:
				panic(in.typeErr(what + ": a bytes message must be an ArrayBuffer or a typed array"))
			}
		default:
			panic(in.typeErr(fmt.Sprintf("%s: contentType must be \"json\", \"text\" or \"bytes\", got %q", what, m.ContentType)))
		}
		if len(m.Body) > maxQueueMessage {
			panic(in.rangeErr(fmt.Sprintf("%s: a message is at most %d bytes; this one is %d", what, maxQueueMessage, len(m.Body))))
		}
		return m
	}
	send := func(msgs []OutgoingMessage) goja.Value {
		c := in.cur
		if c == nil {
			panic(in.typeErr("queue send() can only be called while handling a request or event"))
		}
		p, resolve, reject := in.vm.NewPromise()
		done := in.reserve()
		ctx := c.ctx
		if ctx == nil {
			ctx = context.Background()
		}
		go func() {
			err := b.s.Send(ctx, b.queue, msgs)
			done(func() error {
				if err != nil {
					_ = reject(in.typeErr("queue send failed: " + err.Error()))
				} else {
					_ = resolve(goja.Undefined())
				}
				return nil
			})
		}()
		return in.vm.ToValue(p)
	}
	_ = obj.Set("send", in.native("send", 1, func(fc goja.FunctionCall) goja.Value {
		return send([]OutgoingMessage{encode(fc.Argument(0), fc.Argument(1), "Queue.send")})
	}))
	_ = obj.Set("sendBatch", in.native("sendBatch", 1, func(fc goja.FunctionCall) goja.Value {
		arr, ok := fc.Argument(0).(*goja.Object)
		if !ok {
			panic(in.typeErr("Queue.sendBatch: expected an array of { body } messages"))
		}
		var msgs []OutgoingMessage
		total := 0
		in.vm.ForOf(arr, func(v goja.Value) bool {
			o, ok := v.(*goja.Object)
			if !ok {
				panic(in.typeErr("Queue.sendBatch: each message must be an object { body, contentType?, delaySeconds? }"))
			}
			m := encode(o.Get("body"), o, "Queue.sendBatch")
			if d := fc.Argument(1); m.Delay == 0 {
				if opts, ok := d.(*goja.Object); ok {
					m.Delay = encode(goja.Null(), opts, "Queue.sendBatch").Delay
				}
			}
			total += len(m.Body)
			msgs = append(msgs, m)
			if len(msgs) > maxQueueBatch {
				panic(in.rangeErr(fmt.Sprintf("Queue.sendBatch: at most %d messages a batch", maxQueueBatch)))
			}
			return true
		})
		if total > maxBatchBytes {
			panic(in.rangeErr(fmt.Sprintf("Queue.sendBatch: a batch is at most %d bytes; this one is %d", maxBatchBytes, total)))
		}
		return send(msgs)
	}))
	return obj, nil
}
