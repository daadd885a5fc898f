package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestServeEndToEnd runs a node and drives it with the CLI as a user
// would: deploy, list, versions, a request, secrets, KV, rollback, split.
func TestServeEndToEnd(t *testing.T) {
	data := t.TempDir()
	httpAddr, adminAddr := freeAddr(t), freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	var serveErr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--data", data, "--listen", httpAddr, "--admin", adminAddr,
			"--base-domain", "edge.test", "--token", "sekret", "--log-format", "text", "--kv-durability", "fsync"}, io.Discard, &serveErr)
	}()
	t.Cleanup(func() {
		cancel()
		if c := <-done; c != exitOK {
			t.Errorf("serve exited %d:\n%s", c, serveErr.String())
		}
	})
	waitAdmin(t, "http://"+adminAddr+"/healthz")
	t.Setenv("EDGEFN_SERVER", "http://"+adminAddr)
	t.Setenv("EDGEFN_TOKEN", "sekret")
	cli := func(in string, args ...string) (string, int) {
		t.Helper()
		var out, errb bytes.Buffer
		stdin = strings.NewReader(in)
		code := run(context.Background(), args, &out, &errb)
		return out.String() + errb.String(), code
	}
	get := func(path string) string {
		t.Helper()
		req, _ := http.NewRequest("GET", "http://"+httpAddr+path, nil)
		req.Host = "hello.edge.test"
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return string(b)
	}
	_, port, _ := strings.Cut(httpAddr, ":")
	if out, code := cli("", "deploy", "../../examples/hello", "--name", "hello"); code != 0 || !strings.Contains(out, "deployed hello v1 (active)") ||
		!strings.Contains(out, "bundling ../../examples/hello...") || !strings.Contains(out, "uploading hello (") ||
		!strings.Contains(out, "http://hello.edge.test:"+port+"/") {
		t.Fatalf("deploy: %d %s", code, out)
	}
	if got := get("/?name=cli"); got != "hello, cli!\n" {
		t.Fatalf("served %q", got)
	}
	if out, code := cli("bonjour\n", "secret", "put", "hello", "GREETING"); code != 0 {
		t.Fatalf("secret put: %s", out)
	}
	if got := get("/?name=cli"); got != "bonjour, cli!\n" {
		t.Fatalf("with the secret: %q", got)
	}
	if out, _ := cli("", "secret", "list", "hello"); !strings.Contains(out, "GREETING") || strings.Contains(out, "bonjour") {
		t.Fatalf("secret list: %s", out)
	}
	if out, code := cli("", "deploy", "../../examples/hello", "--name", "hello"); code != 0 || !strings.Contains(out, "v2") {
		t.Fatalf("second deploy: %s", out)
	}
	if out, _ := cli("", "list"); !strings.Contains(out, "hello") || !strings.Contains(out, "v2") {
		t.Fatalf("list: %s", out)
	}
	if out, code := cli("", "rollback", "hello", "--to", "v9"); code == 0 || !strings.Contains(out, "no v9") {
		t.Fatalf("rollback to a missing version: %d %s", code, out)
	}
	if out, code := cli("", "rollback", "hello"); code != 0 || !strings.Contains(out, "v1 is active") {
		t.Fatalf("rollback: %s", out)
	}
	if out, code := cli("", "split", "hello", "v1=50", "v2=50"); code != 0 {
		t.Fatalf("split: %s", out)
	}
	if out, code := cli("", "split", "hello", "v1=50", "v2=60"); code == 0 || !strings.Contains(out, "sum to 110") {
		t.Fatalf("bad split: %s", out)
	}
	if out, _ := cli("", "versions", "hello"); !strings.Contains(out, "v1") || !strings.Contains(out, "v2") {
		t.Fatalf("versions: %s", out)
	}
	if out, code := cli("", "kv", "put", "cache", "k", "v1", "--metadata", `{"a":1}`); code != 0 {
		t.Fatalf("kv put: %s", out)
	}
	if out, _ := cli("", "kv", "get", "cache", "k"); out != "v1" {
		t.Fatalf("kv get: %q", out)
	}
	if out, _ := cli("", "kv", "list", "cache"); out != "k\n" {
		t.Fatalf("kv list: %q", out)
	}
	if out, code := cli("", "kv", "put", "cache", "k", "v", "--ttl", "5"); code == 0 || !strings.Contains(out, "below the minimum") {
		t.Fatalf("kv bad ttl: %s", out)
	}
	if out, code := cli("", "list", "--token", "wrong"); code == 0 || !strings.Contains(out, "refused the token") {
		t.Fatalf("bad token: %s", out)
	}
	if out, code := cli("", "delete", "hello"); code != 0 {
		t.Fatalf("delete: %s", out)
	}
	if strings.Contains(serveErr.String(), "bonjour") || strings.Contains(serveErr.String(), "sekret") {
		t.Fatal("a secret or the token reached the node's log")
	}
}

func waitAdmin(t *testing.T, url string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if res, err := http.Get(url); err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s not up", url)
}

func TestServeConfigErrors(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "node.toml")
	if err := os.WriteFile(bad, []byte("[http]\ntrusted_proxies = [\"10.0.0.0/8\", \"proxy.example\"]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		args []string
		text string
	}{
		{[]string{"serve", "--config", bad}, `http.trusted_proxies: "proxy.example" is neither an address nor a CIDR`},
		{[]string{"serve", "--node-name", "Bad Name"}, "node.name"},
		{[]string{"serve", "--gossip", "127.0.0.1:7946"}, "a cluster key is required"},
		{[]string{"serve", "--tls-cert", "x.pem"}, "go together"},
		{[]string{"serve", "--config", "/nonexistent.toml"}, "no such file"},
		{[]string{"serve", "--kv-durability", "sometimes"}, `kv.durability "sometimes"`},
		{[]string{"serve", "--memory-limit", "lots"}, `node.memory_limit "lots"`},
	}
	for _, tc := range cases {
		var out bytes.Buffer
		if code := run(context.Background(), tc.args, &out, &out); code == 0 || !strings.Contains(out.String(), tc.text) {
			t.Errorf("%v: %d %s", tc.args, code, out.String())
		}
	}
}
