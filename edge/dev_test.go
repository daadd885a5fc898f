package edge

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestDevReloads(t *testing.T) {
	dir := t.TempDir()
	write := func(name, src string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("index.ts", `import { msg } from "./msg";
export default { fetch() { return new Response(msg); } };`)
	write("msg.ts", `export const msg: string = "one";`)

	n, base := testNode(t, nil)
	var mu sync.Mutex
	var events []BuildEvent
	built := make(chan BuildEvent, 16)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- n.Dev(ctx, DevConfig{Entry: dir, Debounce: 20 * time.Millisecond, OnBuild: func(ev BuildEvent) {
			mu.Lock()
			events = append(events, ev)
			mu.Unlock()
			built <- ev
		}})
	}()
	wait := func() BuildEvent {
		t.Helper()
		select {
		case ev := <-built:
			return ev
		case <-time.After(10 * time.Second):
			t.Fatal("no build within 10s")
		}
		return BuildEvent{}
	}
	if ev := wait(); ev.Err != nil {
		t.Fatal(ev.Err)
	}
	if r := send(t, "GET", base+"/", ""); r.body != "one" {
		t.Fatalf("first build serves %q", r.body)
	}

	// A change to an imported file rebuilds and swaps.
	write("msg.ts", `export const msg: string = "two";`)
	if ev := wait(); ev.Err != nil || !ev.Reload || filepath.Base(ev.Changed) != "msg.ts" {
		t.Fatalf("reload event %+v", ev)
	}
	if r := send(t, "GET", base+"/", ""); r.body != "two" {
		t.Fatalf("after the change: %q", r.body)
	}

	// A syntax error is reported with its position; the old code serves.
	write("msg.ts", "export const msg: string = \"three\n")
	ev := wait()
	if ev.Err == nil || !strings.Contains(ev.Err.Error(), "msg.ts:1:") {
		t.Fatalf("build error not reported with file:line:col: %v", ev.Err)
	}
	if r := send(t, "GET", base+"/", ""); r.body != "two" {
		t.Fatalf("after a failed build: %q", r.body)
	}

	// An entry without a handler is refused the same way.
	write("index.ts", `export const nothing = 1;`)
	ev = wait()
	if ev.Err == nil || !strings.Contains(ev.Err.Error(), "export default { fetch") {
		t.Fatalf("entry without a handler: %v", ev.Err)
	}
	if r := send(t, "GET", base+"/", ""); r.body != "two" {
		t.Fatalf("after a refused load: %q", r.body)
	}

	// Fixing it serves the new code.
	write("index.ts", `export default { fetch() { return new Response("fixed"); } };`)
	if ev := wait(); ev.Err != nil {
		t.Fatal(ev.Err)
	}
	if r := send(t, "GET", base+"/", ""); r.body != "fixed" {
		t.Fatalf("after the fix: %q", r.body)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestDevStartsBroken(t *testing.T) {
	dir := t.TempDir()
	entry := filepath.Join(dir, "index.js")
	if err := os.WriteFile(entry, []byte("export default {"), 0o644); err != nil {
		t.Fatal(err)
	}
	n, base := testNode(t, nil)
	built := make(chan BuildEvent, 4)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go n.Dev(ctx, DevConfig{Entry: entry, Debounce: 20 * time.Millisecond, OnBuild: func(ev BuildEvent) { built <- ev }})
	if ev := <-built; ev.Err == nil {
		t.Fatal("broken entry built")
	}
	r := send(t, "GET", base+"/", "")
	if r.status != 503 || !strings.Contains(r.body, "index.js:1:") {
		t.Fatalf("before any good build: %d %q", r.status, r.body)
	}
	if err := os.WriteFile(entry, []byte(`export default { fetch() { return new Response("up"); } };`), 0o644); err != nil {
		t.Fatal(err)
	}
	select {
	case ev := <-built:
		if ev.Err != nil {
			t.Fatal(ev.Err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no rebuild")
	}
	if r := send(t, "GET", base+"/", ""); r.body != "up" {
		t.Fatalf("after the fix: %q", r.body)
	}
}

func TestDevMissingEntry(t *testing.T) {
	n, _ := testNode(t, nil)
	err := n.Dev(context.Background(), DevConfig{Entry: filepath.Join(t.TempDir(), "nope.ts")})
	if err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("err = %v", err)
	}
}
