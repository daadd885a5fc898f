package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for a command writing while a test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func waitHTTP(t *testing.T, url string) string {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		res, err := http.Get(url)
		if err == nil {
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode == 200 {
				return string(b)
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s did not answer 200 in time", url)
	return ""
}

func TestDevCommand(t *testing.T) {
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr syncBuffer
	code := make(chan int, 1)
	go func() {
		code <- run(ctx, []string{"dev", "../../examples/hello", "--listen", addr, "--data", t.TempDir()}, &stdout, &stderr)
	}()
	if got := waitHTTP(t, "http://"+addr+"/?name=cli"); got != "hello, cli!\n" {
		t.Fatalf("got %q", got)
	}
	cancel()
	if c := <-code; c != exitOK {
		t.Fatalf("exit code %d; stderr:\n%s", c, stderr.String())
	}
	if !strings.Contains(stderr.String(), "✓ built in") {
		t.Fatalf("stderr lacks the build line:\n%s", stderr.String())
	}
}

func TestUsageErrors(t *testing.T) {
	cases := []struct {
		args []string
		code int
		text string
	}{
		{nil, exitUsage, "usage: edgefn COMMAND"},
		{[]string{"bogus"}, exitUsage, `unknown command "bogus"`},
		{[]string{"dev"}, exitUsage, "expected one PATH"},
		{[]string{"dev", "a", "b"}, exitUsage, "expected one PATH"},
		{[]string{"dev", "--nope", "x"}, exitUsage, "flag provided but not defined: -nope"},
		{[]string{"dev", "does-not-exist.ts"}, exitError, "does not exist"},
		{[]string{"dev", "x.ts", "--log-level", "loud"}, exitUsage, "--log-level"},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			c := run(context.Background(), tc.args, &stdout, &stderr)
			if c != tc.code || !strings.Contains(stderr.String(), tc.text) {
				t.Fatalf("exit %d, stderr %q; want %d and %q", c, stderr.String(), tc.code, tc.text)
			}
		})
	}
}

func TestHelp(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if c := run(context.Background(), []string{"help", "dev"}, &stdout, &stderr); c != exitOK {
		t.Fatal(c)
	}
	if !strings.Contains(stdout.String(), "usage: edgefn dev PATH") {
		t.Fatalf("help dev: %q", stdout.String())
	}
	stdout.Reset()
	if c := run(context.Background(), []string{"version"}, &stdout, &stderr); c != exitOK || !strings.HasPrefix(stdout.String(), "edgefn ") {
		t.Fatalf("version: %d %q", c, stdout.String())
	}
}

// TestSIGTERM runs the real binary: SIGTERM lets an in-flight request
// finish, then the process exits 0.
func TestSIGTERM(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "edgefn")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	dir := t.TempDir()
	entry := filepath.Join(dir, "slow.js")
	src := `export default { async fetch(req) {
  if (new URL(req.url).pathname === "/slow") await new Promise((r) => setTimeout(r, 500));
  return new Response("done");
} };`
	if err := os.WriteFile(entry, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	cmd := exec.Command(bin, "dev", entry, "--listen", addr)
	var stderr syncBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitHTTP(t, "http://"+addr+"/")
	got := make(chan string, 1)
	go func() {
		res, err := http.Get("http://" + addr + "/slow")
		if err != nil {
			got <- err.Error()
			return
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		got <- fmt.Sprintf("%d %s", res.StatusCode, b)
	}()
	time.Sleep(150 * time.Millisecond)
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if r := <-got; r != "200 done" {
		t.Fatalf("in-flight request got %q", r)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("exit: %v\nstderr:\n%s", err, stderr.String())
	}
}
