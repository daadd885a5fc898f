//go:build chaos

package main

// The fault harness: five real edgefn processes on 127.0.0.61-65, a
// put/delete workload that logs every acknowledged write, and faults
// (kill -9 and restart, SIGSTOP/SIGCONT, a partition, lost, doubled,
// reordered and delayed messages, a skewed clock). After healing it checks
// that every acknowledged write is present or superseded, that no deleted
// key came back, that all nodes hold byte-identical data, and that expired
// keys are gone. Run it with scripts/chaos.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

const chaosNodes = 5

type chaosNode struct {
	i                   int
	name, ip            string
	http, admin, gossip string
	data                string
	cmd                 *exec.Cmd
	log                 *os.File
	exited              chan struct{}
}

type chaosCluster struct {
	t      *testing.T
	bin    string
	dir    string
	key    string
	conf   string
	nodes  []*chaosNode
	client *http.Client
}

// op is one write the workload attempted.
type op struct {
	key     string
	del     bool
	value   string
	node    int
	acked   bool   // the node answered 2xx
	unknown bool   // no answer: it may or may not have happened
	version string // HLC/NODE, when acked
}

func (c *chaosCluster) args(n *chaosNode, clockOffset time.Duration) []string {
	a := []string{"serve", "--config", c.conf, "--node-name", n.name, "--data", n.data, "--listen", n.http, "--admin", n.admin,
		"--gossip", n.gossip, "--cluster-key-file", c.key, "--token", "chaos", "--log-format", "text", "--log-level", "info",
		"--test-faults"}
	if clockOffset != 0 {
		a = append(a, "--test-clock-offset", clockOffset.String())
	}
	for _, o := range c.nodes {
		if o != n {
			a = append(a, "--join", o.gossip)
		}
	}
	return a
}

func (c *chaosCluster) start(n *chaosNode, clockOffset time.Duration) {
	c.t.Helper()
	cmd := exec.Command(c.bin, c.args(n, clockOffset)...)
	cmd.Stdout, cmd.Stderr = n.log, n.log
	if err := cmd.Start(); err != nil {
		c.t.Fatal(err)
	}
	n.cmd = cmd
	n.exited = make(chan struct{})
	go func(ch chan struct{}) { cmd.Wait(); close(ch) }(n.exited)
}

func (c *chaosCluster) kill(n *chaosNode) {
	n.cmd.Process.Signal(syscall.SIGKILL)
	<-n.exited
}

func (c *chaosCluster) call(n *chaosNode, method, path string, body []byte, out any) (int, http.Header, error) {
	req, _ := http.NewRequest(method, "http://"+n.admin+path, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer chaos")
	res, err := c.client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if out != nil && res.StatusCode < 300 {
		if bs, ok := out.(*[]byte); ok {
			*bs = b
		} else if err := json.Unmarshal(b, out); err != nil {
			return res.StatusCode, res.Header, err
		}
	}
	return res.StatusCode, res.Header, nil
}

func (c *chaosCluster) faults(n *chaosNode, req map[string]any) {
	b, _ := json.Marshal(req)
	if code, _, err := c.call(n, "POST", "/v1/cluster/faults", b, nil); err != nil || code != 200 {
		c.t.Logf("faults on %s: %d %v", n.name, code, err)
	}
}

func newChaosCluster(t *testing.T, run int) *chaosCluster {
	dir := t.TempDir()
	c := &chaosCluster{t: t, dir: dir, client: &http.Client{Timeout: 3 * time.Second}}
	c.bin = chaosBinary(t)
	c.key = filepath.Join(dir, "key")
	if code := run0([]string{"cluster", "keygen", "--out", c.key}); code != 0 {
		t.Fatal("keygen failed")
	}
	c.conf = filepath.Join(dir, "edgefn.toml")
	os.WriteFile(c.conf, []byte("[cluster]\nprofile = \"lan\"\nanti_entropy_ms = 1000\n"), 0o600)
	for i := 1; i <= chaosNodes; i++ {
		ip := fmt.Sprintf("127.0.0.%d", 60+i)
		n := &chaosNode{i: i, name: fmt.Sprintf("n%d", i), ip: ip, http: freeAddrOn(t, ip), admin: freeAddrOn(t, ip),
			gossip: freeAddrOn(t, ip), data: filepath.Join(dir, fmt.Sprintf("n%d", i))}
		f, err := os.Create(filepath.Join(logDir(), fmt.Sprintf("run%d-n%d.log", run, i)))
		if err != nil {
			t.Fatal(err)
		}
		n.log = f
		c.nodes = append(c.nodes, n)
	}
	for _, n := range c.nodes {
		c.start(n, 0)
	}
	c.waitReady(60 * time.Second)
	t.Cleanup(func() {
		for _, n := range c.nodes {
			if n.cmd != nil {
				n.cmd.Process.Signal(syscall.SIGCONT)
				n.cmd.Process.Signal(syscall.SIGKILL)
				<-n.exited
			}
			n.log.Close()
		}
	})
	return c
}

func logDir() string {
	d := os.Getenv("CHAOS_LOGS")
	if d == "" {
		d = os.TempDir()
	}
	os.MkdirAll(d, 0o755)
	return d
}

func run0(args []string) int { return run(context.Background(), args, io.Discard, io.Discard) }

var buildOnce sync.Once
var builtBin string

func chaosBinary(t *testing.T) string {
	buildOnce.Do(func() {
		builtBin = filepath.Join(os.TempDir(), fmt.Sprintf("edgefn-chaos-%d", os.Getpid()))
		args := []string{"build", "-o", builtBin}
		if os.Getenv("CHAOS_RACE") == "1" {
			args = append(args, "-race")
		}
		out, err := exec.Command("go", append(args, ".")...).CombinedOutput()
		if err != nil {
			t.Fatalf("build: %v\n%s", err, out)
		}
	})
	return builtBin
}

func (c *chaosCluster) waitReady(limit time.Duration) {
	c.t.Helper()
	deadline := time.Now().Add(limit)
	for _, n := range c.nodes {
		for {
			res, err := c.client.Get("http://" + n.admin + "/readyz")
			if err == nil {
				res.Body.Close()
				if res.StatusCode == 200 {
					break
				}
			}
			if time.Now().After(deadline) {
				c.t.Fatalf("%s not ready", n.name)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
}

// workload writes until stop closes, from one goroutine per node.
func (c *chaosCluster) workload(stop chan struct{}, seed uint64) []*op {
	var mu sync.Mutex
	var ops []*op
	var wg sync.WaitGroup
	for _, n := range c.nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(seed, uint64(n.i)))
			for j := 0; ; j++ {
				select {
				case <-stop:
					return
				default:
				}
				o := &op{key: fmt.Sprintf("k%03d", rng.IntN(150)), node: n.i}
				path := "/v1/kv/chaos/" + o.key
				var code int
				var hdr http.Header
				var err error
				if rng.IntN(100) < 20 {
					o.del = true
					code, hdr, err = c.call(n, "DELETE", path, nil, nil)
				} else {
					o.value = fmt.Sprintf("%s-%d", n.name, j)
					code, hdr, err = c.call(n, "PUT", path, []byte(o.value), nil)
				}
				switch {
				case err != nil:
					o.unknown = true
				case code/100 == 2:
					o.acked, o.version = true, hdr.Get("X-Edgefn-Version")
				}
				if j%10 == 0 {
					// Short-lived keys: they must be gone everywhere at the end.
					c.call(n, "PUT", fmt.Sprintf("/v1/kv/ttl/%s-%d?expiration_ttl=2", n.name, j), []byte("x"), nil)
				}
				mu.Lock()
				ops = append(ops, o)
				mu.Unlock()
				time.Sleep(time.Duration(5+rng.IntN(15)) * time.Millisecond)
			}
		}()
	}
	<-stop
	wg.Wait()
	return ops
}

type ver struct {
	hlc  uint64
	node string
}

func parseVer(s string) (ver, bool) {
	h, n, ok := strings.Cut(s, "/")
	if !ok {
		return ver{}, false
	}
	x, err := strconv.ParseUint(h, 10, 64)
	return ver{x, n}, err == nil
}

func (a ver) less(b ver) bool {
	if a.hlc != b.hlc {
		return a.hlc < b.hlc
	}
	return a.node < b.node
}

// check compares the final state with the log of writes.
func (c *chaosCluster) check(ops []*op) (lost, resurrected int) {
	byKey := map[string][]*op{}
	for _, o := range ops {
		byKey[o.key] = append(byKey[o.key], o)
	}
	keys := make([]string, 0, len(byKey))
	for k := range byKey {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	n := c.nodes[0]
	for _, k := range keys {
		var latest *op
		var lv ver
		for _, o := range byKey[k] {
			if !o.acked {
				continue
			}
			v, ok := parseVer(o.version)
			if !ok {
				c.t.Errorf("%s: acked without a version", k)
				continue
			}
			if latest == nil || lv.less(v) {
				latest, lv = o, v
			}
		}
		var body []byte
		code, hdr, err := c.call(n, "GET", "/v1/kv/chaos/"+k, nil, &body)
		if err != nil {
			c.t.Fatalf("final read of %s: %v", k, err)
		}
		present := code == 200
		if latest == nil {
			continue // nothing acknowledged: any outcome is allowed
		}
		if !present {
			if latest.del {
				continue
			}
			// Absent although the newest acknowledged write is a put:
			// allowed only if a delete of unknown outcome could have
			// superseded it.
			if !anyUnknownDelete(byKey[k]) {
				lost++
				c.t.Errorf("lost: %s = %q (%s) acknowledged, now absent", k, latest.value, latest.version)
			}
			continue
		}
		fv, _ := parseVer(hdr.Get("X-Edgefn-Version"))
		switch {
		case fv.less(lv) && latest.del:
			resurrected++
			c.t.Errorf("resurrected: %s deleted at %s, back with %q (%s)", k, latest.version, body, hdr.Get("X-Edgefn-Version"))
		case fv.less(lv):
			lost++
			c.t.Errorf("lost: %s = %q (%s) acknowledged, now %q (%s)", k, latest.value, latest.version, body, hdr.Get("X-Edgefn-Version"))
		case fv == lv && string(body) != latest.value:
			lost++
			c.t.Errorf("%s: value %q under the version of %q", k, body, latest.value)
		case lv.less(fv) && !anyUnknown(byKey[k]) && !ackedAt(byKey[k], fv):
			c.t.Errorf("%s: a version (%v) no write of the log made", k, fv)
		}
	}
	return lost, resurrected
}

func anyUnknownDelete(ops []*op) bool {
	for _, o := range ops {
		if o.unknown && o.del {
			return true
		}
	}
	return false
}

func anyUnknown(ops []*op) bool {
	for _, o := range ops {
		if o.unknown {
			return true
		}
	}
	return false
}

func ackedAt(ops []*op, v ver) bool {
	for _, o := range ops {
		if ov, ok := parseVer(o.version); ok && ov == v {
			return true
		}
	}
	return false
}

// converge waits until every node's store hashes the same (after expiring
// what is due), and returns how long it took.
func (c *chaosCluster) converge(limit time.Duration, live bool) (time.Duration, bool) {
	start := time.Now()
	path := "/v1/cluster/dump?expire=1"
	if live {
		path += "&live=1"
	}
	for time.Since(start) < limit {
		hashes := map[string]bool{}
		ok := true
		for _, n := range c.nodes {
			var d struct {
				SHA256 string `json:"sha256"`
			}
			if code, _, err := c.call(n, "GET", path, nil, &d); err != nil || code != 200 {
				ok = false
				break
			}
			hashes[d.SHA256] = true
		}
		if ok && len(hashes) == 1 {
			return time.Since(start), true
		}
		time.Sleep(250 * time.Millisecond)
	}
	return time.Since(start), false
}

func TestChaos(t *testing.T) {
	runs := 3
	if s := os.Getenv("CHAOS_RUNS"); s != "" {
		runs, _ = strconv.Atoi(s)
	}
	var totalLost, totalRes, diverged int
	var maxConv, maxLive time.Duration
	for r := 1; r <= runs; r++ {
		t.Run(fmt.Sprintf("run%d", r), func(t *testing.T) {
			c := newChaosCluster(t, r)
			rng := rand.New(rand.NewPCG(uint64(r), 99))
			pick := func() *chaosNode { return c.nodes[rng.IntN(chaosNodes)] }
			stop := make(chan struct{})
			opsc := make(chan []*op, 1)
			go func() { opsc <- c.workload(stop, uint64(r)) }()
			sleep := func(d time.Duration) { time.Sleep(d) }

			sleep(2 * time.Second)
			victim := pick()
			t.Logf("run %d: kill -9 %s", r, victim.name)
			c.kill(victim)
			sleep(2 * time.Second)
			skew := time.Duration(0)
			if r%2 == 1 {
				skew = 3 * time.Second // within the 30 s bound: accepted, and ordering still holds
			}
			t.Logf("run %d: restart %s (clock %+v)", r, victim.name, skew)
			c.start(victim, skew)
			sleep(3 * time.Second)

			frozen := pick()
			t.Logf("run %d: SIGSTOP %s", r, frozen.name)
			frozen.cmd.Process.Signal(syscall.SIGSTOP)
			sleep(3 * time.Second)
			frozen.cmd.Process.Signal(syscall.SIGCONT)
			sleep(time.Second)

			perm := rng.Perm(chaosNodes)
			sideA := map[int]bool{perm[0]: true, perm[1]: true}
			t.Logf("run %d: partition %v | rest", r, []string{c.nodes[perm[0]].name, c.nodes[perm[1]].name})
			for i, n := range c.nodes {
				var other []string
				for j, m := range c.nodes {
					if sideA[i] != sideA[j] {
						other = append(other, m.ip)
					}
				}
				c.faults(n, map[string]any{"partition": other})
			}
			sleep(6 * time.Second)
			t.Logf("run %d: heal; lost, doubled, reordered and delayed messages", r)
			for _, n := range c.nodes {
				c.faults(n, map[string]any{"drop": 0.2, "duplicate": 0.2, "reorder": 0.2, "delayMs": 20})
			}
			sleep(5 * time.Second)
			close(stop)
			ops := <-opsc
			for _, n := range c.nodes {
				c.faults(n, map[string]any{})
			}
			// Live data first (what a reader sees), then everything, tombstones
			// included: a tombstone waits for every member to sync past it, then
			// for TombstoneMinAge, before it goes.
			liveConv, ok := c.converge(2*time.Minute, true)
			if !ok {
				diverged++
				t.Errorf("run %d: live data did not converge", r)
			}
			conv, ok := c.converge(2*time.Minute, false)
			conv += liveConv
			if !ok {
				diverged++
				t.Errorf("run %d: the nodes did not converge", r)
			}
			maxConv = max(maxConv, conv)
			// Expired keys: gone on every node.
			time.Sleep(2500 * time.Millisecond)
			if _, ok := c.converge(time.Minute, false); !ok {
				diverged++
			}
			for _, n := range c.nodes {
				var list struct {
					Keys []struct {
						Name string `json:"name"`
					} `json:"keys"`
				}
				c.call(n, "GET", "/v1/kv/ttl", nil, &list)
				if len(list.Keys) != 0 {
					t.Errorf("run %d: %s still lists %d expired keys", r, n.name, len(list.Keys))
				}
			}
			lost, res := c.check(ops)
			acked := 0
			for _, o := range ops {
				if o.acked {
					acked++
				}
			}
			t.Logf("run %d: %d writes (%d acknowledged), lost %d, resurrected %d, live data identical after %.2fs, everything (tombstones too) after %.2fs",
				r, len(ops), acked, lost, res, liveConv.Seconds(), conv.Seconds())
			maxLive = max(maxLive, liveConv)
			totalLost += lost
			totalRes += res
		})
	}
	t.Logf("max time to identical live data: %.1f s", maxLive.Seconds())
	fmt.Printf("runs: %d, lost: %d, resurrected: %d, diverged: %d, max convergence: %.1f s\n", runs, totalLost, totalRes, diverged, maxConv.Seconds())
}
