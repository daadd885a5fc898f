package edge

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/edgefn/edgefn/isolate"
)

// Queues are stored in the replicated store (namespace _queues), so a
// message sent on any node is delivered even if that node dies: each
// message is a record keyed by the time it becomes visible, and the
// consumer of a queue runs on the node that owns it (rendezvous hashing over
// the live members). Delivery is at-least-once: a message is leased (made
// invisible for a while) before its batch is delivered and deleted only when
// acknowledged; a consumer that dies mid-batch leaves it to reappear.

const nsQueues = "_queues"

// queueMessage is a stored message.
type queueMessage struct {
	ID          string    `json:"id"`
	Body        []byte    `json:"body"`
	ContentType string    `json:"contentType"`
	Attempts    int       `json:"attempts"`
	Timestamp   time.Time `json:"timestamp"`
}

// Defaults for consumers (wrangler's names and values).
const (
	defaultBatchSize  = 10
	defaultMaxRetries = 3
	leaseTime         = 5 * time.Minute
	queuePoll         = 250 * time.Millisecond
)

func queueKey(queue string, visible time.Time, id string) string {
	return fmt.Sprintf("m/%s/%020d/%s", queue, visible.UnixNano(), id)
}

func parseQueueKey(key string) (visible time.Time, ok bool) {
	parts := strings.Split(key, "/")
	if len(parts) != 4 {
		return time.Time{}, false
	}
	n, err := strconv.ParseInt(parts[2], 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	return time.Unix(0, n), true
}

// queueStore sends messages into the store.
type queueStore struct {
	store Store
	now   func() time.Time
}

// Send implements isolate.QueueSender.
func (q *queueStore) Send(_ context.Context, queue string, msgs []isolate.OutgoingMessage) error {
	now := q.now()
	for _, m := range msgs {
		var b [8]byte
		_, _ = rand.Read(b[:])
		qm := queueMessage{ID: hex.EncodeToString(b[:]), Body: m.Body, ContentType: m.ContentType, Timestamp: now.UTC()}
		rec, err := json.Marshal(qm)
		if err != nil {
			return err
		}
		if err := q.store.Put(nsQueues, queueKey(queue, now.Add(m.Delay), qm.ID), rec); err != nil {
			return fmt.Errorf("queue %s: %w", queue, err)
		}
	}
	return nil
}

type queueConsumer struct {
	deployment string
	cfg        QueueConsumer
	pool       *isolate.Pool
}

// queueConsumers lists the consumers of the node's active deployments.
func (p *Platform) queueConsumers() []queueConsumer {
	var out []queueConsumer
	p.node.mu.RLock()
	defer p.node.mu.RUnlock()
	for name, d := range p.node.deployments {
		a := d.current()
		if a == nil || len(a.versions) == 0 {
			continue
		}
		v := a.versions[len(a.versions)-1]
		if v.pool == nil || !v.pool.Script().HasQueue() {
			continue
		}
		for _, c := range v.manifest.Queues.Consumers {
			out = append(out, queueConsumer{deployment: name, cfg: c, pool: v.pool})
		}
	}
	return out
}

// runQueues delivers the queues this node owns until ctx ends.
func (p *Platform) runQueues(ctx context.Context) {
	changes, cancel := p.store.Watch(nsQueues)
	defer cancel()
	var wg sync.WaitGroup
	defer wg.Wait()
	busy := map[string]bool{}
	var mu sync.Mutex
	t := time.NewTicker(queuePoll)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-changes:
		}
		for _, c := range p.queueConsumers() {
			if owner(p.members.Alive(), "queue/"+c.cfg.Queue) != p.members.Self() {
				continue
			}
			mu.Lock()
			if busy[c.cfg.Queue] {
				mu.Unlock()
				continue
			}
			busy[c.cfg.Queue] = true
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				for p.deliverBatch(ctx, c) > 0 {
				}
				mu.Lock()
				busy[c.cfg.Queue] = false
				mu.Unlock()
			}()
		}
	}
}

// deliverBatch leases and delivers one batch; it returns its size.
func (p *Platform) deliverBatch(ctx context.Context, c queueConsumer) int {
	size := c.cfg.MaxBatchSize
	if size == 0 {
		size = defaultBatchSize
	}
	now := p.now()
	keys, err := p.store.Keys(nsQueues, "m/"+c.cfg.Queue+"/")
	if err != nil {
		p.log.Error("queue: listing messages failed", "queue", c.cfg.Queue, "error", err)
		return 0
	}
	type leased struct {
		key string
		msg queueMessage
	}
	var batch []leased
	for _, k := range keys {
		vis, ok := parseQueueKey(k)
		if !ok || vis.After(now) {
			break // keys are in visibility order
		}
		raw, err := p.store.Get(nsQueues, k)
		if err != nil {
			continue // taken meanwhile
		}
		var m queueMessage
		if json.Unmarshal(raw, &m) != nil {
			p.log.Error("queue: dropping a corrupt message", "queue", c.cfg.Queue, "key", k)
			_ = p.store.Delete(nsQueues, k)
			continue
		}
		m.Attempts++
		// Lease: invisible until the lease ends, in case we die mid-batch.
		lk, err := p.moveMessage(k, c.cfg.Queue, now.Add(leaseTime), m)
		if err != nil {
			p.log.Error("queue: leasing a message failed", "queue", c.cfg.Queue, "error", err)
			continue
		}
		batch = append(batch, leased{key: lk, msg: m})
		if len(batch) == size {
			break
		}
	}
	if len(batch) == 0 {
		return 0
	}
	qb := &isolate.QueueBatch{ID: p.node.ids.next(), Queue: c.cfg.Queue}
	for _, l := range batch {
		qb.Messages = append(qb.Messages, isolate.QueueMessage{ID: l.msg.ID, Timestamp: l.msg.Timestamp, Attempts: l.msg.Attempts,
			Body: l.msg.Body, ContentType: l.msg.ContentType})
	}
	disp, err := c.pool.Queue(ctx, qb)
	if err != nil {
		p.log.Error("queue() failed; unacknowledged messages will be retried", "deployment", c.deployment, "queue", c.cfg.Queue,
			"request_id", qb.ID, "error", err)
	}
	maxRetries := c.cfg.MaxRetries
	if maxRetries == 0 {
		maxRetries = defaultMaxRetries
	}
	for _, l := range batch {
		d := disp[l.msg.ID]
		switch {
		case d.Ack:
			_ = p.store.Delete(nsQueues, l.key)
		case l.msg.Attempts > maxRetries:
			p.deadLetter(c, l.key, l.msg)
		default:
			delay := d.Delay
			if delay == 0 {
				delay = backoff(c.cfg.RetryDelay, l.msg.Attempts)
			}
			if _, err := p.moveMessage(l.key, c.cfg.Queue, p.now().Add(delay), l.msg); err != nil {
				p.log.Error("queue: rescheduling a message failed; it returns when its lease ends", "error", err)
			}
		}
	}
	return len(batch)
}

// backoff is the retry delay: the consumer's retry_delay, else exponential
// from 1 s, capped at 5 minutes.
func backoff(retryDelay, attempts int) time.Duration {
	if retryDelay > 0 {
		return time.Duration(retryDelay) * time.Second
	}
	d := time.Second << min(attempts-1, 8)
	return min(d, 5*time.Minute)
}

// moveMessage rewrites a message under a new visibility time.
func (p *Platform) moveMessage(oldKey, queue string, visible time.Time, m queueMessage) (string, error) {
	rec, err := json.Marshal(m)
	if err != nil {
		return "", err
	}
	key := queueKey(queue, visible, m.ID)
	if err := p.store.Put(nsQueues, key, rec); err != nil {
		return "", err
	}
	if err := p.store.Delete(nsQueues, oldKey); err != nil && !errors.Is(err, ErrNotFound) {
		return key, err
	}
	return key, nil
}

// deadLetter moves a message past its retries to the dead-letter queue, or
// drops it (logged) when the consumer has none.
func (p *Platform) deadLetter(c queueConsumer, key string, m queueMessage) {
	if c.cfg.DeadLetterQueue == "" {
		p.log.Warn("queue: message dropped after its last retry", "queue", c.cfg.Queue, "message", m.ID, "attempts", m.Attempts)
		_ = p.store.Delete(nsQueues, key)
		return
	}
	m.Attempts = 0
	if _, err := p.moveMessage(key, c.cfg.DeadLetterQueue, p.now(), m); err != nil {
		p.log.Error("queue: moving a message to its dead-letter queue failed", "error", err)
		return
	}
	p.log.Warn("queue: message moved to the dead-letter queue", "queue", c.cfg.Queue, "dlq", c.cfg.DeadLetterQueue, "message", m.ID)
}

// QueueDepth counts a queue's stored messages (visible or not).
func (p *Platform) QueueDepth(queue string) (int, error) {
	keys, err := p.store.Keys(nsQueues, "m/"+queue+"/")
	return len(keys), err
}
