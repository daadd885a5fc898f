package isolate

import (
	"runtime"
	"strings"
	"testing"
	"time"
)

// WeakRef and FinalizationRegistry are weak for real: a target the script
// dropped is collected by Go's garbage collector.
func TestWeakRefTargetsAreCollected(t *testing.T) {
	p, capture := newTestPool(t, `
let ref, kept, keptRef;
let cleaned = [];
const reg = new FinalizationRegistry((held) => {
  cleaned.push(held);
  if (held === "throws") throw new Error("cleanup failed");
});
export default { async fetch(req) {
  const path = new URL(req.url).pathname;
  if (path === "/make") {
    ref = new WeakRef({ payload: new Array(1000).fill("x") });
    kept = { name: "kept" };
    keptRef = new WeakRef(kept);
    reg.register({}, "dropped");
    reg.register({}, "throws");
    reg.register(kept, "kept");
    // Within the turn that made it, the target is there.
    return new Response(String(ref.deref() !== undefined));
  }
  await new Promise((r) => setTimeout(r, 10));
  return new Response([ref.deref() === undefined ? "gone" : "alive", keptRef.deref() === kept ? "kept" : "lost", cleaned.sort().join("+")].join(" "));
} };
`, func(c *PoolConfig) { c.MinIdle = 1; c.MaxSize = 1; c.Limits.CPUTime = 5 * time.Second })
	if got := mustGet(t, p, "/make"); got != "true" {
		t.Fatalf("deref in the same turn: %s", got)
	}
	want := "gone kept dropped+throws"
	deadline := time.Now().Add(20 * time.Second)
	got := ""
	for time.Now().Before(deadline) && got != want {
		runtime.GC()
		got = mustGet(t, p, "/check")
	}
	if got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
	if out := capture.output(); !strings.Contains(out, "uncaught exception in a FinalizationRegistry cleanup callback: Uncaught Error: cleanup failed") {
		t.Fatalf("the throwing callback was not reported:\n%s", out)
	}
	if s := p.Stats(); s.Discarded != 0 {
		t.Fatalf("a runtime was discarded: %+v", s)
	}
}
