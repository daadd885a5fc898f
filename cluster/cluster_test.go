package cluster_test

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/edgefn/edgefn/cluster"
	"github.com/edgefn/edgefn/edge"
	"github.com/edgefn/edgefn/kv"
)

// logBuf collects a node's logs for tests that check what was said.
type logBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuf) has(s string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Contains(l.b.String(), s)
}

type tnode struct {
	t      testing.TB
	name   string
	ip     string
	dir    string
	store  *kv.Store
	node   *cluster.Node
	faults *cluster.Faults
	logs   *logBuf
	cfg    cluster.Config
}

var testKey = bytes.Repeat([]byte{7}, 32)

type opts struct {
	key      []byte
	grace    time.Duration
	minAge   time.Duration
	skew     time.Duration // this node's clock runs ahead by this much
	join     []string
	dir      string
	noFaults bool
	// production keeps the default intervals (anti-entropy every 5 s,
	// tombstones at least a minute old) instead of the tests' short ones.
	production bool
}

// start runs a node named n<i> on 127.0.0.<10+i>, its store in dir (a new
// temporary directory when empty).
func start(t testing.TB, i int, o opts) (*tnode, error) {
	t.Helper()
	tn := &tnode{t: t, name: fmt.Sprintf("n%d", i), ip: fmt.Sprintf("127.0.0.%d", 10+i), dir: o.dir, logs: &logBuf{}}
	if tn.dir == "" {
		tn.dir = t.TempDir()
	}
	log := slog.New(slog.NewTextHandler(tn.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	now := time.Now
	if o.skew != 0 {
		now = func() time.Time { return time.Now().Add(o.skew) }
	}
	kc := kv.DefaultConfig()
	kc.Dir, kc.NodeID, kc.Logger, kc.Now = tn.dir+"/kv", tn.name, log, now
	kc.MaxClockSkew = 5 * time.Second
	var err error
	if tn.store, err = kv.Open(kc); err != nil {
		t.Fatal(err)
	}
	cfg := cluster.DefaultConfig()
	cfg.Name = tn.name
	cfg.BindAddr = tn.ip + ":0"
	cfg.Key = testKey
	if o.key != nil {
		cfg.Key = o.key
	}
	cfg.Profile = "local"
	cfg.Replica = edge.ClusterReplica(tn.store)
	cfg.Logger = log
	cfg.StateDir = tn.dir
	cfg.AntiEntropyInterval = 300 * time.Millisecond
	cfg.ReconnectInterval = 300 * time.Millisecond
	cfg.TombstoneGrace = time.Hour
	cfg.TombstoneMinAge = 200 * time.Millisecond
	if o.grace > 0 {
		cfg.TombstoneGrace = o.grace
	}
	if o.minAge > 0 {
		cfg.TombstoneMinAge = o.minAge
	}
	if o.production {
		d := cluster.DefaultConfig()
		cfg.AntiEntropyInterval, cfg.TombstoneMinAge, cfg.ReconnectInterval = d.AntiEntropyInterval, d.TombstoneMinAge, d.ReconnectInterval
	}
	cfg.Join = o.join
	cfg.Now = now
	if !o.noFaults {
		tn.faults = cluster.NewFaults(uint64(i))
		cfg.Faults = tn.faults
	}
	tn.cfg = cfg
	if tn.node, err = cluster.Join(cfg); err != nil {
		tn.store.Close()
		return nil, err
	}
	t.Cleanup(tn.stop)
	return tn, nil
}

func (tn *tnode) stop() {
	if tn.node != nil {
		tn.node.Close()
		tn.node = nil
	}
	if tn.store != nil {
		tn.store.Close()
		tn.store = nil
	}
}

// cluster starts n nodes, each joining the first.
func startCluster(t *testing.T, n int, o opts) []*tnode {
	t.Helper()
	var nodes []*tnode
	for i := 1; i <= n; i++ {
		oi := o
		if i > 1 {
			oi.join = []string{nodes[0].node.Addr()}
		}
		tn, err := start(t, i, oi)
		if err != nil {
			t.Fatal(err)
		}
		nodes = append(nodes, tn)
	}
	waitFor(t, "every node sees every other", func() bool {
		for _, tn := range nodes {
			if len(tn.node.Alive()) != n {
				return false
			}
		}
		return true
	})
	return nodes
}

// waitFor polls cond until it holds, failing after a deadline generous
// enough for a loaded machine.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func converged(nodes []*tnode) bool {
	var first []byte
	for i, tn := range nodes {
		d, err := tn.store.Dump()
		if err != nil {
			return false
		}
		if i == 0 {
			first = d
		} else if !bytes.Equal(d, first) {
			return false
		}
	}
	return true
}

func get(tn *tnode, ns, key string) (string, bool) {
	e, err := tn.store.Get(ns, key)
	if err != nil {
		return "", false
	}
	return string(e.Value), true
}

func memberState(tn *tnode, name string) string {
	for _, m := range tn.node.Members() {
		if m.Name == name {
			return m.State
		}
	}
	return ""
}

func TestJoinReplicateLeave(t *testing.T) {
	nodes := startCluster(t, 3, opts{})
	a, b, c := nodes[0], nodes[1], nodes[2]
	if _, err := a.store.Put("app", "greeting", []byte("hello"), kv.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "a write reaches both peers", func() bool {
		v1, ok1 := get(b, "app", "greeting")
		v2, ok2 := get(c, "app", "greeting")
		return ok1 && ok2 && v1 == "hello" && v2 == "hello"
	})
	if _, err := c.store.Delete("app", "greeting"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "a delete reaches both peers", func() bool {
		_, ok1 := get(a, "app", "greeting")
		_, ok2 := get(b, "app", "greeting")
		return !ok1 && !ok2
	})
	waitFor(t, "the stores are byte-identical", func() bool { return converged(nodes) })
	waitFor(t, "every node is ready", func() bool {
		for _, tn := range nodes {
			if tn.node.Ready() != nil {
				return false
			}
		}
		return true
	})
	// Ready needs one session caught up, not one with every peer: n1's
	// first session with n2 may still be due.
	var ms []cluster.Member
	waitFor(t, "n1 lists n2 alive and synced", func() bool {
		ms = a.node.Members()
		return len(ms) == 3 && ms[1].Name == "n2" && ms[1].State == "alive" && !ms[1].LastSync.IsZero()
	})
	if !ms[0].Self || ms[0].Name != "n1" {
		t.Fatalf("members: %+v", ms)
	}
	// A graceful leave: the others see "left", not "failed".
	if err := c.node.Leave(5 * time.Second); err != nil {
		t.Fatal(err)
	}
	c.node = nil
	waitFor(t, "the others mark n3 left", func() bool {
		return memberState(a, "n3") == "left" && memberState(b, "n3") == "left"
	})
	if a.logs.has("member failed") {
		t.Fatal("a graceful leave was taken for a failure")
	}
	if got := a.node.Alive(); fmt.Sprint(got) != "[n1 n2]" {
		t.Fatalf("alive after leave: %v", got)
	}
}

func TestFailureDetected(t *testing.T) {
	nodes := startCluster(t, 3, opts{})
	nodes[2].stop() // no leave: a crash, as the others see it
	waitFor(t, "the others mark n3 dead", func() bool {
		return memberState(nodes[0], "n3") == "dead" && memberState(nodes[1], "n3") == "dead"
	})
	if fmt.Sprint(nodes[0].node.Alive()) != "[n1 n2]" {
		t.Fatalf("alive: %v", nodes[0].node.Alive())
	}
}

// TestSuspectShown stops one node's gossip without a leave (a frozen
// process): the others show it suspect, still counted live, and then dead
// once the suspicion times out.
func TestSuspectShown(t *testing.T) {
	nodes := startCluster(t, 3, opts{})
	a, b, c := nodes[0], nodes[1], nodes[2]
	c.faults.Pause()
	defer c.faults.Resume()
	seen := map[string]bool{}
	waitFor(t, "the others mark n3 dead", func() bool {
		done := true
		for _, tn := range []*tnode{a, b} {
			switch memberState(tn, "n3") {
			case "suspect":
				if !seen[tn.name] {
					seen[tn.name] = true
					if alive := fmt.Sprint(tn.node.Alive()); alive != "[n1 n2 n3]" {
						t.Errorf("%s: a suspect member is no longer counted live: %v", tn.name, alive)
					}
				}
				done = false
			case "dead":
			default:
				done = false
			}
		}
		return done
	})
	if !seen["n1"] || !seen["n2"] {
		t.Fatalf("n3 went dead without being shown suspect first (seen suspect on %v)", seen)
	}
	if !a.logs.has("member suspect") || !a.logs.has("member failed") {
		t.Fatal("n1 did not log the suspicion and the failure")
	}
	if fmt.Sprint(a.node.Alive()) != "[n1 n2]" {
		t.Fatalf("alive once dead: %v", a.node.Alive())
	}
}

// TestSuspectRefuted: a node whose gossip stops only briefly is shown
// suspect, then alive again once it refutes the suspicion, never dead.
func TestSuspectRefuted(t *testing.T) {
	nodes := startCluster(t, 3, opts{})
	a, c := nodes[0], nodes[2]
	c.faults.Pause()
	waitFor(t, "n1 marks n3 suspect", func() bool { return memberState(a, "n3") == "suspect" })
	c.faults.Resume()
	waitFor(t, "n1 marks n3 alive again", func() bool { return memberState(a, "n3") == "alive" })
	if !a.logs.has("member alive again") || a.logs.has("member failed") {
		t.Fatal("n1 did not see the refutation as such")
	}
}

func partition(nodes []*tnode, side []*tnode) {
	in := map[*tnode]bool{}
	for _, tn := range side {
		in[tn] = true
	}
	for _, x := range nodes {
		for _, y := range nodes {
			if in[x] != in[y] {
				x.faults.Partition(y.ip)
			}
		}
	}
}

func heal(nodes []*tnode) {
	for _, tn := range nodes {
		tn.faults.Heal()
	}
}

func TestAntiEntropyAfterPartition(t *testing.T) {
	nodes := startCluster(t, 3, opts{})
	a, c := nodes[0], nodes[2]
	for i := 0; i < 50; i++ {
		a.store.Put("ns", fmt.Sprint("before", i), []byte("x"), kv.PutOptions{})
	}
	waitFor(t, "the first writes converge", func() bool { return converged(nodes) })
	partition(nodes, []*tnode{c})
	waitFor(t, "the majority sees n3 dead", func() bool { return memberState(a, "n3") == "dead" })
	for i := 0; i < 500; i++ {
		a.store.Put("ns", fmt.Sprint("k", i), []byte(fmt.Sprint("a", i)), kv.PutOptions{})
	}
	for i := 0; i < 20; i++ {
		a.store.Delete("ns", fmt.Sprint("before", i))
		c.store.Put("other", fmt.Sprint("c", i), []byte("from the minority"), kv.PutOptions{})
	}
	// Both sides change one key: the later write wins everywhere.
	c.store.Put("ns", "k7", []byte("minority"), kv.PutOptions{})
	time.Sleep(5 * time.Millisecond)
	a.store.Put("ns", "k7", []byte("majority, later"), kv.PutOptions{})
	if converged(nodes) {
		t.Fatal("the partition let data through")
	}
	heal(nodes)
	waitFor(t, "the partition heals and all converge", func() bool { return converged(nodes) })
	for _, tn := range nodes {
		if v, _ := get(tn, "ns", "k7"); v != "majority, later" {
			t.Fatalf("%s: k7 = %q", tn.name, v)
		}
		if _, ok := get(tn, "ns", "before3"); ok {
			t.Fatalf("%s: a deleted key is back", tn.name)
		}
		if v, _ := get(tn, "other", "c5"); v != "from the minority" {
			t.Fatalf("%s: a minority write was lost", tn.name)
		}
	}
}

func TestDropDuplicateReorderDelay(t *testing.T) {
	nodes := startCluster(t, 4, opts{})
	for _, tn := range nodes {
		tn.faults.Set(cluster.FaultRules{Drop: 0.2, Duplicate: 0.3, Reorder: 0.3, Delay: 5 * time.Millisecond})
	}
	var wg sync.WaitGroup
	for i, tn := range nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 150; j++ {
				key := fmt.Sprint("k", j%40)
				if j%7 == 3 {
					tn.store.Delete("ns", key)
				} else {
					tn.store.Put("ns", key, []byte(fmt.Sprint(i, "/", j)), kv.PutOptions{})
				}
			}
		}()
	}
	wg.Wait()
	waitFor(t, "all converge despite lost, doubled and reordered messages", func() bool { return converged(nodes) })
	// Every push lost (the senders believe they went): only anti-entropy
	// can bring these writes to the peers.
	for _, tn := range nodes {
		tn.faults.Set(cluster.FaultRules{Drop: 1})
	}
	for i, tn := range nodes {
		tn.store.Put("lost", fmt.Sprint("k", i), []byte("v"), kv.PutOptions{})
	}
	waitFor(t, "anti-entropy delivers writes whose pushes were all lost", func() bool {
		for _, tn := range nodes {
			for i := range nodes {
				if _, ok := get(tn, "lost", fmt.Sprint("k", i)); !ok {
					return false
				}
			}
		}
		return converged(nodes)
	})
}

// tombstones counts the tombstones a store holds.
func tombstones(t *testing.T, tn *tnode, ns string) int {
	recs, err := tn.store.BucketsRecords(ns, allBuckets())
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, r := range recs {
		if r.Tombstone {
			n++
		}
	}
	return n
}

func allBuckets() []int {
	b := make([]int, kv.Buckets)
	for i := range b {
		b[i] = i
	}
	return b
}

func TestTombstonesCollectedOnlyOnceAllSynced(t *testing.T) {
	nodes := startCluster(t, 3, opts{})
	a, c := nodes[0], nodes[2]
	for i := 0; i < 30; i++ {
		a.store.Put("ns", fmt.Sprint("k", i), []byte("v"), kv.PutOptions{})
	}
	waitFor(t, "writes converge", func() bool { return converged(nodes) })
	partition(nodes, []*tnode{c})
	for i := 0; i < 10; i++ {
		a.store.Delete("ns", fmt.Sprint("k", i))
	}
	// n3 has not seen the deletes: however long we wait, the majority
	// keeps the tombstones (n3 is still a member, within the grace period).
	time.Sleep(2 * time.Second)
	for _, tn := range nodes[:2] {
		if n := tombstones(t, tn, "ns"); n != 10 {
			t.Fatalf("%s collected tombstones a member has not synced: %d left", tn.name, n)
		}
	}
	heal(nodes)
	waitFor(t, "the deletes reach n3 and every node collects the tombstones", func() bool {
		for _, tn := range nodes {
			if tombstones(t, tn, "ns") != 0 {
				return false
			}
		}
		return converged(nodes)
	})
	for _, tn := range nodes {
		if _, ok := get(tn, "ns", "k3"); ok {
			t.Fatalf("%s: deleted key back", tn.name)
		}
		if _, ok := get(tn, "ns", "k13"); !ok {
			t.Fatalf("%s: live key gone", tn.name)
		}
	}
}

func TestAwayPastGraceRejoinsPullOnly(t *testing.T) {
	o := opts{grace: 3 * time.Second, minAge: 100 * time.Millisecond}
	nodes := startCluster(t, 3, o)
	a, c := nodes[0], nodes[2]
	a.store.Put("ns", "doomed", []byte("v"), kv.PutOptions{})
	a.store.Put("ns", "kept", []byte("v"), kv.PutOptions{})
	waitFor(t, "writes converge", func() bool { return converged(nodes) })
	dir := c.dir
	c.stop()
	a.store.Delete("ns", "doomed")
	// Past the grace period the majority forgets n3 and collects the
	// tombstone.
	waitFor(t, "the tombstone is collected past the grace period", func() bool {
		return tombstones(t, a, "ns") == 0 && tombstones(t, nodes[1], "ns") == 0
	})
	time.Sleep(o.grace) // n3's own last sync is now older than the grace period
	c2, err := start(t, 3, opts{grace: o.grace, minAge: o.minAge, dir: dir, join: []string{a.node.Addr()}})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := get(c2, "ns", "doomed"); !ok {
		t.Fatal("test setup: the returning node should still hold the key")
	}
	if c2.node.Ready() == nil {
		t.Fatal("a node back from past the grace period is ready before its resync")
	}
	all := []*tnode{a, nodes[1], c2}
	waitFor(t, "the returning node resyncs", func() bool { return c2.node.Ready() == nil && converged(all) })
	for _, tn := range all {
		if _, ok := get(tn, "ns", "doomed"); ok {
			t.Fatalf("%s: the deleted key came back", tn.name)
		}
		if _, ok := get(tn, "ns", "kept"); !ok {
			t.Fatalf("%s: a live key was lost", tn.name)
		}
	}
	if !c2.logs.has("rejoining pull-only") || !c2.logs.has("leaving pull-only") {
		t.Fatal("the pull-only resync was not logged")
	}
}

func TestWrongKeyRefused(t *testing.T) {
	nodes := startCluster(t, 2, opts{})
	bad, err := start(t, 3, opts{key: bytes.Repeat([]byte{9}, 32), join: []string{nodes[0].node.Addr()}})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second)
	if len(nodes[0].node.Alive()) != 2 || len(bad.node.Alive()) != 1 {
		t.Fatalf("a node with another key got in: %v / %v", nodes[0].node.Alive(), bad.node.Alive())
	}
	if bad.node.Ready() == nil {
		t.Fatal("a node that could not join is ready")
	}
	waitFor(t, "the refusal is logged", func() bool { return nodes[0].logs.has("memberlist") && nodes[0].logs.has("decrypt") })
	// The cluster keeps working.
	nodes[0].store.Put("ns", "k", []byte("v"), kv.PutOptions{})
	waitFor(t, "the cluster still replicates", func() bool { _, ok := get(nodes[1], "ns", "k"); return ok })
	if _, ok := get(bad, "ns", "k"); ok {
		t.Fatal("data reached a node with another key")
	}
}

func TestGarbagePeer(t *testing.T) {
	nodes := startCluster(t, 2, opts{})
	addr := nodes[0].node.Addr()
	for _, payload := range [][]byte{
		{0xE7},          // the replication magic, then nothing
		{0xE7, 1, 2, 3}, // a truncated handshake
		append([]byte{0xE7, 1}, bytes.Repeat([]byte{0xff}, 300)...), // garbage after the magic
		bytes.Repeat([]byte("GET / HTTP/1.1\r\n"), 10),              // not even memberlist
	} {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		c.Write(payload)
		c.(*net.TCPConn).CloseWrite() // truncated: nothing more will come
		c.SetReadDeadline(time.Now().Add(15 * time.Second))
		buf := make([]byte, 256)
		for {
			if _, err := c.Read(buf); err != nil {
				break // the node hung up
			}
		}
		c.Close()
	}
	waitFor(t, "the refusal is logged", func() bool { return nodes[0].logs.has("refused a replication connection") })
	nodes[1].store.Put("ns", "after", []byte("v"), kv.PutOptions{})
	waitFor(t, "the node still replicates", func() bool { _, ok := get(nodes[0], "ns", "after"); return ok })
}

func TestAbsurdTimestampRefused(t *testing.T) {
	nodes := startCluster(t, 2, opts{})
	fast, err := start(t, 3, opts{skew: time.Hour, join: []string{nodes[0].node.Addr()}})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the fast node joins", func() bool { return len(nodes[0].node.Alive()) == 3 })
	fast.store.Put("ns", "future", []byte("v"), kv.PutOptions{})
	nodes[0].store.Put("ns", "present", []byte("v"), kv.PutOptions{})
	waitFor(t, "the skewed write is refused and logged", func() bool {
		return nodes[0].logs.has("too far") && nodes[1].logs.has("too far")
	})
	waitFor(t, "normal writes still replicate, to the fast node too", func() bool {
		_, ok1 := get(nodes[1], "ns", "present")
		_, ok2 := get(fast, "ns", "present")
		return ok1 && ok2
	})
	for _, tn := range nodes {
		if _, ok := get(tn, "ns", "future"); ok {
			t.Fatalf("%s applied a record an hour in the future", tn.name)
		}
	}
}

func TestNameCollisionRefused(t *testing.T) {
	nodes := startCluster(t, 2, opts{})
	// A second "n1" on another address.
	_, err := start(t, 1+10, opts{join: []string{nodes[1].node.Addr()}})
	if err != nil {
		t.Fatal(err) // n11 is a fine name; now the real test
	}
	tn := &tnode{}
	_ = tn
	cfg := nodes[0].cfg
	kc := kv.DefaultConfig()
	kc.InMemory, kc.NodeID = true, "n1"
	st, err := kv.Open(kc)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	logs := &logBuf{}
	cfg.BindAddr = "127.0.0.30:0"
	cfg.Replica = edge.ClusterReplica(st)
	cfg.StateDir = ""
	cfg.Faults = nil
	cfg.Logger = slog.New(slog.NewTextHandler(logs, nil))
	cfg.Join = []string{nodes[1].node.Addr()}
	dup, err := cluster.Join(cfg)
	if err == nil {
		dup.Close()
		t.Fatal("a second node named n1 joined")
	}
	if !errors.Is(err, cluster.ErrNameTaken) {
		t.Fatalf("want ErrNameTaken, got %v", err)
	}
	waitFor(t, "the holder side logs the refusal", func() bool {
		return nodes[0].logs.has("name is taken") || nodes[1].logs.has("name is taken")
	})
	if len(nodes[1].node.Alive()) != 3 || memberState(nodes[1], "n1") != "alive" {
		t.Fatalf("the collision disturbed the cluster: %v", nodes[1].node.Members())
	}
}
