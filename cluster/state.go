package cluster

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// syncState is what a node remembers of replication across restarts.
type syncState struct {
	// LastSync is the end of the last complete anti-entropy session with
	// any peer (or the first start): a node that has not synced for longer
	// than the tombstone grace period rejoins pull-only.
	LastSync time.Time            `json:"lastSync"`
	Peers    map[string]*peerSync `json:"peers"`
}

// peerSync is what a node knows of a peer's progress.
type peerSync struct {
	// Synced: the peer holds every record this node took in below this
	// change number (or a newer version of it).
	Synced   uint64    `json:"synced"`
	SyncedAt time.Time `json:"syncedAt,omitzero"`
	// LastSeen is when the peer was last alive here: peers unseen for
	// longer than the grace period no longer hold back tombstone
	// collection.
	LastSeen time.Time `json:"lastSeen"`
	Addr     string    `json:"addr"`
}

const stateFile = "cluster-state.json"

// loadState reads the saved state and decides whether this node must
// rejoin pull-only.
func (n *Node) loadState() error {
	n.state = syncState{Peers: map[string]*peerSync{}}
	now := n.cfg.Now()
	if n.cfg.StateDir == "" {
		n.state.LastSync = now
		return nil
	}
	b, err := os.ReadFile(filepath.Join(n.cfg.StateDir, stateFile))
	if errors.Is(err, os.ErrNotExist) {
		// A first start: this node has nothing the cluster deleted.
		n.state.LastSync = now
		return nil
	}
	if err != nil {
		return fmt.Errorf("cluster: state: %w", err)
	}
	if err := json.Unmarshal(b, &n.state); err != nil {
		// Unreadable state errs on the safe side: resync pull-only.
		n.log.Error("replication state unreadable; rejoining pull-only", "file", filepath.Join(n.cfg.StateDir, stateFile), "error", err)
		n.state = syncState{Peers: map[string]*peerSync{}}
		n.pullOnly = "the replication state file was unreadable"
		return nil
	}
	if n.state.Peers == nil {
		n.state.Peers = map[string]*peerSync{}
	}
	if away := now.Sub(n.state.LastSync); away > n.cfg.TombstoneGrace {
		n.pullOnly = fmt.Sprintf("last synced %v ago, longer than the tombstone grace period (%v)", away.Round(time.Second), n.cfg.TombstoneGrace)
		n.log.Warn("away longer than the tombstone grace period: rejoining pull-only", "lastSync", n.state.LastSync, "grace", n.cfg.TombstoneGrace)
	}
	return nil
}

// saveState writes the state (atomically), at most once a second unless
// forced.
func (n *Node) saveState(force bool) {
	if n.cfg.StateDir == "" {
		return
	}
	n.mu.Lock()
	if !force && time.Since(n.stateAt) < time.Second {
		n.mu.Unlock()
		return
	}
	n.stateAt = time.Now()
	b, err := json.MarshalIndent(n.state, "", "  ")
	n.mu.Unlock()
	if err != nil {
		return
	}
	path := filepath.Join(n.cfg.StateDir, stateFile)
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err == nil {
		err = os.Rename(tmp, path)
		if err != nil {
			n.log.Error("saving replication state failed", "error", err)
		}
	} else {
		n.log.Error("saving replication state failed", "error", err)
	}
}

// trackLocked notes a peer alive now. n.mu held.
func (n *Node) trackLocked(name, addr string, now time.Time) {
	ps := n.state.Peers[name]
	if ps == nil {
		ps = &peerSync{}
		n.state.Peers[name] = ps
	}
	ps.LastSeen, ps.Addr = now, addr
}

// synced records that a peer holds every record this node took in below
// seq.
func (n *Node) synced(peer string, seq uint64) {
	now := n.cfg.Now()
	n.mu.Lock()
	ps := n.state.Peers[peer]
	if ps == nil {
		ps = &peerSync{LastSeen: now}
		n.state.Peers[peer] = ps
	}
	if seq > ps.Synced {
		ps.Synced = seq
	}
	ps.SyncedAt = now
	n.mu.Unlock()
	n.saveState(false)
}

// sessionDone records a complete session this node ran with a peer.
func (n *Node) sessionDone(peer string, seq uint64, wasPullOnly bool) {
	now := n.cfg.Now()
	n.mu.Lock()
	n.state.LastSync = now
	n.caughtUp = true
	if wasPullOnly && n.pullOnly != "" {
		n.pullOnly = ""
		n.log.Info("resync complete: leaving pull-only", "peer", peer)
	}
	n.mu.Unlock()
	n.synced(peer, seq)
}

// collectTombstones removes the tombstones it is safe to remove: those
// every tracked peer has synced past (and older than the minimum age), and
// those older than the grace period. Peers unseen for longer than the
// grace period are forgotten first.
func (n *Node) collectTombstones() {
	now := n.cfg.Now()
	n.mu.Lock()
	live := map[string]bool{}
	for name, mi := range n.members {
		live[name] = mi.live()
	}
	if n.pullOnly != "" {
		n.mu.Unlock()
		return
	}
	safe := n.repl.Seq() + 1
	for name, ps := range n.state.Peers {
		if live[name] {
			ps.LastSeen = now
		}
		if now.Sub(ps.LastSeen) > n.cfg.TombstoneGrace {
			delete(n.state.Peers, name)
			n.log.Warn("forgetting a member unseen for longer than the tombstone grace period; it must rejoin pull-only", "member", name, "lastSeen", ps.LastSeen)
			continue
		}
		safe = min(safe, ps.Synced)
	}
	// Away from everyone for longer than the grace period: the others may
	// have collected tombstones this node never saw.
	if len(n.state.Peers) > 0 && now.Sub(n.state.LastSync) > n.cfg.TombstoneGrace {
		n.pullOnly = fmt.Sprintf("no peer synced for %v, longer than the tombstone grace period", now.Sub(n.state.LastSync).Round(time.Second))
		n.log.Warn("cut off longer than the tombstone grace period: resyncing pull-only", "lastSync", n.state.LastSync)
		n.mu.Unlock()
		return
	}
	n.mu.Unlock()
	// One pass for both rules: below the synced change number and past the
	// minimum age, or past the grace period whatever the peers did.
	k, err := n.repl.CollectSyncedTombstones(safe, hlcAt(now.Add(-n.cfg.TombstoneMinAge)), hlcAt(now.Add(-n.cfg.TombstoneGrace)))
	if err != nil {
		n.log.Error("collecting tombstones failed", "error", err)
		return
	}
	if k > 0 {
		n.log.Debug("tombstones collected", "count", k)
	}
	n.saveState(false)
}

// maintainLoop collects tombstones now and then.
func (n *Node) maintainLoop() {
	defer n.wg.Done()
	// Collection scans the store: not more often than every two
	// anti-entropy rounds (sessions are what make tombstones collectable).
	every := max(n.cfg.TombstoneMinAge/4, n.cfg.AntiEntropyInterval*2, 100*time.Millisecond)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-n.ctx.Done():
			return
		case <-t.C:
			n.collectTombstones()
		}
	}
}

// reconnectLoop rejoins the seeds and recently failed members while some
// of them are not live: after a partition heals, memberlist alone would
// not look for members it declared dead.
func (n *Node) reconnectLoop() {
	defer n.wg.Done()
	t := time.NewTicker(n.cfg.ReconnectInterval)
	defer t.Stop()
	for {
		select {
		case <-n.ctx.Done():
			return
		case <-t.C:
		}
		n.mu.Lock()
		live := map[string]bool{n.Addr(): true}
		for _, mi := range n.members {
			if mi.live() {
				live[mi.addr] = true
			}
		}
		var targets []string
		for _, s := range n.cfg.Join {
			if !live[s] {
				targets = append(targets, s)
			}
		}
		for name, ps := range n.state.Peers {
			if mi := n.members[name]; (mi == nil || !mi.live()) && ps.Addr != "" && !live[ps.Addr] {
				if mi != nil && mi.state == StateLeft {
					continue
				}
				targets = append(targets, ps.Addr)
			}
		}
		n.mu.Unlock()
		if len(targets) == 0 {
			continue
		}
		if got, err := n.ml.Join(targets); got > 0 {
			n.log.Info("reconnected to members", "contacted", got)
		} else if err != nil && n.logs.allow("reconnect", time.Minute) {
			n.log.Debug("reconnect attempt failed", "targets", targets, "error", err)
		}
	}
}
