package edge

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

func testArtifact(name, body string, routes ...string) *Artifact {
	return &Artifact{Manifest: Manifest{Name: name, Routes: routes}, ScriptName: name + ".js",
		Script: fmt.Sprintf(`var __edgefn_module = { default: { fetch() { return new Response(%q) } } };`, body)}
}

func newTestPlatform(t *testing.T) (*Platform, *Node, string) {
	n, base := testNode(t, func(c *Config) { c.BaseDomain = "edge.test" })
	return NewPlatform(n, newMemStore()), n, base
}

// getHost sends a GET with a Host header.
func getHost(t *testing.T, base, host, path string) reply {
	t.Helper()
	req, _ := http.NewRequest("GET", base+path, nil)
	req.Host = host
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b := new(strings.Builder)
	_, _ = io_copy(b, res)
	return reply{res.StatusCode, res.Header, b.String()}
}

func TestPlatformVersionsRollbackDelete(t *testing.T) {
	p, _, base := newTestPlatform(t)
	for i := 1; i <= 3; i++ {
		rec, err := p.Deploy(testArtifact("app", fmt.Sprintf("v%d", i)), true)
		if err != nil {
			t.Fatal(err)
		}
		if rec.Number != i {
			t.Fatalf("version %d numbered %d", i, rec.Number)
		}
		if r := getHost(t, base, "app.edge.test", "/"); r.body != fmt.Sprintf("v%d", i) {
			t.Fatalf("after deploy %d: %q", i, r.body)
		}
	}
	// Deploy without activating keeps v3 serving.
	if _, err := p.Deploy(testArtifact("app", "v4"), false); err != nil {
		t.Fatal(err)
	}
	if r := getHost(t, base, "app.edge.test", "/"); r.body != "v3" {
		t.Fatalf("inactive deploy changed serving: %q", r.body)
	}
	if to, err := p.Rollback("app", 0); err != nil || to != 2 {
		t.Fatalf("rollback: %d %v", to, err)
	}
	if r := getHost(t, base, "app.edge.test", "/"); r.body != "v2" {
		t.Fatalf("after rollback: %q", r.body)
	}
	if _, err := p.Rollback("app", 9); !errors.Is(err, ErrNoSuchVersion) || !strings.Contains(err.Error(), "v1, v2, v3, v4") {
		t.Fatalf("rollback to a missing version: %v", err)
	}
	if r := getHost(t, base, "app.edge.test", "/"); r.body != "v2" {
		t.Fatalf("a refused rollback changed serving: %q", r.body)
	}
	if to, err := p.Rollback("app", 4); err != nil || to != 4 {
		t.Fatal(to, err)
	}
	vs, err := p.Versions("app")
	if err != nil || len(vs) != 4 {
		t.Fatalf("versions: %d %v", len(vs), err)
	}
	list, err := p.List()
	if err != nil || len(list) != 1 || list[0].Active != 4 {
		t.Fatalf("list: %+v %v", list, err)
	}
	if err := p.Delete("app"); err != nil {
		t.Fatal(err)
	}
	if r := getHost(t, base, "app.edge.test", "/"); r.status != 404 {
		t.Fatalf("after delete: %d %q", r.status, r.body)
	}
	if err := p.Delete("app"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("delete twice: %v", err)
	}
}

func TestPlatformRefusesBrokenBundle(t *testing.T) {
	p, _, base := newTestPlatform(t)
	if _, err := p.Deploy(testArtifact("app", "good"), true); err != nil {
		t.Fatal(err)
	}
	bad := testArtifact("app", "x")
	bad.Script = "var x = ;"
	if _, err := p.Deploy(bad, true); err == nil || !strings.Contains(err.Error(), "syntax error") {
		t.Fatalf("broken bundle: %v", err)
	}
	noHandler := testArtifact("app", "x")
	noHandler.Script = "var __edgefn_module = {};"
	if _, err := p.Deploy(noHandler, true); err == nil || !strings.Contains(err.Error(), "no request handler") {
		t.Fatalf("no handler: %v", err)
	}
	throws := testArtifact("app", "x")
	throws.Script = `throw new Error("boom at load"); var __edgefn_module = { default: { fetch() { return new Response("x") } } };`
	if _, err := p.Deploy(throws, true); !errors.Is(err, ErrInvalidScript) || !strings.Contains(err.Error(), "threw at global scope: Uncaught Error: boom at load") {
		t.Fatalf("throws at load: %v", err)
	}
	if vs, _ := p.Versions("app"); len(vs) != 1 {
		t.Fatalf("a refused bundle was stored: %d versions", len(vs))
	}
	if r := getHost(t, base, "app.edge.test", "/"); r.body != "good" {
		t.Fatalf("serving %q", r.body)
	}
}

func TestPlatformRouteConflict(t *testing.T) {
	p, _, _ := newTestPlatform(t)
	if _, err := p.Deploy(testArtifact("a", "a", "x.com/*"), true); err != nil {
		t.Fatal(err)
	}
	_, err := p.Deploy(testArtifact("b", "b", "x.com/*"), true)
	if !errors.Is(err, ErrRouteConflict) {
		t.Fatalf("err = %v", err)
	}
	if list, _ := p.List(); len(list) != 1 {
		t.Fatalf("the clashing deployment was stored: %+v", list)
	}
}

// A rollback or split to a version whose routes another deployment took
// since is refused, and nothing changes; so is a route on another
// deployment's own host.
func TestPlatformRouteConflictOnRollbackAndSplit(t *testing.T) {
	p, _, base := newTestPlatform(t)
	if _, err := p.Deploy(testArtifact("a", "a1", "x.com/*"), true); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Deploy(testArtifact("a", "a2", "y.com/*"), true); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Deploy(testArtifact("b", "b1", "x.com/*"), true); err != nil {
		t.Fatalf("x.com is free again: %v", err)
	}
	if _, err := p.Rollback("a", 1); !errors.Is(err, ErrRouteConflict) || !strings.Contains(err.Error(), "a v1") {
		t.Fatalf("rollback into a clash: %v", err)
	}
	if err := p.Split("a", []SplitEntry{{1, 50}, {2, 50}}); !errors.Is(err, ErrRouteConflict) {
		t.Fatalf("split into a clash: %v", err)
	}
	list, _ := p.List()
	for _, d := range list {
		if d.Name == "a" && (d.Active != 2 || len(d.Split) != 0) {
			t.Fatalf("a refused rollback or split changed the record: %+v", d)
		}
	}
	if r := getHost(t, base, "x.com", "/"); r.body != "b1" {
		t.Fatalf("x.com serves %q", r.body)
	}
	if r := getHost(t, base, "y.com", "/"); r.body != "a2" {
		t.Fatalf("y.com serves %q", r.body)
	}
	if _, err := p.Deploy(testArtifact("c", "c1", "b.edge.test/*"), true); !errors.Is(err, ErrRouteConflict) {
		t.Fatalf("a route on another deployment's host: %v", err)
	}
	if _, err := p.Deploy(testArtifact("c", "c1", "*/*"), true); err != nil {
		t.Fatal(err)
	}
	if r := getHost(t, base, "b.edge.test", "/"); r.body != "b1" {
		t.Fatalf("a catch-all route shadowed b's own host: %q", r.body)
	}
	if r := getHost(t, base, "elsewhere.org", "/"); r.body != "c1" {
		t.Fatalf("the catch-all route: %q", r.body)
	}
}

func TestPlatformSplitIsStickyAndWeighted(t *testing.T) {
	p, _, base := newTestPlatform(t)
	for i := 1; i <= 2; i++ {
		if _, err := p.Deploy(testArtifact("app", fmt.Sprintf("v%d", i)), true); err != nil {
			t.Fatal(err)
		}
	}
	for _, bad := range [][]SplitEntry{{{1, 50}, {2, 40}}, {{1, 50}, {3, 50}}, {{1, 150}, {2, -50}}, {{1, 50}, {1, 50}}, {}} {
		if err := p.Split("app", bad); !errors.Is(err, ErrBadSplit) {
			t.Fatalf("split %v: %v", bad, err)
		}
	}
	if err := p.Split("app", []SplitEntry{{1, 70}, {2, 30}}); err != nil {
		t.Fatal(err)
	}
	cur := p.node.currentOf("app")
	counts := map[int]int{}
	for b := uint32(0); b < 100; b++ {
		counts[cur.pick(b).number]++
	}
	if counts[1] != 70 || counts[2] != 30 {
		t.Fatalf("split buckets: %v", counts)
	}
	// One client address keeps one version.
	first := getHost(t, base, "app.edge.test", "/").body
	for i := 0; i < 20; i++ {
		if got := getHost(t, base, "app.edge.test", "/").body; got != first {
			t.Fatalf("the same client got %q then %q", first, got)
		}
	}
	if err := p.Split("app", []SplitEntry{{2, 100}}); err != nil {
		t.Fatal(err)
	}
	if cur := p.node.currentOf("app"); len(cur.versions) != 1 || cur.versions[0].number != 2 {
		t.Fatalf("a 100%% split did not collapse to one version")
	}
}
