package cluster

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/memberlist"
)

// Node is this process's membership of a cluster and its replication
// with every other member.
type Node struct {
	cfg   Config
	log   *slog.Logger
	keys  keys
	repl  Replica
	feed  *feed
	ml    *memberlist.Memberlist
	addr  string // advertised gossip address
	start time.Time

	mu        sync.Mutex
	members   map[string]*memberInfo
	pushers   map[string]*pusher
	sched     *scheduler
	state     syncState
	stateAt   time.Time // last save
	pullOnly  string    // why this node is pull-only ("" when not)
	horizon   uint64    // highest horizon a peer reported
	joined    bool      // reached another member since start
	caughtUp  bool      // completed a session since start
	joining   bool
	collision error
	inbound   map[*conn]struct{}   // open replication connections (served and sessions), closed by Close
	leaving   map[string]time.Time // members that said they are leaving
	inSession bool                 // an anti-entropy session runs (either side)
	closed    bool

	wake   chan struct{}
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	once   sync.Once
	logs   rateLimiter
}

// memberInfo is what this node knows of another member.
type memberInfo struct {
	name        string
	addr        string
	meta        Meta
	state       string // alive, suspect, dead, left: memberlist's state of it
	since       time.Time
	lastContact time.Time
	rtt         time.Duration
}

// Member states, as memberlist knows them.
const (
	StateAlive   = "alive"
	StateSuspect = "suspect" // a probe went unanswered; dead unless it refutes in time
	StateDead    = "dead"    // failed: suspected past the timeout
	StateLeft    = "left"    // said it was leaving
)

// live reports whether memberlist still counts the member (alive or
// suspect, as its Members does): replication, cron and queue ownership
// keep it until it is declared dead, so a suspicion that is refuted moves
// nothing.
func (mi *memberInfo) live() bool { return mi.state == StateAlive || mi.state == StateSuspect }

// Member is one member as `edgefn cluster members` shows it.
type Member struct {
	Name   string `json:"name"`
	Addr   string `json:"addr"`
	State  string `json:"state"` // alive, suspect, dead (failed), left
	Self   bool   `json:"self,omitempty"`
	HTTP   string `json:"http,omitempty"`
	Admin  string `json:"admin,omitempty"`
	Region string `json:"region,omitempty"`
	// Version is the member's edgefn version.
	Version string    `json:"version,omitempty"`
	Since   time.Time `json:"since"`
	// LastContact is the last successful probe of, or exchange with, it.
	LastContact time.Time `json:"lastContact,omitzero"`
	RTT         float64   `json:"rttMs,omitempty"`
	// LastSync is the end of the last complete anti-entropy session.
	LastSync time.Time `json:"lastSync,omitzero"`
	// Lag is how long this node's writes have been waiting to reach it
	// (0: it has all of them as far as pushes know).
	Lag float64 `json:"lagSeconds"`
	// PullOnly marks this node resyncing after a long absence.
	PullOnly bool `json:"pullOnly,omitempty"`
}

// Join starts this node's membership: it binds the gossip port, joins the
// members in Config.Join (retrying in the background while none answers),
// and starts replicating. It fails if the address cannot be bound or if a
// live member already uses this node's name (ErrNameTaken).
func Join(cfg Config) (*Node, error) {
	cfg.fill()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	k, err := deriveKeys(cfg.Key)
	if err != nil {
		return nil, err
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	log = log.With("component", "cluster")
	n := &Node{cfg: cfg, log: log, keys: k, repl: cfg.Replica, start: cfg.Now(),
		members: map[string]*memberInfo{}, pushers: map[string]*pusher{}, inbound: map[*conn]struct{}{}, leaving: map[string]time.Time{},
		sched: newScheduler(cfg.AntiEntropyInterval, uint64(cfg.Now().UnixNano())), wake: make(chan struct{}, 1)}
	n.ctx, n.cancel = context.WithCancel(context.Background())
	n.feed = newFeed(n)
	if err := n.loadState(); err != nil {
		return nil, err
	}

	host, port, _ := splitAddr("BindAddr", cfg.BindAddr)
	mlog := newMemberlistLogger(log)
	nt, err := memberlist.NewNetTransport(&memberlist.NetTransportConfig{BindAddrs: []string{host}, BindPort: port, Logger: mlog})
	if err != nil {
		return nil, fmt.Errorf("cluster: bind %s: %w", cfg.BindAddr, err)
	}
	var inner memberlist.NodeAwareTransport = nt
	if cfg.Faults != nil {
		inner = newFaultTransport(nt, cfg.Faults, net.ParseIP(host))
	}
	mux := newMuxTransport(inner, n.serveConn)

	var mc *memberlist.Config
	switch cfg.Profile {
	case "wan":
		mc = memberlist.DefaultWANConfig()
	case "local":
		mc = memberlist.DefaultLocalConfig()
	default:
		mc = memberlist.DefaultLANConfig()
	}
	mc.Name = cfg.Name
	mc.Transport = mux
	mc.BindAddr, mc.BindPort = host, nt.GetAutoBindPort()
	mc.AdvertisePort = nt.GetAutoBindPort()
	if cfg.AdvertiseAddr != "" {
		h, p, _ := splitAddr("AdvertiseAddr", cfg.AdvertiseAddr)
		mc.AdvertiseAddr, mc.AdvertisePort = h, p
	}
	mc.Label = "edgefn"
	if !cfg.Insecure {
		mc.SecretKey = k.gossip
		mc.GossipVerifyIncoming, mc.GossipVerifyOutgoing = true, true
	}
	mc.Logger = mlog
	mc.DeadNodeReclaimTime = 30 * time.Second
	d := &delegate{n: n}
	mc.Delegate, mc.Events, mc.Conflict, mc.Ping = d, d, d, d
	mc.DelegateProtocolVersion, mc.DelegateProtocolMin, mc.DelegateProtocolMax = 1, 1, 1

	ml, err := memberlist.Create(mc)
	if err != nil {
		mux.Shutdown()
		return nil, fmt.Errorf("cluster: start memberlist on %s: %w", cfg.BindAddr, err)
	}
	n.ml = ml
	ln := ml.LocalNode()
	n.addr = net.JoinHostPort(ln.Addr.String(), strconv.Itoa(int(ln.Port)))
	if len(cfg.Join) > 0 {
		n.mu.Lock()
		n.joining = true
		n.mu.Unlock()
		got, err := ml.Join(cfg.Join)
		n.mu.Lock()
		n.joining = false
		collision := n.collision
		n.mu.Unlock()
		if collision != nil {
			n.Close()
			return nil, collision
		}
		if err != nil && got == 0 {
			log.Warn("no member reached yet; will keep trying", "join", cfg.Join, "error", err)
		} else {
			log.Info("joined the cluster", "contacted", got, "members", ml.NumMembers())
		}
	}
	n.saveState(true)
	// Read before the loops start: a sync session may leave pull-only at once.
	pullOnly := n.pullOnly != ""
	n.wg.Add(4)
	go n.feed.run()
	go n.syncLoop()
	go n.maintainLoop()
	go n.reconnectLoop()
	log.Info("cluster node started", "addr", n.Addr(), "profile", cfg.Profile, "encrypted", !cfg.Insecure,
		"pullOnly", pullOnly)
	return n, nil
}

// Addr is the address peers reach this node's gossip at.
func (n *Node) Addr() string { return n.addr }

// Self is this node's name.
func (n *Node) Self() string { return n.cfg.Name }

// Alive lists the names of the live members (alive or suspect), this node
// included, sorted.
func (n *Node) Alive() []string {
	n.mu.Lock()
	out := []string{n.cfg.Name}
	for name, mi := range n.members {
		if mi.live() {
			out = append(out, name)
		}
	}
	n.mu.Unlock()
	sort.Strings(out)
	return out
}

// Members lists every member this node knows of, itself first, then by
// name; dead and left members stay listed until the grace period forgets
// them.
//
// memberlist's own member list is not read here: the nodes it returns are
// its internal state, changed under its lock as gossip arrives. The
// event delegate keeps this node's copy instead.
func (n *Node) Members() []Member {
	now := n.cfg.Now()
	n.mu.Lock()
	defer n.mu.Unlock()
	self := Member{Name: n.cfg.Name, Addr: n.Addr(), State: StateAlive, Self: true, HTTP: n.cfg.Meta.HTTP, Admin: n.cfg.Meta.Admin,
		Region: n.cfg.Meta.Region, Version: n.cfg.Meta.Version, Since: n.start, LastSync: n.state.LastSync, PullOnly: n.pullOnly != ""}
	out := []Member{self}
	for name, mi := range n.members {
		m := Member{Name: name, Addr: mi.addr, State: mi.state, HTTP: mi.meta.HTTP, Admin: mi.meta.Admin, Region: mi.meta.Region,
			Version: mi.meta.Version, Since: mi.since, LastContact: mi.lastContact, RTT: float64(mi.rtt.Microseconds()) / 1000}
		if ps := n.state.Peers[name]; ps != nil {
			m.LastSync = ps.SyncedAt
		}
		if p := n.pushers[name]; p != nil {
			m.Lag = p.lag(now).Seconds()
		}
		out = append(out, m)
	}
	sort.Slice(out[1:], func(i, j int) bool { return out[1+i].Name < out[1+j].Name })
	return out
}

// Ready says whether this node has joined its cluster and caught up: nil
// when it has, else why not.
func (n *Node) Ready() error {
	n.mu.Lock()
	defer n.mu.Unlock()
	switch {
	case n.closed:
		return ErrClosed
	case n.pullOnly != "":
		return fmt.Errorf("resyncing pull-only: %s", n.pullOnly)
	case len(n.cfg.Join) > 0 && !n.joined:
		return fmt.Errorf("not joined: no member reached yet (join %s)", strings.Join(n.cfg.Join, ", "))
	case n.joined && !n.caughtUp:
		return errors.New("catching up: no anti-entropy session has completed yet")
	}
	return nil
}

// Leave tells the other members this node is leaving (they mark it left,
// not failed), after pushing what it has not pushed yet, then closes the
// node. timeout bounds the whole.
func (n *Node) Leave(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	n.flushPushes(deadline.Add(-timeout / 2))
	msg := append([]byte{leaveMsg}, n.cfg.Name...)
	var wg sync.WaitGroup
	for _, m := range n.liveNodes() {
		wg.Add(1)
		go func() { defer wg.Done(); _ = n.ml.SendReliable(m, msg) }()
	}
	wg.Wait()
	err := n.ml.Leave(max(time.Until(deadline), time.Second))
	if err != nil {
		n.log.Warn("leaving the cluster: the leave message may not have reached everyone", "error", err)
	} else {
		n.log.Info("left the cluster")
	}
	return errors.Join(err, n.Close())
}

// liveNodes returns copies of the live members' addresses.
func (n *Node) liveNodes() []*memberlist.Node {
	n.mu.Lock()
	defer n.mu.Unlock()
	var out []*memberlist.Node
	for name, mi := range n.members {
		if !mi.live() {
			continue
		}
		host, port, err := splitAddr("member", mi.addr)
		if err != nil {
			continue
		}
		out = append(out, &memberlist.Node{Name: name, Addr: net.ParseIP(host), Port: uint16(port)})
	}
	return out
}

// Close stops the node without telling the others (they will see it fail).
// It is idempotent.
func (n *Node) Close() error {
	var err error
	n.once.Do(func() {
		n.mu.Lock()
		n.closed = true
		ps := n.pushers
		n.pushers = map[string]*pusher{}
		for c := range n.inbound {
			c.Close()
		}
		n.mu.Unlock()
		n.cancel()
		for _, p := range ps {
			p.stop()
		}
		err = n.ml.Shutdown()
		n.wg.Wait()
		n.saveState(true)
	})
	return err
}

// delegate is memberlist's view of the node. Every method is quick and
// never blocks: gossip is not the data path.
type delegate struct{ n *Node }

func (d *delegate) NodeMeta(limit int) []byte {
	b, _ := json.Marshal(d.n.cfg.Meta)
	if len(b) > limit {
		return nil
	}
	return b
}

// leaveMsg, then the node's name, tells the members a node is leaving:
// memberlist's own notice does not say whether a member left or failed.
const leaveMsg = 'L'

func (d *delegate) NotifyMsg(b []byte) {
	if len(b) < 2 || b[0] != leaveMsg || len(b) > 1+maxName {
		return
	}
	d.n.mu.Lock()
	d.n.leaving[string(b[1:])] = d.n.cfg.Now()
	d.n.mu.Unlock()
}

func (d *delegate) GetBroadcasts(overhead, limit int) [][]byte { return nil }
func (d *delegate) LocalState(join bool) []byte                { return nil }
func (d *delegate) MergeRemoteState(buf []byte, join bool)     {}

func addrOf(m *memberlist.Node) string {
	return net.JoinHostPort(m.Addr.String(), strconv.Itoa(int(m.Port)))
}

func (d *delegate) NotifyJoin(m *memberlist.Node) {
	n := d.n
	if m.Name == n.cfg.Name {
		return
	}
	var meta Meta
	_ = json.Unmarshal(m.Meta, &meta)
	now := n.cfg.Now()
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		return
	}
	mi := n.members[m.Name]
	if mi == nil {
		mi = &memberInfo{name: m.Name}
		n.members[m.Name] = mi
	}
	mi.addr, mi.meta, mi.state, mi.since, mi.lastContact = addrOf(m), meta, StateAlive, now, now
	n.joined = true
	n.trackLocked(m.Name, mi.addr, now)
	if p := n.pushers[m.Name]; p != nil {
		p.stop()
	}
	p := newPusher(n, m.Name, mi.addr)
	n.pushers[m.Name] = p
	p.start()
	n.sched.add(m.Name, now)
	n.kick()
	n.log.Info("member joined", "member", m.Name, "addr", mi.addr, "region", meta.Region, "version", meta.Version)
}

func (d *delegate) NotifyLeave(m *memberlist.Node) {
	n := d.n
	if m.Name == n.cfg.Name {
		return
	}
	now := n.cfg.Now()
	n.mu.Lock()
	defer n.mu.Unlock()
	// memberlist says left when the node's own leave reached it; the
	// leave message covers a node that left but was declared dead first.
	state := StateDead
	if t, ok := n.leaving[m.Name]; m.State == memberlist.StateLeft || (ok && now.Sub(t) < time.Minute) {
		state = StateLeft
	}
	delete(n.leaving, m.Name)
	if mi := n.members[m.Name]; mi != nil {
		mi.state, mi.since = state, now
	}
	if p := n.pushers[m.Name]; p != nil {
		delete(n.pushers, m.Name)
		go p.stop()
	}
	n.sched.remove(m.Name)
	if state == StateLeft {
		n.log.Info("member left", "member", m.Name)
	} else {
		n.log.Warn("member failed", "member", m.Name)
	}
}

// NotifyUpdate: a member's meta changed, it became suspect, or a suspect
// member is alive again (memberlist as edgefn builds it tells the last two,
// cluster/third_party/memberlist; m.State says which).
func (d *delegate) NotifyUpdate(m *memberlist.Node) {
	n := d.n
	if m.Name == n.cfg.Name {
		return
	}
	var meta Meta
	_ = json.Unmarshal(m.Meta, &meta)
	now := n.cfg.Now()
	n.mu.Lock()
	defer n.mu.Unlock()
	mi := n.members[m.Name]
	if mi == nil || !mi.live() {
		return // NotifyJoin brings it back
	}
	mi.meta, mi.addr = meta, addrOf(m)
	switch {
	case m.State == memberlist.StateSuspect && mi.state != StateSuspect:
		mi.state, mi.since = StateSuspect, now
		n.log.Warn("member suspect: it stopped answering probes; dead unless it refutes in time", "member", m.Name)
	case m.State == memberlist.StateAlive && mi.state == StateSuspect:
		mi.state, mi.since = StateAlive, now
		n.log.Info("member alive again: it refuted the suspicion", "member", m.Name)
	}
}

// NotifyConflict: two nodes claim one name. The node that is joining
// refuses to start; the others keep the member they had, and say so.
func (d *delegate) NotifyConflict(existing, other *memberlist.Node) {
	n := d.n
	n.mu.Lock()
	defer n.mu.Unlock()
	if existing.Name == n.cfg.Name && n.joining {
		n.collision = fmt.Errorf("%w: %q is in use by the member at %s; give this node another --node-name", ErrNameTaken, existing.Name, addrOf(other))
		n.log.Error("refusing to join: this node's name is taken", "name", existing.Name, "holder", addrOf(other))
		return
	}
	n.log.Error("refused a node: its name is taken by a live member", "name", other.Name, "refused", addrOf(other), "holder", addrOf(existing))
}

func (d *delegate) AckPayload() []byte { return nil }

func (d *delegate) NotifyPingComplete(m *memberlist.Node, rtt time.Duration, _ []byte) {
	d.n.mu.Lock()
	if mi := d.n.members[m.Name]; mi != nil {
		mi.lastContact, mi.rtt = d.n.cfg.Now(), rtt
	}
	d.n.mu.Unlock()
}

// kick wakes the sync loop.
func (n *Node) kick() {
	select {
	case n.wake <- struct{}{}:
	default:
	}
}

// serveConn takes a replication connection from the mux.
func (n *Node) serveConn(c net.Conn, r *bufio.Reader) {
	n.mu.Lock()
	closed := n.closed
	if !closed {
		n.wg.Add(1)
	}
	n.mu.Unlock()
	if closed {
		c.Close()
		return
	}
	defer n.wg.Done()
	n.serve(c, r)
}

// memberlistLogger turns memberlist's "[LEVEL] memberlist: ..." lines into
// slog records.
type memberlistWriter struct{ log *slog.Logger }

func newMemberlistLogger(l *slog.Logger) *log.Logger {
	return log.New(&memberlistWriter{log: l.With("component", "memberlist")}, "", 0)
}

func (w *memberlistWriter) Write(b []byte) (int, error) {
	line := string(bytes.TrimSpace(b))
	level := slog.LevelInfo
	for _, l := range []struct {
		tag string
		lvl slog.Level
	}{{"[DEBUG]", slog.LevelDebug}, {"[INFO]", slog.LevelInfo}, {"[WARN]", slog.LevelWarn}, {"[ERR]", slog.LevelError}} {
		if i := strings.Index(line, l.tag); i >= 0 {
			level = l.lvl
			line = strings.TrimSpace(line[i+len(l.tag):])
			break
		}
	}
	line = strings.TrimPrefix(line, "memberlist: ")
	w.log.Log(context.Background(), level, line)
	return len(b), nil
}

var _ io.Writer = (*memberlistWriter)(nil)

// rateLimiter lets one log line of a kind through per interval.
type rateLimiter struct {
	mu   sync.Mutex
	last map[string]time.Time
}

func (r *rateLimiter) allow(kind string, every time.Duration) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.last == nil {
		r.last = map[string]time.Time{}
	}
	now := time.Now()
	if t, ok := r.last[kind]; ok && now.Sub(t) < every {
		return false
	}
	if len(r.last) > 1000 {
		r.last = map[string]time.Time{}
	}
	r.last[kind] = now
	return true
}
