package edge

import (
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestManifestErrors(t *testing.T) {
	cases := []struct {
		name, src string
		line      int
		field     string
		text      string
	}{
		{"syntax", "name = \"a\"\nroutes = [\n", 2, "routes", "expected value"},
		{"unknown key", "name = \"a\"\n\n[limits]\ncpu = 5\n", 4, "limits.cpu", "unknown key"},
		{"wrong type", "name = \"a\"\n[limits]\ncpu_ms = \"fast\"\n", 3, "limits.cpu_ms", "want an integer, got a string"},
		{"wrong type array", "name = \"a\"\nroutes = 5\n", 2, "routes", "want an array, got an integer"},
		{"second table", "name = \"a\"\n[[kv_namespaces]]\nbinding = \"C\"\nnamespace = \"a\"\n\n[[kv_namespaces]]\n# again\nbinding = \"C\"\nnamespace = \"b\"\n", 8, "kv_namespaces[1].binding", "already bound"},
		{"queue consumer", "name = \"a\"\n[[queues.consumers]]\nqueue = \"q\"\n[[queues.consumers]]\nqueue = \"r\"\nmax_retries = 500\n", 6, "queues.consumers[1].max_retries", "outside 0-100"},
		{"missing name", "[vars]\nA = \"b\"\n", 0, "name", "required"},
		{"bad name", "name = \"My App\"\n", 1, "name", "lower-case"},
		{"bad route", "name = \"a\"\nroutes = [\"https://x.com/*\"]\n", 2, "routes[0]", "scheme"},
		{"bad cron", "name = \"a\"\n[triggers]\ncrons = [\"*/5 * * *\"]\n", 3, "triggers.crons[0]", "expected exactly 5 fields"},
		{"dup binding", "name = \"a\"\n[vars]\nCACHE = \"x\"\n[[kv_namespaces]]\nbinding = \"CACHE\"\nnamespace = \"c\"\n", 5, "kv_namespaces[0].binding", "already bound"},
		{"reserved namespace", "name = \"a\"\n[[kv_namespaces]]\nbinding = \"K\"\nnamespace = \"_system\"\n", 4, "kv_namespaces[0].namespace", "not starting with _"},
		{"limit range", "name = \"a\"\n[limits]\nmemory_mb = 99999\n", 3, "limits.memory_mb", "outside"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseManifest("edgefn.toml", []byte(tc.src))
			var me *ManifestError
			if !errors.As(err, &me) || !errors.Is(err, ErrManifest) {
				t.Fatalf("err = %v, want a ManifestError", err)
			}
			if me.Line != tc.line || (tc.field != "" && me.Field != tc.field) || !strings.Contains(me.Error(), tc.text) {
				t.Fatalf("got %q (line %d, field %q); want line %d, field %q, text %q", me.Error(), me.Line, me.Field, tc.line, tc.field, tc.text)
			}
			if !strings.HasPrefix(me.Error(), "edgefn.toml") {
				t.Fatalf("error does not name the file: %q", me.Error())
			}
		})
	}
	m, err := ParseManifest("edgefn.toml", []byte(`name = "ok"
routes = ["example.com/*", "*/api/*"]
[vars]
A = "1"
[[kv_namespaces]]
binding = "CACHE"
namespace = "cache"
[triggers]
crons = ["*/5 * * * *", "@hourly"]
[[queues.consumers]]
queue = "jobs"
max_retries = 3
dead_letter_queue = "jobs-dlq"
`))
	if err != nil {
		t.Fatal(err)
	}
	if m.KV[0].Binding != "CACHE" || len(m.Triggers.Crons) != 2 || m.Queues.Consumers[0].MaxRetries != 3 {
		t.Fatalf("parsed %+v", m)
	}
}

func TestRouteTable(t *testing.T) {
	parse := func(ss ...string) []Route {
		var out []Route
		for _, s := range ss {
			r, err := ParseRoute(s)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, r)
		}
		return out
	}
	table, err := newRouteTable(map[string][]Route{
		"site":  parse("example.com/*"),
		"api":   parse("example.com/api/*", "api.example.com/*"),
		"v2":    parse("example.com/api/v2/*"),
		"exact": parse("example.com/health"),
		"any":   parse("*/.well-known/*"),
		"wild":  parse("*.example.net/*"),
		"own":   parse("*/own/*"),
		"shop":  nil,
	}, "edge.test")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct{ host, path, want string }{
		{"example.com", "/", "site"},
		{"example.com", "/api/users", "api"},
		{"example.com", "/api/v2/users", "v2"},
		{"example.com", "/health", "exact"},
		{"example.com", "/healthz", "site"},
		{"api.example.com", "/x", "api"},
		{"other.org", "/.well-known/acme", "any"},
		{"a.example.net", "/", "wild"},
		{"example.net", "/", "wild"},
		{"other.org", "/", ""},
		{"other.org", "/own/x", "own"},
		// A deployment's own host beats another's wildcard route.
		{"shop.edge.test", "/own/x", "shop"},
		{"own.edge.test", "/", "own"},
		{"nobody.edge.test", "/own/x", "own"},
	}
	for _, tc := range cases {
		got, _ := table.match(tc.host, tc.path)
		if got != tc.want {
			t.Errorf("%s%s -> %q, want %q", tc.host, tc.path, got, tc.want)
		}
	}
	_, err = newRouteTable(map[string][]Route{"a": parse("x.com/*"), "b": parse("x.com/*")}, "")
	if !errors.Is(err, ErrRouteConflict) || !strings.Contains(err.Error(), `"a"`) {
		t.Fatalf("conflict: %v", err)
	}
	// Another deployment's own host is refused, even before it exists; a
	// deployment may route paths of its own host.
	_, err = newRouteTable(map[string][]Route{"a": parse("b.edge.test/*")}, "edge.test")
	if !errors.Is(err, ErrRouteConflict) || !strings.Contains(err.Error(), `deployment "b"`) {
		t.Fatalf("another's own host: %v", err)
	}
	if _, err := newRouteTable(map[string][]Route{"a": parse("a.edge.test/api/*", "x.a.edge.test/*")}, "edge.test"); err != nil {
		t.Fatalf("own host: %v", err)
	}
	for _, bad := range []string{"", "x.com", "http://x.com/*", "x.com/a*b", "*x.com/*"} {
		if _, err := ParseRoute(bad); err == nil {
			t.Errorf("ParseRoute(%q) accepted", bad)
		}
	}
}

func TestFileRoutes(t *testing.T) {
	rs, err := newFileRoutes([]string{"api/index.ts", "api/users/[id].ts", "api/users/me.ts", "api/files/[...path].ts",
		"api/docs/[[...slug]].ts", "api/[team]/settings.ts"})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		path, route string
		params      map[string]string
	}{
		{"/api", "api/index", nil},
		{"/api/users/me", "api/users/me", nil},
		{"/api/users/42", "api/users/[id]", map[string]string{"id": "42"}},
		{"/api/files/a/b/c", "api/files/[...path]", map[string]string{"path": "a/b/c"}},
		{"/api/files", "", nil},
		{"/api/docs", "api/docs/[[...slug]]", map[string]string{"slug": ""}},
		{"/api/docs/x/y", "api/docs/[[...slug]]", map[string]string{"slug": "x/y"}},
		{"/api/acme/settings", "api/[team]/settings", map[string]string{"team": "acme"}},
		{"/api/users/42/extra", "", nil},
	}
	for _, tc := range cases {
		r, params := rs.match(tc.path)
		got := ""
		if r != nil {
			got = r.ID
		}
		if got != tc.route || (len(tc.params) > 0 && !mapsEqual(params, tc.params)) {
			t.Errorf("%s -> %q %v, want %q %v", tc.path, got, params, tc.route, tc.params)
		}
	}
	for _, bad := range [][]string{{"api/[a]/[a].ts"}, {"api/[...x]/y.ts"}, {"api/a[b].ts"}, {"api/x.ts", "api/x/index.ts"}} {
		if _, err := newFileRoutes(bad); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestProjectOverHTTP(t *testing.T) {
	p, err := LoadProject("../examples/project")
	if err != nil {
		t.Fatal(err)
	}
	a, err := p.Build("production")
	if err != nil {
		t.Fatal(err)
	}
	n, base := testNode(t, nil)
	if err := n.Activate(a, 1); err != nil {
		t.Fatal(err)
	}
	n.SetFallback("project")
	cases := []struct {
		method, path string
		status       int
		contains     string
	}{
		{"GET", "/api/hello", 200, "hello from a file route"},
		{"GET", "/api/users/42", 200, `{"id":"42"}`},
		{"DELETE", "/api/users/42", 204, ""},
		{"PUT", "/api/users/42", 405, ""},
		{"GET", "/api/files/a/b/c", 200, `{"path":"a/b/c","greeting":"hello"}`},
		{"GET", "/", 200, "Static assets are served directly"},
		{"GET", "/docs/guide", 200, "clean URL"},
		{"GET", "/data.json", 200, `{"ok":true}`},
		{"GET", "/nope", 404, "no route or file"},
		{"POST", "/data.json", 405, ""},
	}
	for _, tc := range cases {
		r := send(t, tc.method, base+tc.path, "")
		if r.status != tc.status || !strings.Contains(r.body, tc.contains) {
			t.Errorf("%s %s: %d %q; want %d containing %q", tc.method, tc.path, r.status, r.body, tc.status, tc.contains)
		}
	}
	r := send(t, "GET", base+"/data.json", "")
	if r.header.Get("content-type") != "application/json" || r.header.Get("etag") == "" || r.header.Get("last-modified") == "" {
		t.Fatalf("asset headers: %v", r.header)
	}
}

func TestStaticConditionalAndRange(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "public"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "public", "file.txt"), []byte("0123456789"), 0o644); err != nil {
		t.Fatal(err)
	}
	n, base := testNode(t, nil)
	activateProject(t, n, dir)
	do := func(hdr map[string]string, method string) (*http.Response, string) {
		req, _ := http.NewRequest(method, base+"/file.txt", nil)
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b := new(strings.Builder)
		_, _ = io_copy(b, res)
		return res, b.String()
	}
	res, body := do(nil, "GET")
	etag, lm := res.Header.Get("etag"), res.Header.Get("last-modified")
	if res.StatusCode != 200 || body != "0123456789" || res.Header.Get("accept-ranges") != "bytes" {
		t.Fatalf("GET: %d %q", res.StatusCode, body)
	}
	if res, _ := do(map[string]string{"If-None-Match": etag}, "GET"); res.StatusCode != 304 {
		t.Fatalf("If-None-Match: %d", res.StatusCode)
	}
	if res, _ := do(map[string]string{"If-None-Match": `"other"`}, "GET"); res.StatusCode != 200 {
		t.Fatalf("If-None-Match other: %d", res.StatusCode)
	}
	if res, _ := do(map[string]string{"If-Modified-Since": lm}, "GET"); res.StatusCode != 304 {
		t.Fatalf("If-Modified-Since: %d", res.StatusCode)
	}
	cases := []struct {
		rng, want, cr string
		status        int
	}{
		{"bytes=2-4", "234", "bytes 2-4/10", 206},
		{"bytes=7-", "789", "bytes 7-9/10", 206},
		{"bytes=-3", "789", "bytes 7-9/10", 206},
		{"bytes=5-100", "56789", "bytes 5-9/10", 206},
		{"bytes=20-30", "", "bytes */10", 416},
	}
	for _, tc := range cases {
		res, body := do(map[string]string{"Range": tc.rng}, "GET")
		if res.StatusCode != tc.status || body != tc.want || res.Header.Get("content-range") != tc.cr {
			t.Errorf("Range %s: %d %q %q", tc.rng, res.StatusCode, body, res.Header.Get("content-range"))
		}
	}
	if res, body := do(map[string]string{"Range": "bytes=0-1", "If-Range": `"stale"`}, "GET"); res.StatusCode != 200 || body != "0123456789" {
		t.Fatalf("If-Range stale: %d %q", res.StatusCode, body)
	}
	if res, body := do(nil, "HEAD"); res.StatusCode != 200 || body != "" || res.ContentLength != 10 {
		t.Fatalf("HEAD: %d %q %d", res.StatusCode, body, res.ContentLength)
	}
}

func TestDeployRouteConflictChangesNothing(t *testing.T) {
	n, _ := testNode(t, nil)
	mk := func(name string, routes ...string) *Artifact {
		return &Artifact{Manifest: Manifest{Name: name, Routes: routes}, ScriptName: name + ".js",
			Script: `var __edgefn_module = { default: { fetch() { return new Response("` + name + `") } } };`}
	}
	if err := n.Activate(mk("a", "x.com/*"), 1); err != nil {
		t.Fatal(err)
	}
	err := n.Activate(mk("b", "x.com/*"), 1)
	if !errors.Is(err, ErrRouteConflict) {
		t.Fatalf("err = %v", err)
	}
	if d := n.route("x.com", "/"); d == nil || d.name != "a" {
		t.Fatal("the clash changed the routes")
	}
	n.mu.RLock()
	_, exists := n.deployments["b"]
	n.mu.RUnlock()
	if exists {
		t.Fatal("the refused deployment was registered")
	}
}
