package cluster

import (
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"
)

// remote is the far side of an anti-entropy session: the network client
// in production, another node called directly in tests.
type remote interface {
	summary() (summary, error)
	digest(ns string) (Digest, error)
	pull(ns string, buckets []int, fn func(recs []Record) error) error
	push(recs []Record) error
	syncDone(seq uint64) error
	close()
}

// pullGroup bounds the buckets pulled in one request: the far side holds
// their records in memory while it sends them.
const pullGroup = 64

// sessionStats says what a session moved.
type sessionStats struct {
	Namespaces int // namespaces whose digests differed
	Buckets    int // buckets that differed
	Pulled     int // records received
	Pushed     int // records sent
	Forgotten  int // records dropped by a pull-only resync
}

// errBusy: the peer is in another session; try again shortly.
var errBusy = errors.New("cluster: peer busy in another session")

// errIncomplete: records were refused on one side; the session moved what
// it could but proves nothing about what the peer holds.
var errIncomplete = errors.New("cluster: session incomplete: records were refused")

// syncWith runs one anti-entropy session with a peer: compare namespace
// roots, then bucket digests, pull the records of every bucket that
// differs, and push back those the peer lacks or holds older. When all went
// through, each side records how far the other has synced.
//
// A node resyncing pull-only forgets, instead of pushing, what it holds
// and the peer lacks when it is older than the peer's collection horizon
// (or the grace period): the peer may have deleted it and collected the
// tombstone.
func (n *Node) syncWith(r remote, peer string) (sessionStats, error) {
	var st sessionStats
	pullOnly := n.isPullOnly()
	s0 := n.repl.Seq() + 1
	sum, err := r.summary()
	if err != nil {
		return st, err
	}
	n.mu.Lock()
	n.horizon = max(n.horizon, sum.horizon)
	forgetBelow := max(n.horizon, hlcAt(n.cfg.Now().Add(-n.cfg.TombstoneGrace)))
	n.mu.Unlock()
	mine, err := n.repl.Namespaces()
	if err != nil {
		return st, err
	}
	nss := map[string]bool{}
	for _, ns := range mine {
		nss[ns] = true
	}
	for ns := range sum.roots {
		nss[ns] = true
	}
	names := make([]string, 0, len(nss))
	for ns := range nss {
		names = append(names, ns)
	}
	sort.Strings(names)
	complete := true
	for _, ns := range names {
		local, err := n.repl.Digest(ns)
		if err != nil {
			return st, err
		}
		root, _ := rootOf(&local)
		if root == sum.roots[ns] {
			continue
		}
		st.Namespaces++
		theirs, err := r.digest(ns)
		if err != nil {
			return st, err
		}
		var diff []int
		for b := range local {
			if local[b] != theirs[b] {
				diff = append(diff, b)
			}
		}
		st.Buckets += len(diff)
		for len(diff) > 0 {
			group := diff[:min(len(diff), pullGroup)]
			diff = diff[len(group):]
			ok, err := n.syncBuckets(r, peer, ns, group, pullOnly, forgetBelow, &st)
			if err != nil {
				return st, err
			}
			complete = complete && ok
		}
	}
	if !complete {
		return st, errIncomplete
	}
	if err := r.syncDone(sum.seq + 1); err != nil {
		return st, err
	}
	n.sessionDone(peer, s0, pullOnly)
	return st, nil
}

type version struct {
	hlc  uint64
	node string
}

// syncBuckets exchanges the records of some buckets of a namespace.
func (n *Node) syncBuckets(r remote, peer, ns string, buckets []int, pullOnly bool, forgetBelow uint64, st *sessionStats) (bool, error) {
	complete := true
	theirs := map[string]version{}
	err := r.pull(ns, buckets, func(recs []Record) error {
		for i := range recs {
			theirs[recs[i].Key] = version{recs[i].HLC, recs[i].Node}
			recs[i].Data = append([]byte(nil), recs[i].Data...)
		}
		st.Pulled += len(recs)
		res, err := n.apply(peer, recs)
		if err != nil {
			return err
		}
		if res.Refused > 0 {
			complete = false
		}
		return nil
	})
	if err != nil {
		return false, err
	}
	local, err := n.repl.BucketRecords(ns, buckets)
	if err != nil {
		return false, err
	}
	local = n.withoutCollected(peer, local)
	var push, forget []Record
	for i := range local {
		rec := &local[i]
		v, ok := theirs[rec.Key]
		switch {
		case !ok && pullOnly && rec.HLC < forgetBelow:
			forget = append(forget, *rec)
		case !ok || rec.newer(v.hlc, v.node):
			push = append(push, *rec)
		}
	}
	if len(forget) > 0 {
		k, err := n.repl.Forget(forget)
		if err != nil {
			return false, err
		}
		st.Forgotten += k
		n.log.Warn("resync: dropped records the cluster may have deleted while this node was away", "member", peer,
			"namespace", ns, "records", k)
	}
	// A node resyncing pull-only sends nothing (its peers would refuse it);
	// what it keeps goes out in its first session after the resync.
	if len(push) > 0 && !pullOnly {
		if err := r.push(push); err != nil {
			if errors.Is(err, errIncomplete) {
				return false, nil
			}
			return false, err
		}
		st.Pushed += len(push)
	}
	return complete, nil
}

// netRemote is a peer over a replication connection.
type netRemote struct {
	n    *Node
	c    *conn
	peer string
}

func (r *netRemote) call(req []byte, typ byte) ([]byte, error) {
	if err := r.c.write(req, 30*time.Second); err != nil {
		return nil, err
	}
	msg, err := r.c.read(60*time.Second, 60*time.Second)
	if err != nil {
		return nil, err
	}
	body, err := expect(msg, typ)
	var re *remoteError
	if errors.As(err, &re) {
		switch re.msg {
		case errPullOnlyText:
			return nil, ErrPullOnly
		case errBusyText:
			return nil, errBusy
		}
	}
	return body, err
}

func (r *netRemote) summary() (summary, error) {
	body, err := r.call([]byte{msgSummary}, msgSummaryResp)
	if err != nil {
		return summary{}, err
	}
	return decodeSummary(body)
}

func (r *netRemote) digest(ns string) (Digest, error) {
	body, err := r.call(appendName([]byte{msgDigest}, ns), msgDigestResp)
	if err != nil {
		return Digest{}, err
	}
	return decodeDigest(body)
}

func (r *netRemote) pull(ns string, buckets []int, fn func([]Record) error) error {
	if err := r.c.write(encodePull(ns, buckets), 30*time.Second); err != nil {
		return err
	}
	for {
		msg, err := r.c.read(60*time.Second, 60*time.Second)
		if err != nil {
			return err
		}
		body, err := expect(msg, msgRecords)
		if err != nil {
			var re *remoteError
			if errors.As(err, &re) && re.msg == errPullOnlyText {
				return ErrPullOnly
			}
			return err
		}
		if len(body) < 1 {
			return fmt.Errorf("%w: records message", ErrMessage)
		}
		d := decoder{b: body[1:]}
		recs, err := decodeRecords(&d, r.n.repl.Decode)
		if err != nil {
			return err
		}
		if err := d.done("records"); err != nil {
			return err
		}
		if err := fn(recs); err != nil {
			return err
		}
		if body[0] == 1 {
			return nil
		}
	}
}

func (r *netRemote) push(recs []Record) error {
	for len(recs) > 0 {
		k := batchLen(recs, r.n.cfg.BatchBytes)
		body, err := r.call(encodePush(recs[:k]), msgPushAck)
		if err != nil {
			return err
		}
		res, err := decodePushAck(body)
		if err != nil {
			return err
		}
		if res.Refused > 0 {
			return errIncomplete
		}
		recs = recs[k:]
	}
	return nil
}

func (r *netRemote) syncDone(seq uint64) error {
	_, err := r.call(encodeSyncDone(seq), msgPushAck)
	return err
}

func (r *netRemote) close() { r.c.Close() }

// syncLoop runs the sessions the scheduler asks for, a few at a time.
func (n *Node) syncLoop() {
	defer n.wg.Done()
	sem := make(chan struct{}, 1)
	var running sync.WaitGroup
	defer running.Wait()
	for {
		now := n.cfg.Now()
		n.mu.Lock()
		due := n.sched.take(now)
		wait := n.sched.wait(now)
		n.mu.Unlock()
		for _, peer := range due {
			select {
			case sem <- struct{}{}:
			case <-n.ctx.Done():
				return
			}
			running.Add(1)
			go func() {
				defer running.Done()
				defer func() { <-sem }()
				ok := n.syncPeer(peer)
				n.mu.Lock()
				n.sched.finish(peer, ok, n.cfg.Now())
				n.mu.Unlock()
				n.kick()
			}()
		}
		select {
		case <-n.ctx.Done():
			return
		case <-n.wake:
		case <-time.After(max(wait, 10*time.Millisecond)):
		}
	}
}

// syncPeer runs a session with a live peer over the network.
func (n *Node) syncPeer(peer string) bool {
	n.mu.Lock()
	mi := n.members[peer]
	addr := ""
	if mi != nil && mi.live() {
		addr = mi.addr
	}
	n.mu.Unlock()
	if addr == "" {
		return false
	}
	if !n.beginSession() {
		return false // serving another session: retried shortly
	}
	defer n.endSession()
	c, err := n.dial(addr, peer)
	if err != nil {
		return false
	}
	// Close cuts the session off (as it does inbound connections).
	n.mu.Lock()
	if n.closed {
		n.mu.Unlock()
		c.Close()
		return false
	}
	n.inbound[c] = struct{}{}
	n.mu.Unlock()
	r := &netRemote{n: n, c: c, peer: peer}
	defer func() {
		n.mu.Lock()
		delete(n.inbound, c)
		n.mu.Unlock()
		r.close()
	}()
	start := time.Now()
	st, err := n.syncWith(r, peer)
	n.mu.Lock()
	if err == nil {
		if mi := n.members[peer]; mi != nil {
			mi.lastContact = n.cfg.Now()
		}
	}
	n.mu.Unlock()
	switch {
	case err == nil && st.Buckets > 0:
		n.log.Info("anti-entropy repaired differences", "member", peer, "namespaces", st.Namespaces, "buckets", st.Buckets,
			"pulled", st.Pulled, "pushed", st.Pushed, "forgotten", st.Forgotten, "took", time.Since(start).Round(time.Millisecond))
	case errors.Is(err, ErrPullOnly):
		n.log.Debug("member is resyncing pull-only; skipped", "member", peer)
	case errors.Is(err, errBusy):
	case err != nil && n.logs.allow("ae:"+peer, 30*time.Second):
		n.log.Warn("anti-entropy session failed", "member", peer, "error", err)
	}
	return err == nil
}
