package kv

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
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
	writers, _ := strconv.Atoi(os.Getenv("EDGEFN_KV_WRITERS"))
	var mu sync.Mutex
	out := bufio.NewWriter(os.Stdout)
	start := os.Getenv("EDGEFN_KV_START")
	write := func(w int) {
		for i := 0; ; i++ {
			key := fmt.Sprintf("%s-%d-%d", start, w, i)
			val := strings.Repeat("v", 100+i%900)
			if _, err := s.Put("ns", key, []byte(val), PutOptions{}); err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(3)
			}
			mark := '+'
			if i%7 == 0 {
				if _, err := s.Delete("ns", key); err != nil {
					os.Exit(4)
				}
				mark = '-'
			}
			mu.Lock()
			fmt.Fprintf(out, "%c%s\n", mark, key)
			out.Flush() // printed only after the write was acknowledged
			mu.Unlock()
		}
	}
	for w := 1; w < writers; w++ {
		go write(w)
	}
	write(0)
}

// TestKill9KeepsAcknowledgedWrites kills a writing process with SIGKILL,
// reopens its directory and checks every acknowledged write is there (and
// every acknowledged delete holds), over several rounds on the same store.
func TestKill9KeepsAcknowledgedWrites(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns writer processes")
	}
	for _, c := range []struct {
		d       Durability
		writers int
	}{{DurabilityProcess, 1}, {DurabilityFsync, 1}, {DurabilityProcess, 32}, {DurabilityFsync, 32}} {
		// 32 writers: their writes share group commits (and, with fsync,
		// fsyncs); each is acknowledged only after its group's commit.
		t.Run(fmt.Sprintf("durability=%s/writers=%d", c.d, c.writers), func(t *testing.T) {
			dir := t.TempDir()
			rounds := 3
			deadline := time.Now().Add(*soak)
			for round := 0; round < rounds || time.Now().Before(deadline); round++ {
				acked := killWriter(t, dir, c.d, c.writers, fmt.Sprintf("r%d", round), 300*time.Millisecond+time.Duration(round%3)*200*time.Millisecond)
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
				if len(acked) == 0 {
					t.Fatalf("round %d: the writer acknowledged nothing", round)
				}
				t.Logf("round %d: %d acknowledged writes all present after kill -9", round, len(acked))
			}
		})
	}
}

// killWriter runs a writer child for about d, kills it with SIGKILL and
// returns what it acknowledged (key -> live).
func killWriter(t *testing.T, dir string, d Durability, writers int, start string, run time.Duration) map[string]bool {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "EDGEFN_KV_WRITER="+dir, "EDGEFN_KV_DURABILITY="+string(d), "EDGEFN_KV_START="+start,
		"EDGEFN_KV_WRITERS="+strconv.Itoa(writers))
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
