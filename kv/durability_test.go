package kv

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

var soak = flag.Duration("kv.soak", 0, "run the kill -9 durability test for this long (default: a few seconds)")

// TestMain lets the test binary act as a writer child for the durability
// test: it puts keys as fast as it can and prints each acknowledged key.
func TestMain(m *testing.M) {
	if dir := os.Getenv("EDGEFN_KV_WRITER"); dir != "" {
		writer(dir, Durability(os.Getenv("EDGEFN_KV_DURABILITY")))
		return
	}
	os.Exit(m.Run())
}

func writer(dir string, d Durability) {
	cfg := DefaultConfig()
	cfg.Dir = dir
	cfg.NodeID = "writer"
	cfg.Durability = d
	s, err := Open(cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	out := bufio.NewWriter(os.Stdout)
	start := os.Getenv("EDGEFN_KV_START")
	for i := 0; ; i++ {
		key := fmt.Sprintf("%s-%d", start, i)
		val := strings.Repeat("v", 100+i%900)
		if _, err := s.Put("ns", key, []byte(val), PutOptions{}); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(3)
		}
		if i%7 == 0 {
			if _, err := s.Delete("ns", key); err != nil {
				os.Exit(4)
			}
			fmt.Fprintf(out, "-%s\n", key)
		} else {
			fmt.Fprintf(out, "+%s\n", key)
		}
		out.Flush() // printed only after the write was acknowledged
	}
}

// TestKill9KeepsAcknowledgedWrites kills a writing process with SIGKILL,
// reopens its directory and checks every acknowledged write is there (and
// every acknowledged delete holds), over several rounds on the same store.
func TestKill9KeepsAcknowledgedWrites(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns writer processes")
	}
	for _, d := range []Durability{DurabilityProcess, DurabilityFsync} {
		t.Run("durability="+string(d), func(t *testing.T) {
			dir := t.TempDir()
			rounds := 3
			deadline := time.Now().Add(*soak)
			for round := 0; round < rounds || time.Now().Before(deadline); round++ {
				acked := killWriter(t, dir, d, fmt.Sprintf("r%d", round), 300*time.Millisecond+time.Duration(round%3)*200*time.Millisecond)
				cfg := DefaultConfig()
				cfg.Dir = dir
				cfg.NodeID = "checker"
				s, err := Open(cfg)
				if err != nil {
					t.Fatalf("round %d: reopening after kill -9: %v", round, err)
				}
				lost := 0
				for key, live := range acked {
					_, err := s.Get("ns", key)
					if live && err != nil || !live && err == nil {
						lost++
						if lost < 5 {
							t.Errorf("round %d: acknowledged %s (live=%v) but Get says %v", round, key, live, err)
						}
					}
				}
				s.Close()
				if lost > 0 {
					t.Fatalf("round %d: %d of %d acknowledged writes lost", round, lost, len(acked))
				}
				t.Logf("round %d: %d acknowledged writes all present after kill -9", round, len(acked))
			}
		})
	}
}

// killWriter runs a writer child for about d, kills it with SIGKILL and
// returns what it acknowledged (key -> live).
func killWriter(t *testing.T, dir string, d Durability, start string, run time.Duration) map[string]bool {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "EDGEFN_KV_WRITER="+dir, "EDGEFN_KV_DURABILITY="+string(d), "EDGEFN_KV_START="+start)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	acked := map[string]bool{}
	lines := make(chan string, 4096)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	timer := time.After(run)
	for killed := false; ; {
		select {
		case l, ok := <-lines:
			if !ok {
				cmd.Wait()
				if !killed {
					t.Fatalf("the writer exited on its own: %s", stderr.String())
				}
				return acked
			}
			if len(l) > 1 {
				acked[l[1:]] = l[0] == '+'
			}
		case <-timer:
			if !killed {
				killed = true
				_ = cmd.Process.Signal(syscall.SIGKILL)
			}
		}
	}
}
