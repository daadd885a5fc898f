package cluster

import (
	"errors"
	"fmt"
	"net"
	"sync"
	"time"
)

// pusher sends this node's own writes to one peer as they are committed:
// it tails the change feed from its own cursor, sends each batch, and
// moves the cursor on once the peer acknowledged it. Records written
// elsewhere are left to their writers and to anti-entropy.
//
// When the peer is unreachable for long, the cursor jumps to the head and
// an anti-entropy session is asked for: repairing a long gap by digests is
// cheaper than replaying it.
type pusher struct {
	n    *Node
	peer string
	addr string
	quit chan struct{}
	once sync.Once

	mu           sync.Mutex
	cursor       uint64
	pendingSince time.Time // own writes sent but not acknowledged, since
	downSince    time.Time
	held         []Record // a batch held back by the reorder fault
	conn         *conn
}

// gapLimit is how long a peer may be unreachable before its backlog is
// left to anti-entropy.
const gapLimit = 10 * time.Second

func newPusher(n *Node, peer, addr string) *pusher {
	return &pusher{n: n, peer: peer, addr: addr, quit: make(chan struct{}), cursor: n.feed.head()}
}

// start runs the pusher (n.mu held: n.wg counts it).
func (p *pusher) start() {
	p.n.wg.Add(1)
	go p.run()
}

// stop ends the pusher, cutting off a send in progress.
func (p *pusher) stop() {
	p.once.Do(func() {
		close(p.quit)
		p.mu.Lock()
		if p.conn != nil {
			p.conn.Close()
		}
		p.mu.Unlock()
	})
}

// setConn records the connection in use, so that stop can close it.
func (p *pusher) setConn(c *conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	select {
	case <-p.quit:
		if c != nil {
			c.Close()
		}
		return false
	default:
	}
	p.conn = c
	return true
}

func (p *pusher) lag(now time.Time) time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.pendingSince.IsZero() {
		return 0
	}
	return now.Sub(p.pendingSince)
}

// caughtUp reports whether the peer acknowledged every change below seq.
func (p *pusher) caughtUp(seq uint64) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cursor > seq && p.held == nil
}

func (p *pusher) sleep(d time.Duration) bool {
	select {
	case <-p.quit:
		return false
	case <-p.n.ctx.Done():
		return false
	case <-time.After(d):
		return true
	}
}

func (p *pusher) run() {
	defer p.n.wg.Done()
	var c *conn
	defer func() {
		if c != nil {
			c.Close()
		}
	}()
	defer p.setConn(nil)
	backoff := 50 * time.Millisecond
	for {
		if p.n.isPullOnly() {
			// Nothing leaves a node resyncing pull-only.
			if !p.sleep(100 * time.Millisecond) {
				return
			}
			continue
		}
		p.mu.Lock()
		from := p.cursor
		holding := p.held != nil
		p.mu.Unlock()
		own, next, ok, moved := p.n.feed.since(from, p.n.cfg.BatchBytes)
		if !ok {
			// Too far behind for the feed's memory: anti-entropy repairs it.
			p.mu.Lock()
			p.cursor = next
			p.mu.Unlock()
			p.n.urgent(p.peer)
			continue
		}
		if len(own) == 0 && !holding {
			p.advance(next)
			select {
			case <-moved:
			case <-time.After(time.Second):
			case <-p.quit:
				return
			case <-p.n.ctx.Done():
				return
			}
			continue
		}
		p.mu.Lock()
		if p.pendingSince.IsZero() {
			p.pendingSince = p.n.cfg.Now()
		}
		p.mu.Unlock()
		var err error
		if c == nil {
			if c, err = p.n.dial(p.addr, p.peer); err == nil && !p.setConn(c) {
				return
			}
		}
		if err == nil {
			err = p.send(c, own)
		}
		if err != nil {
			if c != nil {
				c.Close()
				c = nil
			}
			p.failed(err)
			if !p.sleep(backoff) {
				return
			}
			backoff = min(backoff*2, 2*time.Second)
			continue
		}
		backoff = 50 * time.Millisecond
		p.mu.Lock()
		p.downSince = time.Time{}
		p.mu.Unlock()
		p.advance(next)
	}
}

// advance moves the cursor past acknowledged changes.
func (p *pusher) advance(next uint64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if next > p.cursor {
		p.cursor = next
	}
	if p.cursor >= p.n.feed.head() && p.held == nil {
		p.pendingSince = time.Time{}
	}
}

// failed handles a push that did not go through: retried from the same
// cursor, unless the peer has been unreachable for long.
func (p *pusher) failed(err error) {
	now := p.n.cfg.Now()
	p.mu.Lock()
	if p.downSince.IsZero() {
		p.downSince = now
	}
	long := now.Sub(p.downSince) > gapLimit
	if long {
		p.cursor = p.n.feed.head()
		p.held = nil
		p.downSince = now
	}
	p.mu.Unlock()
	if long {
		p.n.urgent(p.peer)
	}
	var ne net.Error
	if p.n.logs.allow("push:"+p.peer, 30*time.Second) && !errors.As(err, &ne) {
		p.n.log.Warn("push to a member failed; retrying", "member", p.peer, "error", err)
	}
}

// send pushes records in frames of at most BatchBytes, through the fault
// layer when there is one.
func (p *pusher) send(c *conn, recs []Record) error {
	f := p.n.cfg.Faults
	if f == nil {
		return p.n.pushRecords(c, recs, p.peer)
	}
	if !f.waitResumed(time.Minute) {
		return ErrPartitioned
	}
	fa := f.draw()
	if fa.delay > 0 && !p.sleep(fa.delay) {
		return ErrClosed
	}
	if fa.drop {
		return nil // lost on the way: only anti-entropy can bring it now
	}
	p.mu.Lock()
	held := p.held
	if fa.hold && held == nil {
		p.held = append([]Record(nil), recs...)
		p.mu.Unlock()
		return nil
	}
	p.mu.Unlock()
	if err := p.n.pushRecords(c, recs, p.peer); err != nil {
		return err
	}
	if fa.dup {
		if err := p.n.pushRecords(c, recs, p.peer); err != nil {
			return err
		}
	}
	if held != nil {
		if err := p.n.pushRecords(c, held, p.peer); err != nil {
			return err
		}
		p.mu.Lock()
		p.held = nil
		p.mu.Unlock()
	}
	return nil
}

// pushRecords sends records to a peer over c and waits for each batch's
// acknowledgement.
func (n *Node) pushRecords(c *conn, recs []Record, peer string) error {
	for len(recs) > 0 {
		k := batchLen(recs, n.cfg.BatchBytes)
		if err := c.write(encodePush(recs[:k]), 30*time.Second); err != nil {
			return err
		}
		msg, err := c.read(30*time.Second, 30*time.Second)
		if err != nil {
			return err
		}
		body, err := expect(msg, msgPushAck)
		if err != nil {
			return err
		}
		res, err := decodePushAck(body)
		if err != nil {
			return err
		}
		if res.Refused > 0 && n.logs.allow("refused:"+peer, 10*time.Second) {
			n.log.Warn("a member refused records: their timestamps are too far ahead of its clock (check NTP)", "member", peer, "refused", res.Refused)
		}
		recs = recs[k:]
	}
	return nil
}

// dial opens an authenticated replication connection to a peer.
func (n *Node) dial(addr, peer string) (*conn, error) {
	var nc net.Conn
	var err error
	if f := n.cfg.Faults; f != nil {
		host, _, _ := splitAddr("BindAddr", n.cfg.BindAddr)
		nc, err = f.dial(addr, net.ParseIP(host), 5*time.Second)
	} else {
		d := net.Dialer{Timeout: 5 * time.Second}
		nc, err = d.DialContext(n.ctx, "tcp", addr)
	}
	if err != nil {
		return nil, fmt.Errorf("cluster: dial %s (%s): %w", peer, addr, err)
	}
	c, err := clientHandshake(nc, n.keys.auth, peerHello{name: n.cfg.Name, pullOnly: n.isPullOnly()}, n.cfg.MaxFrame, 10*time.Second)
	if err != nil {
		nc.Close()
		if errors.Is(err, ErrAuth) {
			if n.logs.allow("auth:"+addr, time.Minute) {
				n.log.Error("refused a member: it failed the replication handshake (a different cluster key?)", "member", peer, "addr", addr)
			}
		}
		return nil, err
	}
	if c.peer.name != peer && peer != "" {
		c.Close()
		return nil, fmt.Errorf("cluster: %s answered as %q, not %q", addr, c.peer.name, peer)
	}
	return c, nil
}

func (n *Node) isPullOnly() bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.pullOnly != ""
}

func (n *Node) urgent(peer string) {
	n.mu.Lock()
	n.sched.urgent(peer, n.cfg.Now())
	n.mu.Unlock()
	n.kick()
}

// flushPushes waits (until deadline) for every live peer to acknowledge
// this node's writes so far: a graceful leave loses nothing unsent.
func (n *Node) flushPushes(deadline time.Time) {
	seq := n.repl.Seq()
	for time.Now().Before(deadline) {
		n.mu.Lock()
		done := true
		for _, p := range n.pushers {
			if !p.caughtUp(seq) {
				done = false
			}
		}
		n.mu.Unlock()
		if done {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}
