package edge

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

type fixedMembers struct {
	self  string
	alive []string
}

func (f fixedMembers) Self() string    { return f.self }
func (f fixedMembers) Alive() []string { return f.alive }

func TestOwnerIsStableAndSpread(t *testing.T) {
	members := []string{"n1", "n2", "n3"}
	count := map[string]int{}
	for i := 0; i < 3000; i++ {
		key := fmt.Sprintf("dep%d/* * * * *", i)
		o := owner(members, key)
		if o != owner([]string{"n3", "n1", "n2"}, key) {
			t.Fatal("ownership depends on member order")
		}
		count[o]++
	}
	for _, m := range members {
		if count[m] < 800 {
			t.Fatalf("uneven ownership: %v", count)
		}
	}
	// Removing a member moves only its keys.
	moved := 0
	for i := 0; i < 3000; i++ {
		key := fmt.Sprintf("dep%d/* * * * *", i)
		if o := owner(members, key); o != "n3" && owner([]string{"n1", "n2"}, key) != o {
			moved++
		}
	}
	if moved != 0 {
		t.Fatalf("%d keys of surviving members moved", moved)
	}
}

const cronScript = `let runs = 0;
var __edgefn_module = { default: {
  fetch() { return new Response(String(runs)); },
  scheduled(controller) { runs++; },
} };`

func TestCronFiresOncePerTickAcrossNodes(t *testing.T) {
	store := newMemStore()
	var platforms []*Platform
	var bases []string
	for _, name := range []string{"n1", "n2", "n3"} {
		// One runtime per node: the script counts its runs in a global.
		n, base := testNode(t, func(c *Config) { c.BaseDomain = "edge.test"; c.Pool.MaxSize = 1 })
		p := NewPlatform(n, store)
		p.SetMembership(fixedMembers{self: name, alive: []string{"n1", "n2", "n3"}})
		platforms = append(platforms, p)
		bases = append(bases, base)
	}
	a := testArtifact("job", "")
	a.Script = cronScript
	a.Manifest.Triggers.Crons = []string{"*/5 * * * *"}
	if _, err := platforms[0].Deploy(a, true); err != nil {
		t.Fatal(err)
	}
	for _, p := range platforms[1:] {
		if err := p.Reconcile(); err != nil {
			t.Fatal(err)
		}
	}
	ctx := context.Background()
	start := time.Date(2026, 11, 24, 10, 4, 30, 0, time.UTC)
	// Nine minutes pass on every node: ticks at 10:05 and 10:10.
	for _, p := range platforms {
		p.cronStep(ctx, start, start.Add(9*time.Minute))
	}
	// A node whose membership view is stale (it thinks it is alone) also
	// tries, and is stopped by the lease.
	for _, p := range platforms {
		p.cron.wg.Wait()
	}
	platforms[1].SetMembership(fixedMembers{self: "n2", alive: []string{"n2"}})
	platforms[1].cronStep(ctx, start, start.Add(9*time.Minute))
	total := 0
	for i, p := range platforms {
		p.cron.wg.Wait()
		n := 0
		fmt.Sscan(getHost(t, bases[i], "job.edge.test", "/").body, &n)
		total += n
	}
	if total != 2 {
		t.Fatalf("scheduled() ran %d times for 2 ticks", total)
	}
}

func TestDevScheduledEndpoint(t *testing.T) {
	n, base := testNode(t, func(c *Config) { c.DevEndpoints = true })
	a := testArtifact("job", "")
	a.Script = cronScript
	if err := n.Activate(a, 0); err != nil {
		t.Fatal(err)
	}
	n.SetFallback("job")
	if r := send(t, "GET", base+"/__scheduled?cron=*/5+*+*+*+*", ""); r.status != 200 || !strings.Contains(r.body, "ran scheduled()") {
		t.Fatalf("/__scheduled: %d %q", r.status, r.body)
	}
	if r := send(t, "GET", base+"/", ""); r.body != "1" {
		t.Fatalf("runs %q", r.body)
	}
}
