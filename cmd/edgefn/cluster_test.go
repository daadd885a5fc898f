package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// freeAddrOn finds a free port on a loopback address.
func freeAddrOn(t *testing.T, ip string) string { return freeAddrOnTB(t, ip) }

func freeAddrOnTB(t testing.TB, ip string) string {
	t.Helper()
	ln, err := net.Listen("tcp", ip+":0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// startServed runs three `edgefn serve` nodes on 127.0.0.<base+i>, the
// later ones joining the first, with extra flags.
func startServed(t testing.TB, dir, conf, keyFile string, base int, extra ...string) []*servedNode {
	var nodes []*servedNode
	for i := 1; i <= 3; i++ {
		ip := fmt.Sprintf("127.0.0.%d", base+i)
		n := &servedNode{name: fmt.Sprintf("n%d", i), http: freeAddrOnTB(t, ip), admin: freeAddrOnTB(t, ip), gossip: freeAddrOnTB(t, ip),
			done: make(chan int, 1), logs: &syncBuffer{}}
		args := []string{"serve", "--config", conf, "--node-name", n.name, "--data", filepath.Join(dir, n.name),
			"--listen", n.http, "--admin", n.admin, "--gossip", n.gossip, "--cluster-key-file", keyFile,
			"--base-domain", "edge.test", "--token", "sekret", "--region", "r" + n.name[1:]}
		args = append(args, extra...)
		if i > 1 {
			args = append(args, "--join", nodes[0].gossip)
		}
		var ctx context.Context
		ctx, n.cancel = context.WithCancel(context.Background())
		go func() { n.done <- run(ctx, args, io.Discard, n.logs) }()
		nodes = append(nodes, n)
	}
	return nodes
}

// stopServed ends the nodes still running and waits for them.
func stopServed(nodes []*servedNode) {
	for _, n := range nodes {
		n.cancel()
		if n.done != nil {
			<-n.done
		}
	}
}

type servedNode struct {
	name, http, admin, gossip string
	cancel                    context.CancelFunc
	done                      chan int
	logs                      *syncBuffer
}

// TestClusterServe runs three nodes as `edgefn serve` runs them and drives
// them with the CLI: keygen, join, readiness, a deploy on one node served by
// all, KV across nodes, members, and a graceful leave.
func TestClusterServe(t *testing.T) {
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "cluster.key")
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"cluster", "keygen", "--out", keyFile}, &out, &errb); code != 0 {
		t.Fatalf("keygen: %s", errb.String())
	}
	if st, err := os.Stat(keyFile); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", st, err)
	}
	if code := run(context.Background(), []string{"cluster", "keygen", "--out", keyFile}, io.Discard, io.Discard); code == 0 {
		t.Fatal("keygen overwrote an existing key")
	}
	conf := filepath.Join(dir, "edgefn.toml")
	os.WriteFile(conf, []byte("[cluster]\nprofile = \"local\"\nanti_entropy_ms = 500\n"), 0o600)

	nodes := startServed(t, dir, conf, keyFile, 50, "--log-format", "text")
	t.Cleanup(func() { stopServed(nodes) })
	for _, n := range nodes {
		waitHTTP(t, "http://"+n.admin+"/readyz")
	}
	t.Setenv("EDGEFN_TOKEN", "sekret")
	cli := func(n *servedNode, args ...string) (string, int) {
		t.Helper()
		var out, errb bytes.Buffer
		stdin = strings.NewReader("")
		code := run(context.Background(), append(args, "--server", "http://"+n.admin), &out, &errb)
		return out.String() + errb.String(), code
	}
	if out, code := cli(nodes[1], "deploy", "../../examples/hello", "--name", "hello"); code != 0 {
		t.Fatalf("deploy on n2: %s", out)
	}
	get := func(n *servedNode) string {
		req, _ := http.NewRequest("GET", "http://"+n.http+"/?name=cluster", nil)
		req.Host = "hello.edge.test"
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			return err.Error()
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return string(b)
	}
	deadline := time.Now().Add(30 * time.Second)
	for _, n := range nodes {
		for get(n) != "hello, cluster!\n" {
			if time.Now().After(deadline) {
				t.Fatalf("%s does not serve the deployment made on n2: %q", n.name, get(n))
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	if out, code := cli(nodes[2], "kv", "put", "shared", "k", "from n3"); code != 0 {
		t.Fatalf("kv put: %s", out)
	}
	for {
		if out, code := cli(nodes[0], "kv", "get", "shared", "k"); code == 0 && out == "from n3" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("a KV write on n3 did not reach n1")
		}
		time.Sleep(20 * time.Millisecond)
	}
	members, code := cli(nodes[0], "cluster", "members")
	if code != 0 || !strings.Contains(members, "n1 (this node)") || strings.Count(members, "alive") != 3 || !strings.Contains(members, "r3") {
		t.Fatalf("members:\n%s", members)
	}
	// SIGTERM (the context ending): n3 leaves; the others see it left.
	nodes[2].cancel()
	if c := <-nodes[2].done; c != exitOK {
		t.Fatalf("n3 exited %d:\n%s", c, nodes[2].logs.String())
	}
	nodes[2].done = nil
	for {
		out, _ := cli(nodes[0], "cluster", "members", "--json")
		if strings.Contains(out, `"state": "left"`) {
			break
		}
		if time.Now().After(deadline.Add(30 * time.Second)) {
			t.Fatalf("n3 not seen as left:\n%s", out)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if !strings.Contains(nodes[2].logs.String(), "left the cluster") {
		t.Fatalf("n3 did not log its leave:\n%s", nodes[2].logs.String())
	}
}

// TestClusterMembersShowsSuspect: a node whose gossip stops without a leave
// shows as suspect in `edgefn cluster members` on the others, then dead.
func TestClusterMembersShowsSuspect(t *testing.T) {
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "cluster.key")
	if code := run(context.Background(), []string{"cluster", "keygen", "--out", keyFile}, io.Discard, io.Discard); code != 0 {
		t.Fatal("keygen failed")
	}
	conf := filepath.Join(dir, "edgefn.toml")
	os.WriteFile(conf, []byte("[cluster]\nprofile = \"local\"\n"), 0o600)
	nodes := startServed(t, dir, conf, keyFile, 70, "--test-faults")
	t.Cleanup(func() { stopServed(nodes) })
	for _, n := range nodes {
		waitHTTP(t, "http://"+n.admin+"/readyz")
	}
	members := func() string {
		t.Helper()
		var out, errb bytes.Buffer
		if code := run(context.Background(), []string{"cluster", "members", "--server", "http://" + nodes[0].admin, "--token", "sekret"}, &out, &errb); code != 0 {
			t.Fatalf("cluster members: %s", errb.String())
		}
		return out.String()
	}
	row := func(table, name string) string {
		for _, line := range strings.Split(table, "\n") {
			if strings.HasPrefix(line, name+" ") {
				return line
			}
		}
		return ""
	}
	deadline := time.Now().Add(30 * time.Second)
	for strings.Count(members(), " alive ") != 3 {
		if time.Now().After(deadline) {
			t.Fatalf("the members never were all alive:\n%s", members())
		}
		time.Sleep(50 * time.Millisecond)
	}
	pause := func(on bool) {
		t.Helper()
		req, _ := http.NewRequest("POST", "http://"+nodes[2].admin+"/v1/cluster/faults", strings.NewReader(fmt.Sprintf(`{"pause": %v}`, on)))
		req.Header.Set("Authorization", "Bearer sekret")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 200 {
			t.Fatalf("pause n3: %s", res.Status)
		}
	}
	pause(true)
	start := time.Now()
	defer pause(false) // so n3 can stop without waiting on its frozen streams
	var states []string
	for {
		r := row(members(), "n3")
		f := strings.Fields(r)
		if len(f) < 2 {
			t.Fatalf("no n3 row: %q", r)
		}
		if len(states) == 0 || states[len(states)-1] != f[1] {
			states = append(states, f[1])
		}
		if f[1] == "dead" {
			break
		}
		if time.Now().After(deadline.Add(30 * time.Second)) {
			t.Fatalf("n3 never shown dead; states %v", states)
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Logf("n3 shown dead %v after its gossip stopped", time.Since(start).Round(100*time.Millisecond))
	if fmt.Sprint(states) != "[alive suspect dead]" {
		t.Fatalf("n3's states on n1: %v, want alive, suspect, dead", states)
	}
}
