package cluster

import (
	"bufio"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"net"
	"sort"
	"time"
)

const (
	errPullOnlyText = "pull-only: resyncing, serves no data yet"
	errBusyText     = "busy: in another anti-entropy session"
)

// beginSession claims this node's one anti-entropy session slot.
func (n *Node) beginSession() bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.inSession {
		return false
	}
	n.inSession = true
	return true
}

func (n *Node) endSession() {
	n.mu.Lock()
	n.inSession = false
	n.mu.Unlock()
}

// serve runs one inbound replication connection: the handshake, then
// requests until the peer hangs up. A message that fails to decode or
// authenticate ends the connection, and nothing of it is applied.
func (n *Node) serve(nc net.Conn, r *bufio.Reader) {
	defer nc.Close()
	remote := nc.RemoteAddr().String()
	c, err := serverHandshake(nc, r, n.keys.auth, peerHello{name: n.cfg.Name, pullOnly: n.isPullOnly()}, n.cfg.MaxFrame, 10*time.Second)
	if err != nil {
		if n.logs.allow("handshake:"+hostOf(remote), time.Minute) {
			n.log.Warn("refused a replication connection: handshake failed", "remote", remote, "error", err)
		}
		return
	}
	n.mu.Lock()
	if n.closed {
		n.mu.Unlock()
		return
	}
	n.inbound[c] = struct{}{}
	n.mu.Unlock()
	defer func() {
		n.mu.Lock()
		delete(n.inbound, c)
		n.mu.Unlock()
	}()
	peer := c.peer.name
	inSession := false
	defer func() {
		if inSession {
			n.endSession()
		}
	}()
	for {
		msg, err := c.read(0, 30*time.Second)
		if err != nil {
			if errors.Is(err, ErrMessage) {
				n.log.Error("refused a replication message: dropping the connection", "member", peer, "remote", remote, "error", err)
			}
			return
		}
		if len(msg) > 0 && msg[0] == msgSummary && !inSession {
			// One anti-entropy session at a time per node: two peers
			// repairing the same gap into one node would send it twice.
			if !n.beginSession() {
				if err := c.write(encodeError(errBusyText), 5*time.Second); err != nil {
					return
				}
				continue
			}
			inSession = true
		}
		if err := n.handle(c, peer, msg); err != nil {
			if errors.Is(err, ErrMessage) {
				n.log.Error("refused a replication message: nothing of it was applied", "member", peer, "remote", remote, "error", err)
				_ = c.write(encodeError(err.Error()), 5*time.Second)
			} else if !errors.Is(err, io.EOF) && n.logs.allow("serve:"+peer, 30*time.Second) {
				n.log.Warn("replication request failed", "member", peer, "error", err)
			}
			return
		}
		if inSession && msg[0] == msgSyncDone {
			inSession = false
			n.endSession()
		}
	}
}

// handle answers one request.
func (n *Node) handle(c *conn, peer string, msg []byte) error {
	if len(msg) == 0 {
		return fmt.Errorf("%w: empty message", ErrMessage)
	}
	body := msg[1:]
	reply := func(b []byte) error { return c.write(b, 30*time.Second) }
	switch msg[0] {
	case msgPush:
		d := decoder{b: body}
		recs, err := decodeRecords(&d, n.repl.Decode)
		if err != nil {
			return err
		}
		if err := d.done("push"); err != nil {
			return err
		}
		if c.peer.pullOnly {
			return reply(encodeError("a node resyncing pull-only may not push"))
		}
		res, err := n.apply(peer, recs)
		if err != nil {
			return reply(encodeError(err.Error()))
		}
		return reply(encodePushAck(res))
	case msgSummary:
		if len(body) != 0 {
			return fmt.Errorf("%w: summary request with a body", ErrMessage)
		}
		s, err := n.summary()
		if err != nil {
			return reply(encodeError(err.Error()))
		}
		return reply(encodeSummary(s))
	case msgDigest:
		d := decoder{b: body}
		ns := d.name()
		if err := d.done("digest request"); err != nil {
			return err
		}
		if n.isPullOnly() {
			return reply(encodeError(errPullOnlyText))
		}
		dg, err := n.repl.Digest(ns)
		if err != nil {
			return reply(encodeError(err.Error()))
		}
		return reply(encodeDigest(&dg))
	case msgPull:
		ns, buckets, err := decodePull(body)
		if err != nil {
			return err
		}
		if n.isPullOnly() {
			return reply(encodeError(errPullOnlyText))
		}
		return n.pullRecords(peer, ns, buckets, func(recs []Record, last bool) error { return reply(encodeRecords(recs, last)) })
	case msgSyncDone:
		d := decoder{b: body}
		seq := d.u64()
		if err := d.done("sync done"); err != nil {
			return err
		}
		n.synced(peer, seq)
		return reply(encodePushAck(ApplyResult{}))
	}
	return fmt.Errorf("%w: unknown message type %d", ErrMessage, msg[0])
}

// apply merges records a peer sent, logging what was refused.
func (n *Node) apply(peer string, recs []Record) (ApplyResult, error) {
	res, err := n.repl.Apply(recs)
	if err != nil {
		n.log.Error("refused a batch of replicated records: nothing of it was applied", "member", peer, "records", len(recs), "error", err)
		return res, err
	}
	if res.Refused > 0 && n.logs.allow("skew:"+peer, 10*time.Second) {
		n.log.Warn("refused replicated records with timestamps too far in the future (clock skew)", "member", peer,
			"refused", res.Refused, "error", res.Skew)
	}
	return res, nil
}

// summary is this node's side of a session's first step. The change
// number is read first: everything held then is covered by what follows.
func (n *Node) summary() (summary, error) {
	if n.isPullOnly() {
		return summary{}, errors.New(errPullOnlyText)
	}
	s := summary{seq: n.repl.Seq(), horizon: n.repl.Horizon(), roots: map[string][16]byte{}}
	nss, err := n.repl.Namespaces()
	if err != nil {
		return s, err
	}
	for _, ns := range nss {
		dg, err := n.repl.Digest(ns)
		if err != nil {
			return s, err
		}
		if root, ok := rootOf(&dg); ok {
			s.roots[ns] = root
		}
	}
	return s, nil
}

// withoutCollected drops the tombstones a peer has synced past: if it
// lacks them now, it collected them, and sending them back would only have
// them collected again (and the two stores differ in the meantime).
func (n *Node) withoutCollected(peer string, recs []Record) []Record {
	n.mu.Lock()
	var synced uint64
	if ps := n.state.Peers[peer]; ps != nil {
		synced = ps.Synced
	}
	n.mu.Unlock()
	out := recs[:0]
	for _, r := range recs {
		if r.Tombstone && r.Seq > 0 && r.Seq < synced {
			continue
		}
		out = append(out, r)
	}
	return out
}

// rootOf hashes a digest; false for an empty namespace.
func rootOf(dg *Digest) ([16]byte, bool) {
	if *dg == (Digest{}) {
		return [16]byte{}, false
	}
	h := sha256.New()
	for i := range dg {
		h.Write(dg[i][:])
	}
	var out [16]byte
	copy(out[:], h.Sum(nil))
	return out, true
}

// pullRecords sends the records of some buckets in batches, less the
// tombstones the peer has collected.
func (n *Node) pullRecords(peer, ns string, buckets []int, emit func(recs []Record, last bool) error) error {
	sort.Ints(buckets)
	recs, err := n.repl.BucketRecords(ns, buckets)
	if err != nil {
		return emit(nil, true)
	}
	recs = n.withoutCollected(peer, recs)
	for {
		k := batchLen(recs, n.cfg.BatchBytes)
		last := k == len(recs)
		if err := emit(recs[:k], last); err != nil {
			return err
		}
		if last {
			return nil
		}
		recs = recs[k:]
	}
}
